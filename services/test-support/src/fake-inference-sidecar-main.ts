// Runs FakeInferenceSidecar as its own process: beside the worker in a load test, or under a worker
// integration test that kills it (SIGKILL) and starts it again on the same socket.
//   FAKE_SIDECAR_LABELS=corpus.jsonl FAKE_SIDECAR_LATENCY=lognormal:p50=3,p99=15 node services/test-support/src/fake-inference-sidecar-main.ts
// Prints one JSON line {"event":"ready",...} on stdout when it serves; GET /stats on the stats
// port returns queue depth and counters as JSON.
import { appendFileSync, readFileSync } from "node:fs";
import { createServer } from "node:http";
import { z } from "zod";
import { createLogger, envPositiveInt, loadConfig } from "@liability/platform";
import { FakeInferenceSidecar, type ScriptedAnswer } from "./fake-inference-sidecar.ts";
import { loadLabels } from "./labels.ts";
import { latencySpecSchema } from "./latency.ts";

const configSchema = z.object({
  FAKE_SIDECAR_ADDRESS: z.string().default("127.0.0.1:0"),
  /** Labelled JSONL: each text is answered with its label. */
  FAKE_SIDECAR_LABELS: z.string().optional(),
  /** JSON file: scripted answers by document id. */
  FAKE_SIDECAR_ANSWERS: z.string().optional(),
  FAKE_SIDECAR_LATENCY: latencySpecSchema.default("none"),
  FAKE_SIDECAR_SLOTS: envPositiveInt.optional(),
  FAKE_SIDECAR_MAX_QUEUE: z.coerce.number().int().min(0).optional(),
  FAKE_SIDECAR_CONFIDENCE: z.coerce.number().min(0).max(1).optional(),
  FAKE_SIDECAR_SEED: z.coerce.number().int().default(7),
  /** File to append one JSON line per document received to, for a test to read across restarts. */
  FAKE_SIDECAR_REQUEST_LOG: z.string().optional(),
  FAKE_SIDECAR_STATS_PORT: z.coerce.number().int().min(0).max(65535).default(0),
});

const config = loadConfig(configSchema);
const log = createLogger({ service: "fake-inference-sidecar" });
const labels = config.FAKE_SIDECAR_LABELS ? loadLabels(config.FAKE_SIDECAR_LABELS) : [];
const requestLog = config.FAKE_SIDECAR_REQUEST_LOG;
const sidecar = new FakeInferenceSidecar({
  labels,
  answers: config.FAKE_SIDECAR_ANSWERS ? (JSON.parse(readFileSync(config.FAKE_SIDECAR_ANSWERS, "utf8")) as Record<string, ScriptedAnswer>) : {},
  latency: config.FAKE_SIDECAR_LATENCY,
  slots: config.FAKE_SIDECAR_SLOTS,
  maxQueue: config.FAKE_SIDECAR_MAX_QUEUE,
  confidence: config.FAKE_SIDECAR_CONFIDENCE,
  seed: config.FAKE_SIDECAR_SEED,
  onRequest: requestLog ? (request) => appendFileSync(requestLog, `${JSON.stringify(request)}\n`) : undefined,
});
const grpcAddress = await sidecar.listen(config.FAKE_SIDECAR_ADDRESS);

// Loopback only: the stats endpoint is for a load-test driver on the same machine.
const stats = createServer((req, res) => {
  if (req.url === "/stats") {
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify(sidecar.stats()));
  } else {
    res.writeHead(404).end();
  }
});
await new Promise<void>((resolve) => stats.listen(config.FAKE_SIDECAR_STATS_PORT, "127.0.0.1", resolve));
const address = stats.address();
const statsUrl = `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}/stats`;

log.info(
  {
    grpcAddress,
    statsUrl,
    labels: labels.length,
    latency: config.FAKE_SIDECAR_LATENCY,
    slots: config.FAKE_SIDECAR_SLOTS ?? "unlimited",
  },
  "FakeInferenceSidecar serving",
);
process.stdout.write(`${JSON.stringify({ event: "ready", grpcAddress, statsUrl, pid: process.pid })}\n`);

let stopping = false;
const stop = async (signal: string) => {
  if (stopping) return;
  stopping = true;
  log.info({ signal, ...sidecar.stats() }, "FakeInferenceSidecar draining");
  stats.close();
  await sidecar.close();
  process.exit(0);
};
process.on("SIGTERM", () => void stop("SIGTERM"));
process.on("SIGINT", () => void stop("SIGINT"));
