import { buildCandidates, buildSourceIndex, type DocumentCandidates, type SourceIndex, type Span } from "@liability/domain";

/**
 * Candidates in context: the values the document states (the same index grounded decoding uses),
 * each with the words that stand before it, listed for the model after the document. Choosing a
 * field's value then becomes picking a line whose label fits, which a small model can learn
 * far more easily than finding and copying digits. Prompt artifacts opt in with a {candidates}
 * placeholder; training renders the same list through render-prompt.
 *
 * Deterministic for a given text: yearless dates are listed only with the years the document's
 * other dates give (the grammar may still admit years near the request date).
 */

/** Enough for the busiest statements; the rest of the document is still readable. */
export const MAX_LISTED_CANDIDATES = 48;
const MAX_CONTEXT_CHARS = 40;

interface Listed {
  readonly kind: "amount" | "rate" | "date" | "last4";
  readonly value: string;
  readonly at: Span;
}

export function renderCandidateList(text: string): string {
  const index = buildSourceIndex(text);
  const listed = collect(buildCandidates(index), listable(index))
    .sort((a, b) => a.at.start - b.at.start || a.kind.localeCompare(b.kind))
    .slice(0, MAX_LISTED_CANDIDATES);
  const lines = new Set<string>();
  for (const c of listed) lines.add(`${c.kind} ${c.value} | ${labelBefore(text, c)}`);
  return [...lines].join("\n");
}

interface Listable {
  /** Starts of mentions written the way amounts are ("$46", "1,234.56", "… dollars"). */
  readonly moneyStarts: ReadonlySet<number>;
  /** Starts of any amount mention, written as money or not. */
  readonly anyAmountStarts: ReadonlySet<number>;
  readonly dates: readonly Span[];
}

function listable(index: SourceIndex): Listable {
  return {
    moneyStarts: new Set(index.money.filter((m) => m.moneyLike).map((m) => m.start)),
    anyAmountStarts: new Set(index.money.map((m) => m.start)),
    dates: index.dates,
  };
}

/**
 * What the list shows is stricter than what the grammar admits: only figures written as money
 * are listed as amounts (not the pieces of a phone number), and the digits of a date are not an
 * account's last four.
 */
function collect(c: DocumentCandidates, l: Listable): Listed[] {
  const out: Listed[] = [];
  for (const [cents, spans] of c.money) {
    for (const at of spans) if (l.moneyStarts.has(at.start)) out.push({ kind: "amount", value: JSON.stringify(cents / 100), at });
  }
  for (const [thousandths, spans] of c.rates) {
    // A figure that reads as an amount is listed once, as an amount; the grammar still lets it be a rate.
    for (const at of spans) if (!l.anyAmountStarts.has(at.start)) out.push({ kind: "rate", value: JSON.stringify(thousandths / 1000), at });
  }
  for (const [date, spans] of c.dates) for (const at of spans) out.push({ kind: "date", value: date, at });
  for (const [digits, spans] of c.last4) {
    for (const at of spans) {
      if (!l.dates.some((d) => at.start < d.end && d.start < at.end)) out.push({ kind: "last4", value: digits, at });
    }
  }
  return out;
}

/**
 * The label a value sits next to: the rest of its line before it, without the digits of the
 * same number (a last-4's leading digits) and layout filler; for a value alone on its line,
 * the line above (labels stacked over values).
 */
function labelBefore(text: string, c: Listed): string {
  const lineStart = text.lastIndexOf("\n", c.at.start - 1) + 1;
  let label = clean(text.slice(lineStart, c.at.start), c.kind);
  if (label === "" && lineStart > 0) {
    const previousStart = text.lastIndexOf("\n", lineStart - 2) + 1;
    label = clean(text.slice(previousStart, lineStart - 1), c.kind);
  }
  return label === "" ? "-" : label;
}

function clean(prefix: string, kind: Listed["kind"]): string {
  let s = prefix;
  if (kind === "last4") s = s.replace(/[\d\s*xX#•.-]+$/u, "");
  s = s
    .replace(/[\s$:=|.…_-]+$/u, "")
    .replace(/\s+/g, " ")
    .trim();
  return s.length > MAX_CONTEXT_CHARS ? s.slice(s.length - MAX_CONTEXT_CHARS).replace(/^\S*\s/, "") : s;
}
