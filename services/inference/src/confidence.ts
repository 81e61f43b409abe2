import { RECORD_FIELDS, type RecordField } from "@liability/domain";

/** Character range of one field's value in the raw output, plus the delimiter after it. */
interface ValueSpan {
  field: RecordField;
  start: number;
  /** Index of the "," or "}" that ends the value (inclusive). */
  end: number;
}

/**
 * Locates each value in canonical record JSON (keys in spec order, compact). A key pattern
 * `,"name":` cannot occur inside a string value, where every `"` is escaped.
 */
export function valueSpans(raw: string): ValueSpan[] | undefined {
  const spans: ValueSpan[] = [];
  let cursor = 0;
  for (let i = 0; i < RECORD_FIELDS.length; i++) {
    const field = RECORD_FIELDS[i]!;
    const key = `${i === 0 ? "{" : ","}"${field}":`;
    const at = raw.indexOf(key, cursor);
    if (at < 0 || (i === 0 && at !== 0)) return undefined;
    if (i > 0) spans[i - 1]!.end = at;
    spans.push({ field, start: at + key.length, end: -1 });
    cursor = at + key.length;
  }
  const last = spans[spans.length - 1]!;
  if (!raw.endsWith("}")) return undefined;
  last.end = raw.length - 1;
  return spans;
}

/**
 * Per-field confidence: the product of the probabilities of the tokens that produced the
 * field's value, i.e. the probability the model gave to that exact value on the greedy path.
 *
 * `tokenEnds[i]` is the character offset where token i's text ends in the raw output and
 * `probabilities[i]` is the probability llama.cpp reported for token i after the grammar had
 * masked the tokens it does not allow (so the probabilities of allowed tokens sum to 1, and
 * text that the grammar forces, like the keys, has probability 1). A token belongs to a field
 * when its text overlaps the value or the delimiter right after it: for a number, choosing
 * "," over another digit is part of choosing the value.
 */
export function fieldConfidence(
  raw: string,
  tokenEnds: readonly number[],
  probabilities: readonly number[],
): Partial<Record<RecordField, number>> | undefined {
  const spans = valueSpans(raw);
  if (spans === undefined || tokenEnds.length !== probabilities.length) return undefined;
  const result: Partial<Record<RecordField, number>> = {};
  for (const span of spans) result[span.field] = 1;
  let spanIndex = 0;
  let tokenStart = 0;
  for (let t = 0; t < tokenEnds.length; t++) {
    const tokenEnd = tokenEnds[t]!;
    // Spans are ordered; skip those that end before this token starts.
    while (spanIndex < spans.length && spans[spanIndex]!.end < tokenStart) spanIndex++;
    for (let s = spanIndex; s < spans.length && spans[s]!.start < tokenEnd; s++) {
      const span = spans[s]!;
      if (tokenStart <= span.end && tokenEnd > span.start) {
        result[span.field] = result[span.field]! * probabilities[t]!;
      }
    }
    tokenStart = tokenEnd;
  }
  return result;
}
