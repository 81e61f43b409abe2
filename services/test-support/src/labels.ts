import { readFileSync } from "node:fs";
import { z } from "zod";
import { liabilityRecordSchema, type LiabilityRecord } from "@liability/domain";

/** A text the test double knows the record of: what a perfect model answers for it. */
export interface LabelledText {
  /** The id it was labelled under; optional, because the text finds the label too. */
  id?: string;
  text: string;
  expected: LiabilityRecord;
}

// The spec's labelled JSONL (the corpus generator's output, shared/spec/examples.jsonl) has more
// keys; only these matter here, so a label file can also be written with nothing else.
const labelLineSchema = z.object({
  id: z.string().min(1).optional(),
  text: z.string(),
  expected: liabilityRecordSchema.optional(),
});

/**
 * Reads labelled JSONL. Unlabelled lines are skipped: the double can answer only what it knows.
 * Errors name the line, never echo its text.
 */
export function loadLabels(path: string): LabelledText[] {
  const labels: LabelledText[] = [];
  const lines = readFileSync(path, "utf8").split("\n");
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line === "") continue;
    let parsed: z.infer<typeof labelLineSchema>;
    try {
      parsed = labelLineSchema.parse(JSON.parse(line));
    } catch (error) {
      throw new Error(`${path}:${i + 1}: not a labelled document (${error instanceof Error ? error.name : "error"})`);
    }
    if (parsed.expected) labels.push({ id: parsed.id, text: parsed.text, expected: parsed.expected });
  }
  return labels;
}
