import { mkdirSync, writeFileSync, createWriteStream } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { z } from "zod";
import { familyTable, generateSplit, splitCounts } from "./generate.ts";
import { SPLITS } from "./families/index.ts";
import { StatsCollector } from "./stats.ts";
import type { CorpusStats } from "./stats.ts";
import { validateLabel } from "./validate.ts";

/*
 * corpus: writes train.jsonl, validation.jsonl and test.jsonl (spec format plus a
 * `meta` object) and manifest.json with the family split and statistics.
 *
 *   node services/corpus/src/cli.ts --seed 1 --count 3000 --out .cache/corpus/
 */

const argsSchema = z.object({
  seed: z.coerce.number().int().nonnegative(),
  count: z.coerce.number().int().positive(),
  out: z.string().min(1),
  "injection-rate": z.coerce.number().min(0).max(1).optional(),
  validate: z.boolean().optional(),
});

const USAGE = "usage: cli.ts --seed N --count N --out DIR [--injection-rate 0.07] [--no-validate]";

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      seed: { type: "string", default: "1" },
      count: { type: "string", default: "3000" },
      out: { type: "string", default: ".cache/corpus" },
      "injection-rate": { type: "string" },
      "no-validate": { type: "boolean", default: false },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return;
  }
  const parsed = argsSchema.safeParse({ ...values, validate: !values["no-validate"] });
  if (!parsed.success) {
    console.error(`${USAGE}\n${parsed.error.issues.map((i) => `--${i.path.join(".")}: ${i.message}`).join("\n")}`);
    process.exitCode = 2;
    return;
  }
  const args = parsed.data;
  mkdirSync(args.out, { recursive: true });
  const counts = splitCounts(args.count);
  const stats: Record<string, CorpusStats> = {};
  let invalid = 0;
  for (const split of SPLITS) {
    const collector = new StatsCollector();
    const path = join(args.out, `${split}.jsonl`);
    const stream = createWriteStream(path);
    for (const doc of generateSplit(args.seed, split, counts[split], { injectionRate: args["injection-rate"] })) {
      if (args.validate) {
        const issues = validateLabel(doc.text, doc.expected);
        if (issues.length > 0) {
          invalid++;
          console.error(`${doc.id} (${doc.meta.family}): ${issues.map((i) => `${i.field} ${i.problem}`).join(", ")}`);
        }
      }
      collector.add(doc);
      if (!stream.write(`${JSON.stringify(doc)}\n`)) await new Promise<void>((r) => stream.once("drain", () => r()));
    }
    await new Promise<void>((resolve, reject) => stream.end((err?: Error | null) => (err ? reject(err) : resolve())));
    stats[split] = collector.result();
    const s = stats[split]!;
    console.log(
      `${split.padEnd(10)} ${String(s.documents).padStart(6)} docs -> ${path}  (statements ${s.byKind.statement ?? 0}, transcripts ${s.byKind.call_transcript ?? 0}; median ${s.textChars.p50} chars)`,
    );
  }
  const manifest = {
    generator: "@liability/corpus",
    seed: args.seed,
    count: args.count,
    splits: counts,
    families: familyTable(),
    stats,
    labelIssues: invalid,
  };
  writeFileSync(join(args.out, "manifest.json"), `${JSON.stringify(manifest, null, 2)}\n`);
  console.log(`manifest -> ${join(args.out, "manifest.json")}`);
  if (invalid > 0) {
    console.error(`${invalid} documents have labels the validator could not support`);
    process.exitCode = 1;
  }
}

await main();
