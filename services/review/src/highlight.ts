import type { RecordField, Span } from "@liability/domain";
import { Html, html } from "./html.ts";
import type { FieldCitations } from "./review-rules.ts";

/** A stretch of the text and the fields whose citation covers it (none: plain text). */
export interface TextSegment {
  readonly text: string;
  readonly fields: readonly RecordField[];
}

/**
 * Cuts the text at every citation boundary, so that overlapping citations of several fields
 * (a balance that is also the payoff) mark one stretch with both. Spans outside the text are ignored.
 */
export function segmentText(text: string, citations: FieldCitations): TextSegment[] {
  const spans: { field: RecordField; span: Span }[] = [];
  for (const [field, list] of Object.entries(citations) as [RecordField, readonly Span[]][]) {
    for (const span of list) if (span.start >= 0 && span.end <= text.length && span.start < span.end) spans.push({ field, span });
  }
  const cuts = [...new Set([0, text.length, ...spans.flatMap((s) => [s.span.start, s.span.end])])].sort((a, b) => a - b);
  const segments: TextSegment[] = [];
  for (let i = 0; i + 1 < cuts.length; i++) {
    const start = cuts[i]!;
    const end = cuts[i + 1]!;
    const fields = [...new Set(spans.filter((s) => s.span.start <= start && s.span.end >= end).map((s) => s.field))].sort();
    segments.push({ text: text.slice(start, end), fields });
  }
  return segments;
}

/** The text as HTML, each cited stretch in a <mark> naming its fields (the page highlights a field's marks). */
export function highlightedText(text: string, citations: FieldCitations): Html {
  return new Html(
    segmentText(text, citations)
      .map((s) => (s.fields.length === 0 ? html`${s.text}` : html`<mark class="cite" data-fields="${s.fields.join(" ")}">${s.text}</mark>`).value)
      .join(""),
  );
}
