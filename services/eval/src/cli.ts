import { mkdirSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { parseArgs } from "node:util";
import { DEFAULT_VALIDATION_POLICY } from "@liability/domain";
import { ConfigError, loadConfig } from "@liability/platform";
import { cliSchema, kafkaConfigSchema, parseTargetSpec, pipelineEnvSchema, UsageError } from "./args.ts";
import type { CliOptions, TargetSpec } from "./args.ts";
import { DatasetError, loadDataset } from "./dataset.ts";
import type { EvalDocument } from "./dataset.ts";
import { buildReport } from "./metrics.ts";
import type { TargetReport } from "./metrics.ts";
import { predictionsPath, writePredictions } from "./predictions.ts";
import { Progress } from "./progress.ts";
import { renderMarkdown, renderTerminal } from "./report.ts";
import type { DocResult, RunInfo } from "./result.ts";
import { PipelineTarget } from "./targets/pipeline.ts";
import { SidecarTarget } from "./targets/sidecar.ts";
import type { Target } from "./targets/target.ts";

const USAGE = `usage: node services/eval/src/cli.ts --data FILE.jsonl --target NAME=ADDRESS [--target ...] [options]

  --target NAME=ADDRESS[,price=USD][,unit=gpu-hour|cpu-hour]
        ADDRESS is a sidecar (unix:///tmp/lre-inference/inference.sock or host:port), or "pipeline" for the
        whole system (Kafka in, PostgreSQL out; configured by the worker's environment variables)
  --concurrency N        Extract calls in flight per sidecar (default 4)
  --limit N              evaluate only the first N documents
  --price-per-hour USD   machine price for the cost column (default 0: not shown)
  --price-unit U         gpu-hour or cpu-hour (default cpu-hour)
  --no-validate          sidecar mode: do not apply the worker's validation to the answers
  --worst N              worst documents listed per target (default 10)
  --json PATH            JSON report (default .cache/eval/report-<time>.json; "-" for stdout)
  --markdown PATH        also write the table as Markdown
  --predictions PATH     also write one JSON line per document: {"id", "record", "status", "reasons", "confidence", "error"}
                         (record null where there is none); with several targets, PATH.NAME.jsonl each
  --deadline-ms N        per-call deadline (default 120000)
  --ready-timeout-ms N   wait this long for a sidecar to report SERVING (default 300000)
  --timeout-s N          pipeline mode: give up on documents without a record after N s (default 900)
  --tenant ID            pipeline mode: tenant id on published events (default eval)
  --no-progress          no progress bar`;

function parseCli(argv: string[]): CliOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      data: { type: "string" },
      target: { type: "string", multiple: true },
      concurrency: { type: "string", default: "4" },
      limit: { type: "string" },
      "deadline-ms": { type: "string", default: "120000" },
      "ready-timeout-ms": { type: "string", default: "300000" },
      "price-per-hour": { type: "string", default: "0" },
      "price-unit": { type: "string", default: "cpu-hour" },
      "no-validate": { type: "boolean", default: false },
      worst: { type: "string", default: "10" },
      json: { type: "string" },
      markdown: { type: "string" },
      predictions: { type: "string" },
      "no-progress": { type: "boolean", default: false },
      "timeout-s": { type: "string", default: "900" },
      tenant: { type: "string", default: "eval" },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const parsed = cliSchema.safeParse({
    ...values,
    targets: values.target ?? [],
    validate: !values["no-validate"],
    progress: !values["no-progress"],
  });
  if (!parsed.success) throw new UsageError(parsed.error.issues.map((i) => `${i.path.join(".") || "args"}: ${i.message}`).join("\n"));
  return parsed.data;
}

function makeTarget(spec: TargetSpec, o: CliOptions): Target {
  if (spec.pipeline) {
    const env = loadConfig(pipelineEnvSchema, process.env);
    const kafka = loadConfig(kafkaConfigSchema, process.env);
    return new PipelineTarget({
      name: spec.name,
      kafka,
      postgres: env,
      documentsTopic: env.KAFKA_TOPIC_DOCUMENTS,
      schema: env.DATABASE_SCHEMA,
      tenantId: o.tenant,
      timeoutMs: o["timeout-s"] * 1000,
      pollMs: env.EVAL_POLL_MS,
    });
  }
  return new SidecarTarget({
    name: spec.name,
    address: spec.address,
    deadlineMs: o["deadline-ms"],
    validation: o.validate ? DEFAULT_VALIDATION_POLICY : null,
    readyTimeoutMs: o["ready-timeout-ms"],
  });
}

