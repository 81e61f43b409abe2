import { execFile } from "node:child_process";
import { connect } from "node:net";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { harnessConfig } from "./config.ts";

const run = promisify(execFile);
const upScript = fileURLToPath(new URL("../../infra/local/up.sh", import.meta.url));

function hostPort(address: string, defaultPort: number): { host: string; port: number } {
  const url = new URL(address.includes("://") ? address : `tcp://${address}`);
  return { host: url.hostname || "127.0.0.1", port: Number(url.port || defaultPort) };
}

function reachable(host: string, port: number, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once("connect", () => done(true));
    socket.once("error", () => done(false));
  });
}

async function servicesReachable(): Promise<boolean> {
  const config = harnessConfig();
  const kafka = hostPort(config.KAFKA_BROKERS[0] ?? "127.0.0.1:19092", 9092);
  const pg = hostPort(config.TEST_DATABASE_ADMIN_URL, 5432);
  const [k, p] = await Promise.all([reachable(kafka.host, kafka.port), reachable(pg.host, pg.port)]);
  return k && p;
}

let ready: Promise<void> | undefined;

/**
 * Makes sure Kafka and PostgreSQL are up. The global setup brings the stack up once per run; each
 * test file calls this too (memoised per process), so a single file run without the global setup
 * still works. When both services already answer, nothing is started.
 */
export function ensureStack(options: { force?: boolean } = {}): Promise<void> {
  ready ??= (async () => {
    if (!options.force && (await servicesReachable())) return;
    if (!harnessConfig().LRE_TEST_START_STACK) {
      throw new Error("Kafka or PostgreSQL is unreachable and LRE_TEST_START_STACK=false");
    }
    try {
      // up.sh serialises concurrent callers with a lock, so parallel test processes are safe.
      await run("bash", [upScript], { maxBuffer: 16 * 1024 * 1024, timeout: 15 * 60 * 1000 });
    } catch (err) {
      const e = err as { stdout?: string; stderr?: string; message: string };
      throw new Error(`infra/local/up.sh failed: ${e.message}\n${e.stdout ?? ""}\n${e.stderr ?? ""}`);
    }
  })();
  return ready;
}
