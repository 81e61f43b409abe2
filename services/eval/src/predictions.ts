import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, extname } from "node:path";
import type { EvalDocument } from "./dataset.ts";
import type { DocResult } from "./result.ts";

/**
 * One JSON line per document, in dataset order: {"id", "record"} (record null when the target
 * gave none), plus the validation outcome and the lowest per-field confidence, so that anyone can score a run with their own scorer
 * and see what routing decided. Never more than the record: no document text.
 */
export function predictionLines(docs: readonly EvalDocument[], results: ReadonlyMap<string, DocResult>): string {
  return docs
    .map((doc) => {
      const r = results.get(doc.id);
      return JSON.stringify({
        id: doc.id,
        record: r?.output ?? null,
        status: r?.status ?? null,
        reasons: r?.reasons ?? [],
        confidence: r?.confidence ?? null,
        error: r ? r.error : "no result",
      });
    })
    .join("\n")
    .concat(docs.length > 0 ? "\n" : "");
}

/** With one target the file is `path`; with several, each target's name goes before the extension. */
export function predictionsPath(path: string, target: string, targets: number): string {
  if (targets === 1) return path;
  const ext = extname(path);
  return `${path.slice(0, path.length - ext.length)}.${target}${ext || ".jsonl"}`;
}

export function writePredictions(path: string, docs: readonly EvalDocument[], results: ReadonlyMap<string, DocResult>): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, predictionLines(docs, results));
}
