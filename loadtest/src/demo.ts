// End-to-end demo against the local stack (infra/local/up.sh must have run):
//
//   node loadtest/src/demo.ts [--documents 6] [--seed 42] [--sidecar spawn|external]
//
// Starts the inference sidecar (services/inference) and the worker (services/worker) as their
// own processes, publishes a sample of generated, labelled documents plus a few malformed
// messages to the documents topic, waits until every one is accounted for (a record, accepted
// or for review, or a dead letter), prints a summary and where to look, then stops both.
// With --sidecar external, a sidecar already listening at INFERENCE_ADDRESS is used.
import { spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { createWriteStream, mkdirSync } from "node:fs";
import { parseArgs } from "node:util";
import { fromBinary } from "@bufbuild/protobuf";
import { Kafka, logLevel, Partitioners } from "kafkajs";
import type { KafkaConfig } from "kafkajs";
import pg from "pg";
import { z } from "zod";
import { DeadLetterReason, DeadLetterSchema, encodeDocumentReceived } from "@liability/contracts";
import { generateDocument } from "@liability/corpus";
import type { GeneratedDocument } from "@liability/corpus";
import { scoreRecord } from "@liability/domain";
import type { DocumentKind, LiabilityRecord } from "@liability/domain";
import { createLogger, kafkaConnectionOptions } from "@liability/platform";
import { InferenceClient, loadWorkerConfig } from "@liability/worker";
import type { WorkerConfig } from "@liability/worker";
import { REPO_ROOT } from "./paths.ts";

const REPO = `${REPO_ROOT}/`;
const NODE = process.execPath;

const args = z
  .object({
    documents: z.coerce.number().int().min(1).max(500),
    seed: z.coerce.number().int().min(0),
    sidecar: z.enum(["spawn", "external"]),
    timeout: z.coerce.number().int().positive(),
  })
  .parse(
    parseArgs({
      options: {
        documents: { type: "string", default: "6" },
        seed: { type: "string", default: "42" },
        sidecar: { type: "string", default: "spawn" },
        timeout: { type: "string", default: "1200" },
      },
    }).values,
  );

const runId = `demo-${Date.now().toString(36)}-${randomBytes(2).toString("hex")}`;
const outDir = `${REPO}.cache/demo/${runId}`;
mkdirSync(outDir, { recursive: true });
const say = (line: string) => process.stdout.write(`[demo] ${line}\n`);

const socket = `unix:/tmp/lre-${runId}.sock`;
const env: Record<string, string | undefined> = {
  ...process.env,
  ...(args.sidecar === "spawn" ? { INFERENCE_ADDRESS: socket } : {}),
  // A small CPU model takes seconds per document; give each call room.
  INFERENCE_DEADLINE_MS: process.env.INFERENCE_DEADLINE_MS ?? "120000",
};
const config: WorkerConfig = loadWorkerConfig(env);
const children: { name: string; child: ChildProcess }[] = [];

function start(name: string, script: string, extraEnv: Record<string, string>): ChildProcess {
  const log = createWriteStream(`${outDir}/${name}.log`);
  const child = spawn(NODE, [script], { env: { ...env, ...extraEnv }, stdio: ["ignore", "pipe", "pipe"] });
  child.stdout!.pipe(log);
  child.stderr!.pipe(log);
  children.push({ name, child });
  child.once("exit", (code, signal) => {
    if (!stopping) say(`${name} exited unexpectedly (code ${code}, signal ${signal}); see ${outDir}/${name}.log`);
  });
  return child;
}

let stopping = false;
async function stopAll(): Promise<void> {
  stopping = true;
  // The worker first, so that it finishes its batch while the sidecar still answers.
  for (const { child } of [...children].reverse()) {
    if (child.exitCode !== null || child.signalCode !== null) continue;
    const exited = new Promise((r) => child.once("exit", r));
    child.kill("SIGTERM");
    await Promise.race([exited, new Promise((r) => setTimeout(r, 40_000))]);
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  }
}
process.on("SIGINT", () => void stopAll().then(() => process.exit(130)));

async function waitForSidecar(): Promise<void> {
  const client = new InferenceClient(
    {
      address: config.INFERENCE_ADDRESS,
      deadlineMs: 5_000,
      concurrency: 1,
      maxAttempts: 1,
      retryInitialMs: 100,
      retryMaxMs: 100,
      breakerThreshold: 1_000,
      breakerHalfOpenMs: 100,
      batchDocuments: 1,
    },
    createLogger({ service: "demo", level: "silent" }),
  );
  const started = Date.now();
  try {
    for (;;) {
      if (await client.probe()) return;
      const sidecar = children.find((c) => c.name === "sidecar")?.child;
      if (sidecar && sidecar.exitCode !== null) throw new Error(`the sidecar exited; see ${outDir}/sidecar.log`);
      if (Date.now() - started > 300_000) throw new Error("the sidecar did not become ready in 5 minutes");
      await new Promise((r) => setTimeout(r, 2_000));
    }
  } finally {
    client.close();
  }
}

function event(doc: { id: string; kind: DocumentKind; text: Uint8Array; receivedAt: string }): Buffer {
  return encodeDocumentReceived({
    documentId: doc.id,
    tenantId: "tenant-demo",
    kind: doc.kind,
    sourceSystem: "demo",
    receivedAtMs: Date.parse(`${doc.receivedAt}T12:00:00Z`),
    text: doc.text,
  }).value;
}

function traceparent(): string {
  return `00-${randomBytes(16).toString("hex")}-${randomBytes(8).toString("hex")}-01`;
}

async function main(): Promise<void> {
  say(`run ${runId}; logs in ${outDir}`);
  if (args.sidecar === "spawn") {
    say("starting the inference sidecar (loading and warming up the model takes a while on a CPU)");
    start("sidecar", `${REPO}services/inference/src/main.ts`, { INFERENCE_LISTEN_ADDRESS: socket, LOG_LEVEL: "info" });
  }
  await waitForSidecar();
  say(`sidecar ready at ${config.INFERENCE_ADDRESS}`);
  start("worker", `${REPO}services/worker/src/main.ts`, { LOG_LEVEL: "info" });

  const labelled: GeneratedDocument[] = Array.from({ length: args.documents }, (_, i) => generateDocument(args.seed, "test", i));
  const docs = labelled.map((d, i) => ({ ...d, id: `${runId}-${String(i).padStart(3, "0")}` }));
  const utf8 = (s: string) => new TextEncoder().encode(s);
  const poison = [
    { key: `${runId}-bad-bytes`, value: Buffer.from([0xff, 0xff, 0xff, 0x0f]) },
    { key: `${runId}-empty`, value: event({ id: `${runId}-empty`, kind: "statement", text: utf8("   "), receivedAt: "2026-01-01" }) },
    { key: `${runId}-latin1`, value: event({ id: `${runId}-latin1`, kind: "statement", text: Uint8Array.from([0x42, 0xe9, 0x28]), receivedAt: "2026-01-01" }) },
  ];

  const kafka = new Kafka({ ...(kafkaConnectionOptions(config) as KafkaConfig), clientId: runId, logLevel: logLevel.ERROR });
  const admin = kafka.admin();
  await admin.connect();
  const dlqStart = await admin.fetchTopicOffsets(config.KAFKA_TOPIC_DLQ);
  await admin.disconnect();

  const deadLetters = new Map<string, string>();
  const dlqReader = kafka.consumer({ groupId: `${runId}-dlq-reader` });
  await dlqReader.connect();
  await dlqReader.subscribe({ topics: [config.KAFKA_TOPIC_DLQ], fromBeginning: false });
  await dlqReader.run({
    eachMessage: async ({ message }) => {
      const key = message.key?.toString() ?? "";
      if (!key.startsWith(runId) || !message.value) return;
      deadLetters.set(key, DeadLetterReason[fromBinary(DeadLetterSchema, message.value).reason] ?? "UNSPECIFIED");
    },
  });
  for (const p of dlqStart) dlqReader.seek({ topic: config.KAFKA_TOPIC_DLQ, partition: p.partition, offset: p.offset });

  const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  await producer.send({
    topic: config.KAFKA_TOPIC_DOCUMENTS,
    acks: -1,
    messages: [
      ...docs.map((d) => ({
        key: d.id,
        value: event({ id: d.id, kind: d.kind, text: utf8(d.text), receivedAt: d.meta.received_at }),
        headers: { "content-type": "application/x-protobuf", traceparent: traceparent() },
      })),
      ...poison.map((p) => ({ key: p.key, value: p.value, headers: { "content-type": "application/x-protobuf" } })),
    ],
  });
  await producer.disconnect();
  say(`published ${docs.length} documents and ${poison.length} malformed messages to ${config.KAFKA_TOPIC_DOCUMENTS}`);

  const db = new pg.Pool({ connectionString: config.DATABASE_URL, options: `-c search_path=${config.DATABASE_SCHEMA}`, max: 2 });
  const started = Date.now();
  let rows: (LiabilityRecord & { document_id: string; status: string; reasons: { code: string }[] | null })[] = [];
  let lastLine = "";
  for (;;) {
    rows = (
      await db.query(
        `SELECT r.document_id, r.status, r.liability_type, r.lender_name, r.account_last4,
                r.current_balance::float8, r.payoff_amount::float8, to_char(r.payoff_good_through, 'YYYY-MM-DD') AS payoff_good_through,
                r.escrow_balance::float8, r.interest_rate::float8, r.monthly_payment::float8,
                to_char(r.next_due_date, 'YYYY-MM-DD') AS next_due_date, to_char(r.as_of_date, 'YYYY-MM-DD') AS as_of_date,
                q.reasons
           FROM liability_records r LEFT JOIN review_queue q USING (document_id)
          WHERE r.document_id LIKE $1`,
        [`${runId}-%`],
      )
    ).rows;
    const line = `records ${rows.length}/${docs.length}, dead letters ${deadLetters.size}/${poison.length}`;
    if (line !== lastLine) say(line);
    lastLine = line;
    if (rows.length >= docs.length && deadLetters.size >= poison.length) break;
    if (Date.now() - started > args.timeout * 1000) {
      say(`gave up after ${args.timeout} s; what is missing is still in Kafka and will be processed by the next worker`);
      break;
    }
    if (children.some((c) => c.child.exitCode !== null)) break;
    await new Promise((r) => setTimeout(r, 2_000));
  }
  const seconds = ((Date.now() - started) / 1000).toFixed(0);
  await dlqReader.disconnect();
  await db.end();
  await stopAll();

  const accepted = rows.filter((r) => r.status === "accepted");
  const review = rows.filter((r) => r.status === "review");
  const reasonCounts = new Map<string, number>();
  for (const r of review) for (const reason of r.reasons ?? []) reasonCounts.set(reason.code, (reasonCounts.get(reason.code) ?? 0) + 1);
  const dlqCounts = new Map<string, number>();
  for (const reason of deadLetters.values()) dlqCounts.set(reason, (dlqCounts.get(reason) ?? 0) + 1);
  const label = new Map(docs.map((d) => [d.id, d.expected]));
  const acceptedCorrect = accepted.filter((r) => scoreRecord(label.get(r.document_id)!, r).correct).length;
  const list = (m: Map<string, number>) => {
    const sorted = [...m].sort((a, b) => b[1] - a[1]);
    const shown = sorted
      .slice(0, 5)
      .map(([k, n]) => `${k} ×${n}`)
      .join(", ");
    return sorted.length === 0 ? "none" : sorted.length > 5 ? `${shown}, … (${sorted.length - 5} more)` : shown;
  };

  // No password in what is printed: psql asks for it.
  const url = new URL(config.DATABASE_URL);
  url.password = "";
  process.stdout.write(`
Summary of ${runId} (${seconds} s after publishing)
  documents published   ${docs.length} (+ ${poison.length} malformed messages)
  accepted              ${accepted.length}  (${acceptedCorrect} of them match their labels exactly)
  sent to review        ${review.length}  reasons: ${list(reasonCounts)}
  dead-lettered         ${deadLetters.size}  reasons: ${list(dlqCounts)}
  not yet processed     ${docs.length - rows.length + poison.length - deadLetters.size}

Where to look
  records       psql "${url}" -c "SELECT document_id, status, lender_name, current_balance, citations FROM liability_records WHERE document_id LIKE '${runId}-%'"
  review queue  psql "${url}" -c "SELECT document_id, reasons FROM review_queue WHERE document_id LIKE '${runId}-%'"
  events        Kafka topic ${config.KAFKA_TOPIC_LIABILITY_RECORDED} (LiabilityRecorded, key = document id, traceparent header)
  dead letters  Kafka topic ${config.KAFKA_TOPIC_DLQ} (DeadLetter with the original bytes and headers)
  logs          ${outDir}/worker.log${args.sidecar === "spawn" ? `, ${outDir}/sidecar.log` : ""}
`);
}

main().catch(async (error: unknown) => {
  say(`failed: ${(error as Error).message}`);
  await stopAll();
  process.exit(1);
});
