import {
  LlamaGrammarEvaluationState,
  type Llama,
  type LlamaContextSequence,
  type LlamaGrammar,
  type LlamaModel,
  type Token,
  type TokenBias,
} from "node-llama-cpp";
import {
  blankLines,
  buildCandidates,
  buildSourceIndex,
  candidateJson,
  candidateJsonValues,
  candidateKind,
  DUE_AFTER_AS_OF,
  dueWithinAYearOf,
  checkInjection,
  injectedLines,
  GROUNDED_FIELDS,
  lenderNameCandidates,
  readDocumentLabels,
  type DocumentLabels,
  type GroundedField,
  type ReaderField,
} from "@liability/domain";
import { FIELD_STEPS, groundedGrammar, groundedNameGrammar, labelledGrammar, type FieldStep } from "./grammar.ts";
import { abortError } from "./scheduler.ts";

export interface CompiledStep extends FieldStep {
  compiledGrammar: LlamaGrammar;
  injectedTokens: Token[];
}

/** Parses each field's grammar once at start-up and tokenizes the injected key names. */
export async function compileSteps(llama: Llama, model: LlamaModel): Promise<CompiledStep[]> {
  const steps: CompiledStep[] = [];
  for (const step of FIELD_STEPS) {
    steps.push({
      ...step,
      compiledGrammar: await llama.createGrammar({ grammar: step.grammar }),
      // Plain text: key names never contain special-token text.
      injectedTokens: model.tokenize(step.injectedText, false),
    });
  }
  return steps;
}

const GROUNDED = new Set<string>(GROUNDED_FIELDS);

/**
 * The steps for one document under grounded decoding: each quoted field's grammar admits only
 * the values the text states (see buildCandidates) or null, and the lender name only a phrase
 * of the text (see lenderNameCandidates), neither taken from a line addressed to a model (see
 * injectedLines); liability_type keeps its own grammar. Guided decoding
 * also fixes each field that the labelled-field reader reads unambiguously to that value. Fields with the
 * same candidate list and terminator (the four amounts) share one compiled grammar.
 */
export async function groundSteps(llama: Llama, steps: readonly CompiledStep[], text: string, received: Date, guided = false): Promise<CompiledStep[]> {
  const index = buildSourceIndex(text);
  const injectionSpans = checkInjection(text).spans;
  // What a line addressed to a model states is not the document's: no candidate, no name.
  const planted = injectedLines(index.scan, injectionSpans);
  const candidates = buildCandidates(index, { referenceYear: received.getUTCFullYear(), excluded: planted });
  const labels: DocumentLabels = guided
    ? readDocumentLabels(index, candidates, injectionSpans)
    : { allowed: {}, unavailable: new Set(), unresolved: new Set(), unnamed: new Set() };
  const unavailable: ReadonlySet<string> = labels.unavailable;
  const names = lenderNameCandidates(blankLines(text, planted));
  // Guided: a due or good-through date falls on or within a year after the date the labels give the document.
  const asOfValues = [...(labels.allowed.as_of_date ?? [])];
  const asOf = asOfValues.length === 1 ? asOfValues[0] : undefined;
  const groundedValues = (field: GroundedField) => {
    const values = candidateJsonValues(candidates, field);
    const minDays = DUE_AFTER_AS_OF.get(field);
    if (typeof asOf !== "string" || minDays === undefined) return values;
    return values.filter((json) => dueWithinAYearOf(JSON.parse(json) as string, asOf, minDays));
  };
  const compiled = new Map<string, Promise<LlamaGrammar>>();
  return Promise.all(
    steps.map(async (step) => {
      let grammar: string;
      // Every field the reader reads (its precision where it reads is 99-100% per field, the
      // model's 80-92%; docs/model-card.md), and the balance and payoff where the document's
      // labels agree on them (consistency.ts), and the kind of debt where the text names only one.
      const labelled = guided ? labelledValues(step.field, labels) : [];
      if (labelled.length > 0) grammar = labelledGrammar(step, labelled);
      // A speaker who says the figure cannot be given, or a text that never mentions its kind (no payoff
      // without talk of paying off): whatever else the text holds is not it.
      else if (unavailable.has(step.field) || labels.unnamed.has(step.field as ReaderField)) grammar = labelledGrammar(step, ["null"]);
      else if (GROUNDED.has(step.field)) grammar = groundedGrammar(step, groundedValues(step.field as GroundedField));
      // A text without any capitalised phrase (empty, or all lower case) keeps the open name grammar.
      else if (step.field === "lender_name" && names.length > 0) grammar = groundedNameGrammar(step, names);
      else return step;
      let grammarPromise = compiled.get(grammar);
      if (grammarPromise === undefined) {
        grammarPromise = llama.createGrammar({ grammar });
        compiled.set(grammar, grammarPromise);
      }
      return { ...step, grammar, compiledGrammar: await grammarPromise };
    }),
  );
}

