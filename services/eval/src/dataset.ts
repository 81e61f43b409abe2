import { readFile } from "node:fs/promises";
import { labelledDocumentSchema, liabilityRecordSchema } from "@liability/domain";
import type { DocumentKind, LiabilityRecord } from "@liability/domain";

/** One labelled document to evaluate. `family` and `receivedAt` come from the corpus's `meta` when present. */
export interface EvalDocument {
  id: string;
  kind: DocumentKind;
  text: string;
  expected: LiabilityRecord;
  /** Layout family (generator output only), for the per-family breakdown. */
  family: string | null;
  /** When the document was received; validation judges dates relative to it. */
  receivedAt: Date | null;
}

export class DatasetError extends Error {}

/**
 * Parses labelled JSON Lines in the spec format. Any file in that format works (the
 * generator's or one written by hand); a line without `expected` cannot be scored and is
 * an error, as is a duplicate id.
 */
export function parseDataset(jsonl: string, source = "dataset"): EvalDocument[] {
  const docs: EvalDocument[] = [];
  const seen = new Set<string>();
  const lines = jsonl.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line === "") continue;
    let raw: unknown;
    try {
      raw = JSON.parse(line);
    } catch (error) {
      throw new DatasetError(`${source}:${i + 1}: not JSON (${(error as Error).message})`);
    }
    const parsed = labelledDocumentSchema.safeParse(raw);
    if (!parsed.success) {
      throw new DatasetError(`${source}:${i + 1}: ${parsed.error.issues.map((x) => `${x.path.join(".")}: ${x.message}`).join("; ")}`);
    }
    const expected = liabilityRecordSchema.safeParse((raw as { expected?: unknown }).expected);
    if (!expected.success) throw new DatasetError(`${source}:${i + 1}: no valid "expected" record to score against`);
    if (seen.has(parsed.data.id)) throw new DatasetError(`${source}:${i + 1}: duplicate id ${parsed.data.id}`);
    seen.add(parsed.data.id);
    const meta = (raw as { meta?: { family?: unknown; received_at?: unknown } }).meta;
    const received = typeof meta?.received_at === "string" ? new Date(`${meta.received_at}T12:00:00Z`) : null;
    docs.push({
      id: parsed.data.id,
      kind: parsed.data.kind,
      text: parsed.data.text,
      expected: expected.data,
      family: typeof meta?.family === "string" ? meta.family : null,
      receivedAt: received && !Number.isNaN(received.getTime()) ? received : null,
    });
  }
  return docs;
}

export async function loadDataset(path: string): Promise<EvalDocument[]> {
  return parseDataset(await readFile(path, "utf8"), path);
}