async function evaluate(
  target: Target,
  spec: TargetSpec,
  docs: readonly EvalDocument[],
  o: CliOptions,
  signal: AbortSignal,
): Promise<{ report: TargetReport; results: ReadonlyMap<string, DocResult> }> {
  const results = new Map<string, DocResult>();
  const progress = new Progress(target.name, docs.length, o.progress);
  let run: RunInfo;
  try {
    run = await target.run(docs, {
      concurrency: o.concurrency,
      signal,
      onResult: (r) => {
        results.set(r.id, r);
        progress.tick(r.error === null);
      },
    });
  } catch (error) {
    // A target that cannot be reached is reported (all documents failed) rather than ending the
    // run, so the other targets' columns still come out.
    run = { wallSeconds: 0, concurrency: o.concurrency, note: `run failed: ${(error as Error).message}` };
    console.error(`eval: ${target.name}: ${(error as Error).message}`);
  } finally {
    progress.finish();
    await target.close();
  }
  const report = buildReport({
    name: target.name,
    mode: target.mode,
    address: target.address,
    docs,
    results,
    run,
    cost: { pricePerHour: spec.pricePerHour ?? o["price-per-hour"], unit: spec.unit ?? o["price-unit"] },
    worst: o.worst,
  });
  return { report, results };
}

async function main(): Promise<number> {
  let o: CliOptions;
  let specs: TargetSpec[];
  try {
    o = parseCli(process.argv.slice(2));
    specs = o.targets.map(parseTargetSpec);
    if (new Set(specs.map((s) => s.name)).size !== specs.length) throw new UsageError("target names must be unique");
  } catch (error) {
    if (error instanceof UsageError) {
      console.error(`${error.message}\n\n${USAGE}`);
      return 2;
    }
    throw error;
  }
  let docs: EvalDocument[];
  try {
    docs = await loadDataset(o.data);
  } catch (error) {
    if (error instanceof DatasetError || (error as NodeJS.ErrnoException).code === "ENOENT") {
      console.error(`eval: ${(error as Error).message}`);
      return 2;
    }
    throw error;
  }
  if (o.limit) docs = docs.slice(0, o.limit);

  // Ctrl-C stops sending new work; what finished is still reported.
  const abort = new AbortController();
  process.once("SIGINT", () => abort.abort());

  const reports: TargetReport[] = [];
  // Targets run one after another so that they do not compete for the same machine.
  for (const spec of specs) {
    let target: Target;
    try {
      target = makeTarget(spec, o);
    } catch (error) {
      if (error instanceof ConfigError) {
        console.error(`eval: ${spec.name}: ${error.message}`);
        return 2;
      }
      throw error;
    }
    console.error(`eval: ${docs.length} documents from ${o.data} → ${spec.name} (${target.address})`);
    const { report, results } = await evaluate(target, spec, docs, o, abort.signal);
    reports.push(report);
    if (o.predictions) {
      const path = predictionsPath(o.predictions, spec.name, specs.length);
      writePredictions(path, docs, results);
      console.error(`eval: predictions → ${path}`);
    }
  }

  console.log(renderTerminal(reports, o.worst));
  const json = {
    generatedAt: new Date().toISOString(),
    dataset: { path: o.data, documents: docs.length },
    options: { concurrency: o.concurrency, validate: o.validate, deadlineMs: o["deadline-ms"] },
    targets: reports,
  };
  const jsonText = `${JSON.stringify(json, null, 2)}\n`;
  if (o.json === "-") process.stdout.write(jsonText);
  else {
    const path = o.json ?? `.cache/eval/report-${json.generatedAt.replace(/[:.]/g, "-")}.json`;
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, jsonText);
    console.error(`eval: JSON report → ${path}`);
  }
  if (o.markdown) {
    mkdirSync(dirname(o.markdown), { recursive: true });
    writeFileSync(o.markdown, `${renderMarkdown(reports)}\n`);
    console.error(`eval: Markdown table → ${o.markdown}`);
  }
  return reports.some((r) => r.failed === r.documents && r.documents > 0) ? 1 : 0;
}

process.exitCode = await main();