/** Canonical JSON texts of what the document's labels give `field`; empty where they give nothing or disagree. */
function labelledValues(field: string, labels: DocumentLabels): string[] {
  if (field === "liability_type") return labels.liabilityType === undefined ? [] : [JSON.stringify(labels.liabilityType)];
  const allowed = labels.allowed[field as ReaderField] ?? [];
  return [...allowed].map((value) => candidateJson(candidateKind(field as ReaderField), value));
}

export interface GenerateOptions {
  model: LlamaModel;
  sequence: LlamaContextSequence;
  steps: readonly CompiledStep[];
  /** Prompt tokens still to evaluate (after the reused prefix). */
  promptTokens: Token[];
  /** Ask llama.cpp for each sampled token's probability (per-field confidence). */
  confidence: boolean;
  signal: AbortSignal;
  /** Called once the sequence may be used again, also when generation was aborted. */
  release: () => void;
  /** Called after every sampled token. */
  onToken?: () => void;
  /** Tests only: bias the next token given the output so far. */
  tokenBias?: (output: readonly Token[]) => TokenBias;
}

export interface GenerateResult {
  /** All completion tokens in order: injected key names and sampled tokens. */
  tokens: Token[];
  /** How many of them the model sampled. */
  sampledTokens: number;
  /** Per step (field): product of the sampled tokens' probabilities; empty without confidence. */
  fieldProbabilities: number[];
  startedAt: number;
  firstTokenAt: number;
  lastTokenAt: number;
}

type Step = IteratorResult<{ token: Token; confidence?: number }, void>;

/**
 * Generates one record on `sequence`, field by field (see FieldStep): greedy decoding, each
 * field under its own grammar, key names appended without sampling. When the signal aborts
 * (client cancel, deadline) it throws at once instead of waiting for the token being
 * computed; the sequence is released when llama.cpp has finished that step, so an abandoned
 * request never generates another token.
 */
export async function generateRecord(options: GenerateOptions): Promise<GenerateResult> {
  const { model, sequence, steps, signal } = options;
  const tokens: Token[] = [];
  const fieldProbabilities: number[] = [];
  const startedAt = performance.now();
  let firstTokenAt = startedAt;
  let lastTokenAt = startedAt;
  let sampledTokens = 0;

  let onAbort: (() => void) | undefined;
  const aborted = new Promise<never>((_resolve, reject) => {
    onAbort = () => reject(abortError(signal));
    if (signal.aborted) onAbort();
    else signal.addEventListener("abort", onAbort, { once: true });
  });
  aborted.catch(() => {});

  let iterator: AsyncGenerator<{ token: Token; confidence?: number }, void, undefined | Token | Token[]> | undefined;
  let releasedBy: "caller" | "background" = "caller";
  try {
    // The first step evaluates the rest of the prompt together with `{"liability_type`.
    let pending = options.promptTokens;
    for (const step of steps) {
      if (signal.aborted) throw abortError(signal);
      pending = [...pending, ...step.injectedTokens];
      tokens.push(...step.injectedTokens);
      iterator = sequence.evaluateWithMetadata(
        pending,
        { confidence: options.confidence },
        {
          temperature: 0,
          grammarEvaluationState: new LlamaGrammarEvaluationState({ model, grammar: step.compiledGrammar }),
          tokenBias: options.tokenBias ? () => options.tokenBias!(tokens) : undefined,
        },
      );
      const stepTokens: Token[] = [];
      let probability = 1;
      for (;;) {
        const next = (await Promise.race([iterator.next(), aborted])) as Step;
        if (next.done) throw new Error(`generation ended inside field ${step.field}`);
        const now = performance.now();
        if (sampledTokens === 0) firstTokenAt = now;
        lastTokenAt = now;
        sampledTokens++;
        stepTokens.push(next.value.token);
        tokens.push(next.value.token);
        if (options.confidence) probability *= next.value.confidence ?? 0;
        options.onToken?.();
        // The grammar ends the step exactly at its terminator, which cannot occur earlier in
        // it; the token that completed it is evaluated with the next step's injected tokens.
        if (model.detokenize(stepTokens, false).endsWith(step.terminator)) {
          pending = [next.value.token];
          break;
        }
        if (stepTokens.length > step.maxBytes) {
          // Unreachable with these grammars; guards against a grammar change looping forever.
          throw new Error(`field ${step.field} did not finish within ${step.maxBytes} tokens`);
        }
      }
      if (options.confidence) fieldProbabilities.push(probability);
      // The generator is paused at a yield, so this returns at once.
      await iterator.return(undefined);
      iterator = undefined;
    }
    return { tokens, sampledTokens, fieldProbabilities, startedAt, firstTokenAt, lastTokenAt };
  } catch (error) {
    if (iterator !== undefined) {
      // A step may still be running in llama.cpp: release the sequence after it.
      releasedBy = "background";
      iterator.return(undefined).then(options.release, options.release);
    }
    throw error;
  } finally {
    signal.removeEventListener("abort", onAbort!);
    if (releasedBy === "caller") options.release();
  }
}
