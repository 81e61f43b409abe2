import { linesOf } from "./lines.ts";
import type { SourceIndex, Span } from "./mentions.ts";

/*
 * Statements that cover several accounts (a relationship statement, an online-banking page
 * with one account open) give each account a section under a heading that names it: "Interest
 * Checking *4521", "First Mortgage ...7633 - billed separately", "Billing Detail: Auto Loan
 * *8228". Only one section is the document's liability; the figures of the others are not its
 * figures, however they are labelled. This finds that section, when the document says which.
 */

/** The part of a document that is its liability's: readings outside it belong to other accounts. */
export interface SubjectScope {
  /** Whether a value at `span` may be the liability's own. */
  readonly covers: (span: Span) => boolean;
  /** The last four digits the subject's heading gives, if it gives them. */
  readonly last4?: string;
  /** The one amount on the subject's heading (an account tile's "Home Mortgage ...1234  $186,402.17"): its balance. */
  readonly balance?: { readonly cents: number; readonly span: Span };
  readonly heading: Span;
}

/** Names of products; the liability kinds are the ones a record can describe. */
const DEPOSIT = "checking|savings|money market|certificate|share draft|cd|ira|brokerage|deposit";
const LIABILITY =
  "mortgage|home loan|home equity|heloc|line of credit|credit line|loan|installment|contract|vehicle|auto|car|credit card|card|visa|mastercard|discover|amex";
