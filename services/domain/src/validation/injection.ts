import type { Span } from "./mentions.ts";
import { RULES } from "./reasons.ts";
import type { ValidationReason } from "./reasons.ts";

/**
 * Rule "injection": bank statements and call transcripts do not address language
 * models. Text that does is either an attack or at least a document nobody should trust
 * without a look, whatever the model made of it. This rule does not try to undo the
 * injection (the consistency rule catches the values it plants); it makes sure such a
 * document is never accepted silently.
 */
const INSTRUCTION_PATTERNS: readonly RegExp[] = [
  /\b(ignore|disregard|forget|override)\b[^.\n]{0,40}\b(instructions?|prompts?|rules|guidelines|above|previous|prior|earlier|other (rates?|values?|figures?|amounts?|balances?|numbers?))\b/i,
  /\b(new|updated|revised|additional|hidden|secret)\s+(system\s+)?(instructions?|prompt)\b/i,
  /\b(system|developer)\s+(prompt|message|note|override|instruction)s?\b/i,
  // Chat-template and markup that only a model reads; a plain-text document has no HTML comments.
  /<\s*\/?\s*(system|instructions?|prompt|assistant|user|im_start|im_end)\b/i,
  /<!--/,
  /\[\s*\/?\s*(INST|SYS|assistant|system|user)\s*\]/i,
  /\bnote\s+to\s+(the\s+|any\s+|all\s+)?([\w-]+\s+){0,2}(ai|models?|assistants?|llms?|bots?|extractors?|parsers?)\b/i,
  /\b(you are|act as|pretend to be|you must now)\b[^.\n]{0,40}\b(ai|assistant|model|llm|extractor)\b/i,
  /\b(language models?|llms?|chatgpt|large language|ai models?|ai assistants?|ai systems?)\b/i,
  /\b(set|report|output|return|record|extract|enter|list)\s+(the\s+)?(current\s+|outstanding\s+|principal\s+)?(balance|payoff|amount|interest rate|apr|field|value|lender)\w*\s+(as|to|=|should be)\b/i,
  /\b(output|return|respond with|reply with|respond only with|answer with)\b[^.\n]{0,20}\b(json|the following|the word|that instead|this instead)\b/i,
  /\bcorrect (output|answer|extraction|json)\b/i,
  // The record's own keys written as JSON: text that dictates the model's answer.
  /"(liability_type|lender_name|account_last4|current_balance|payoff_amount|payoff_good_through|escrow_balance|interest_rate|monthly_payment|next_due_date|as_of_date)"\s*:/,
];

/** Zero-width and bidirectional-control characters: invisible in a viewer, read by a model. */
const HIDDEN_CHARACTERS = /[\u200B-\u200F\u202A-\u202E\u2060-\u2064\u2066-\u2069\uFEFF]/g;

export interface InjectionFindings {
  readonly reasons: readonly ValidationReason[];
  /** Where the suspicious text is, for a reviewer. */
  readonly spans: readonly Span[];
}

export function checkInjection(text: string): InjectionFindings {
  const spans: Span[] = [];
  for (const pattern of INSTRUCTION_PATTERNS) {
    const global = new RegExp(pattern.source, pattern.flags.includes("g") ? pattern.flags : `${pattern.flags}g`);
    for (const m of text.matchAll(global)) spans.push({ start: m.index, end: m.index + m[0].length });
  }
  const reasons: ValidationReason[] = [];
  if (spans.length > 0) {
    reasons.push({
      rule: RULES.injectionInstructions,
      message: `the text contains ${spans.length} passage(s) addressed to a model rather than to a customer`,
    });
  }
  const hidden = [...text.matchAll(HIDDEN_CHARACTERS)];
  if (hidden.length > 0) {
    reasons.push({
      rule: RULES.injectionHiddenCharacters,
      message: `the text contains ${hidden.length} invisible or direction-control character(s)`,
    });
    for (const m of hidden) spans.push({ start: m.index, end: m.index + m[0].length });
  }
  spans.sort((a, b) => a.start - b.start);
  return { reasons, spans };
}

/** The whole lines that hold `spans`: a label on such a line is the attacker's, not the document's. */
export function injectedLines(text: string, spans: readonly Span[]): Span[] {
  return spans.map((span) => {
    const end = text.indexOf("\n", span.end);
    return { start: text.lastIndexOf("\n", span.start) + 1, end: end === -1 ? text.length : end };
  });
}

/** `text` with `lines` blanked out (same length, so offsets still hold). */
export function blankLines(text: string, lines: readonly Span[]): string {
  let out = text;
  for (const { start, end } of lines) out = out.slice(0, start) + " ".repeat(end - start) + out.slice(end);
  return out;
}
