// Runs FakeInferenceSidecar as its own process, the way the load test deploys it beside the worker:
//   FAKE_SIDECAR_CORPUS=... FAKE_SIDECAR_LATENCY=lognormal:p50=3,p99=15 node loadtest/src/fake-sidecar-main.ts
// Prints one JSON line {"event":"ready",...} on stdout when it serves; GET /stats on the stats
// port returns queue depth and counters as JSON.
import { createServer } from "node:http";
import { z } from "zod";
import { createLogger, envPositiveInt, loadConfig } from "@liability/platform";
import { loadLabelledJsonl } from "./corpus.ts";
import { FakeInferenceSidecar } from "./fake-sidecar.ts";
import { parseLatency } from "./latency.ts";
import { DEFAULT_CORPUS } from "./paths.ts";

const configSchema = z.object({
  FAKE_SIDECAR_ADDRESS: z.string().default("127.0.0.1:0"),
  FAKE_SIDECAR_CORPUS: z.string().default(DEFAULT_CORPUS),
  FAKE_SIDECAR_LATENCY: z
    .string()
    .default("lognormal:p50=3,p99=15")
    .refine((s) => {
      try {
        parseLatency(s);
        return true;
      } catch {
        return false;
      }
    }, "expected none, fixed:MS, uniform:LO-HI or lognormal:p50=MS,p99=MS"),
  FAKE_SIDECAR_SLOTS: envPositiveInt.default(256),
  FAKE_SIDECAR_MAX_QUEUE: z.coerce.number().int().min(0).default(4096),
  FAKE_SIDECAR_CONFIDENCE: z.coerce.number().min(0).max(1).optional(),
  FAKE_SIDECAR_STATS_PORT: z.coerce.number().int().min(0).max(65535).default(0),
  FAKE_SIDECAR_SEED: z.coerce.number().int().default(7),
});

const config = loadConfig(configSchema);
const log = createLogger({ service: "fake-inference-sidecar" });
const documents = loadLabelledJsonl(config.FAKE_SIDECAR_CORPUS);
const sidecar = new FakeInferenceSidecar({
  documents,
  latency: parseLatency(config.FAKE_SIDECAR_LATENCY),
  slots: config.FAKE_SIDECAR_SLOTS,
  maxQueue: config.FAKE_SIDECAR_MAX_QUEUE,
  confidence: config.FAKE_SIDECAR_CONFIDENCE,
  seed: config.FAKE_SIDECAR_SEED,
});
const grpcAddress = await sidecar.listen(config.FAKE_SIDECAR_ADDRESS);

// Loopback only: the stats endpoint is for the load-test driver on the same machine.
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
  { grpcAddress, statsUrl, labels: documents.length, latency: config.FAKE_SIDECAR_LATENCY, slots: config.FAKE_SIDECAR_SLOTS },
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
