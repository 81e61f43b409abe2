import { readFileSync } from "node:fs";
import { labelledDocumentSchema, type LabelledDocument, type LiabilityRecord } from "@liability/domain";

/** A labelled document as the load test uses it: the text to publish and the record a perfect model returns. */
export interface LoadDocument {
  id: string;
  kind: "statement" | "call_transcript";
  text: string;
  /** UTF-8 bytes of the text, encoded once so that publishing does not re-encode per message. */
  bytes: Uint8Array;
  expected: LiabilityRecord;
}

/**
 * Reads labelled JSONL in the spec's format (the corpus generator's output or shared/spec/examples.jsonl).
 * Unlabelled lines are skipped: the sidecar test double can answer only for documents whose labels it knows.
 * Errors name the line, never echo its text.
 */
export function loadLabelledJsonl(path: string): LoadDocument[] {
  const out: LoadDocument[] = [];
  const lines = readFileSync(path, "utf8").split("\n");
  const encoder = new TextEncoder();
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line === "") continue;
    let parsed: LabelledDocument;
    try {
      parsed = labelledDocumentSchema.parse(JSON.parse(line));
    } catch (err) {
      throw new Error(`${path}:${i + 1}: not a labelled document (${err instanceof Error ? err.name : "error"})`);
    }
    if (!parsed.expected) continue;
    out.push({ id: parsed.id, kind: parsed.kind, text: parsed.text, bytes: encoder.encode(parsed.text), expected: parsed.expected });
  }
  if (out.length === 0) throw new Error(`${path}: no labelled documents`);
  return out;
}
