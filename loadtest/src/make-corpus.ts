// Writes the load-test corpus: labelled documents from the corpus generator (services/corpus),
// mixed across its splits so that every layout family is in the traffic.
//   node loadtest/src/make-corpus.ts [count=2000] [seed=11]
// Output: .cache/loadtest/corpus.jsonl (ignored), which the driver and FakeInferenceSidecar use by default.
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, relative } from "node:path";
import { z } from "zod";
import { GENERATED_CORPUS, REPO_ROOT } from "./paths.ts";

interface GeneratedDoc {
  id: string;
  kind: string;
  text: string;
  expected: unknown;
}
type GenerateSplit = (seed: number, split: "train" | "validation" | "test", count: number) => Iterable<GeneratedDoc>;

const args = z.tuple([z.coerce.number().int().positive().default(2000), z.coerce.number().int().default(11)]).parse([process.argv[2], process.argv[3]]);
const [count, seed] = args;

// Loaded at run time: the generator is another workspace's package, and the rest of the load
// test (which can run on shared/spec/examples.jsonl) must not depend on it being present.
// The specifier is a variable so that type-checking does not require the package's entry point.
const CORPUS_PACKAGE = "@liability/corpus";
const corpus = (await import(CORPUS_PACKAGE).catch(() => ({}))) as { generateSplit?: GenerateSplit };
if (typeof corpus.generateSplit !== "function") {
  console.error("@liability/corpus does not export generateSplit; the load test falls back to shared/spec/examples.jsonl");
  process.exit(1);
}
const lines: string[] = [];
const shares = { train: 0.8, validation: 0.1, test: 0.1 } as const;
for (const split of ["train", "validation", "test"] as const) {
  for (const doc of corpus.generateSplit(seed, split, Math.max(1, Math.round(count * shares[split])))) {
    // Only the spec's fields: the generator's meta is not needed by the load test.
    lines.push(JSON.stringify({ id: `lt-corpus-${doc.id}`, kind: doc.kind, text: doc.text, expected: doc.expected }));
  }
}
mkdirSync(dirname(GENERATED_CORPUS), { recursive: true });
writeFileSync(GENERATED_CORPUS, `${lines.join("\n")}\n`);
console.log(`wrote ${lines.length} labelled documents to ${relative(REPO_ROOT, GENERATED_CORPUS)}`);