/** What a heading may start with before the product's name. */
const HEADING_LEAD = String.raw`(?:(?:v|▼|▽|►|▶|>|\[[-+]\])[ \t]+)?(?:(?:billing|account|loan|card) detail|payment due for|details for|statement for|billed account)?[ \t]*:?[ \t]*`;
const HEADING = new RegExp(String.raw`^${HEADING_LEAD}(?:[\p{L}\d&'.-]+[ \t]+){0,4}?(?:${DEPOSIT}|${LIABILITY})s?\b`, "iu");
const DEPOSIT_NAME = new RegExp(String.raw`\b(?:${DEPOSIT})\b`, "i");
const LIABILITY_NAME = new RegExp(String.raw`\b(?:${LIABILITY})s?\b`, "i");
/** A heading's own reference to its account: masked digits, "ending 8228", "#4410", "- 4833". */
const ACCOUNT_REFERENCE = /(?:(?:[*xX•#][ \t]?){1,}|\.{2,}|…|\bending(?:[ \t]+in)?[ \t]+|\bno\.?[ \t]*|[-–][ \t]*\.{0,3})(\d{4})\b/;
/** A field line rather than a heading: the product's name is part of a label ("Loan Number ****1234", "Card ending in"). */
const FIELD_LINE = /\b(?:number|no\.|id|balance|payment|amount|rate|date|from|to|paid|autopay|transfer)\b/i;
/** Where the page or statement says which account it is about. */
const SUBJECT_CUE =
  /^[ \t]*(?:v|▼|▽|\[-\])[ \t]|\((?:selected|open|current)\)|\b(?:billed on this statement|payment due for|billing detail|amount due on this statement|details for your|this statement is for)\b/i;
/** An account the document says it does not bill. */
const NOT_SUBJECT = /\b(?:billed separately|separate statement|not billed|see separate)\b/i;
/** How many lines after a heading may still say that it is the subject ("This is the account billed on this statement."). */
const CUE_LINES = 2;

interface Section {
  readonly heading: Span;
  readonly end: number;
  readonly lines: number;
  readonly liability: boolean;
  readonly cue: boolean;
  readonly excluded: boolean;
  readonly last4?: string;
}

/**
 * The subject's section of a document with several account sections: the one the document
 * marks as billed or open, else the one liability among deposit accounts. Undefined where the
 * document has fewer than two sections or does not make the subject plain.
 */
export function subjectScope(index: SourceIndex): SubjectScope | undefined {
  const sections = accountSections(index.scan);
  if (sections.length < 2) return undefined;
  // A row of a summary table heads nothing: it is an account's line, not its section.
  const withContent = sections.filter((s) => s.lines > 0 && s.liability && !s.excluded);
  const cued = withContent.filter((s) => s.cue);
  const subject = cued.length === 1 ? cued[0] : cued.length === 0 && withContent.length === 1 ? withContent[0] : undefined;
  if (!subject) return undefined;
  const others = sections.filter((s) => s !== subject);
  const amounts = index.money.filter((m) => m.moneyLike && m.start >= subject.heading.start && m.end <= subject.heading.end);
  const balance = amounts.length === 1 && amounts[0]!.cents.size === 1 ? { cents: [...amounts[0]!.cents][0]!, span: amounts[0]! } : undefined;
  return {
    heading: subject.heading,
    ...(subject.last4 ? { last4: subject.last4 } : {}),
    ...(balance ? { balance } : {}),
    covers: (span) => !others.some((s) => span.start >= s.heading.start && span.start < s.end),
  };
}

function accountSections(scan: string): Section[] {
  const lines = linesOf(scan);
  const indent = (line: Span) => /^[ \t|]*/.exec(scan.slice(line.start, line.end))![0].length;
  const nextNonEmpty = (i: number) => lines.slice(i + 1).find((l) => l.text !== "");
  const headings: { line: Span; index: number; last4?: string }[] = [];
  lines.forEach((line, i) => {
    const { text } = line;
    // A sentence ("Details for your vehicle loan are below.") names an account; it heads nothing.
    if (text.length === 0 || text.length > 90 || /[.!?]$/.test(text) || !HEADING.test(text)) return;
    const lead = HEADING.exec(text)![0];
    const rest = text.slice(lead.length);
    if (FIELD_LINE.test(lead.replace(/^.*?(?:payment due for|billing detail|details for)/i, "")) || /^[ \t]*(?:number|no\b|#[ \t]*$|id\b)/i.test(rest)) return;
    if (/\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}|\b(?:19|20)\d{2}-\d{2}-\d{2}\b/.test(text)) return;
    const reference = ACCOUNT_REFERENCE.exec(rest);
    const next = nextNonEmpty(i);
    const opensBlock = next !== undefined && indent(next) > indent(line);
    if (!reference && !opensBlock) return;
    headings.push({ line, index: i, ...(reference ? { last4: reference[1]! } : {}) });
  });
  return headings.map((h, n) => {
    const following = headings[n + 1];
    const end = following ? following.line.start : scan.length;
    const body = lines.slice(h.index + 1, following ? following.index : lines.length).filter((l) => l.text !== "");
    const headingText = scan.slice(h.line.start, h.line.end);
    const cueText = [headingText, ...body.slice(0, CUE_LINES).map((l) => scan.slice(l.start, l.end))].join("\n");
    return {
      heading: h.line,
      end,
      lines: body.length,
      liability: LIABILITY_NAME.test(headingText) || !DEPOSIT_NAME.test(headingText),
      cue: SUBJECT_CUE.test(cueText),
      excluded: NOT_SUBJECT.test(headingText),
      ...(h.last4 ? { last4: h.last4 } : {}),
    };
  });
}

/** How far before an account's number or label its sentence may say the money comes from it. */
const SOURCE_REACH = 45;
/** The money comes from it, or it is a deposit account: "savings" in a bank's name ("Foxhollow Savings Bank") is not one. */
const SOURCE_ACCOUNT = /\bfrom\b|\b(?:checking|savings)\b(?![ \t]+(?:bank|and loan|&[ \t]*loan|association|institution|federal))/i;

/**
 * An account the payment comes from ("Autopay scheduled from checking ****0926", "from my savings at
 * your bank, account ending 2261", "auto-debited … from the account ending 0518") is the borrower's
 * deposit account, not the debt's.
 */
export function paidFrom(scan: string, at: number): boolean {
  const before = scan.slice(Math.max(0, at - SOURCE_REACH, scan.lastIndexOf("\n", at - 1) + 1), at);
  const sentence = before.slice(Math.max(0, ...[...before.matchAll(/[.?!;](?:\s|$)/g)].map((m) => m.index + m[0].length)));
  return SOURCE_ACCOUNT.test(sentence);
}

/** An account referred to by its last digits: "card ending 8816", "Visa ending two zero four nine", "it ends in 5507". */
const ENDING_BEFORE = /\b(?:ending|ends)(?:[ \t]+(?:in|with))?[ \t,:]+$/i;
/** Numbers given by their endings that are no account: "the code sent to your phone ending 0418". */
const NOT_AN_ACCOUNT = /\b(?:phone|mobile|cell|social|ssn|zip)\b/i;

/**
 * The last four digits of every account the text refers to by its ending, other than one a payment
 * comes from. Two or more in a text without account sections (a call about a personal and a business
 * card) mean its figures may be either account's.
 */
export function accountsByEnding(index: SourceIndex, last4: ReadonlyMap<string, readonly Span[]>): Set<string> {
  const out = new Set<string>();
  for (const run of index.digits) {
    const digits = run.digits.slice(-4);
    if (run.digits.length < 4 || !last4.has(digits)) continue;
    const before = index.scan.slice(Math.max(0, run.start - 30), run.start);
    if (ENDING_BEFORE.test(before) && !NOT_AN_ACCOUNT.test(before) && !paidFrom(index.scan, run.start)) out.add(digits);
  }
  return out;
}
