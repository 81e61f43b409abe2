import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { migrateUp, setWorkerLogin } from "@liability/db";
import { freePort } from "./env.ts";

const run = promisify(execFile);
const SCRIPT = fileURLToPath(new URL("../../../infra/local/postgres.sh", import.meta.url));
const WORKER_PASSWORD = "lre_worker_private";

/**
 * A PostgreSQL cluster of this test's own (same scripts as the local stack, another port and
 * folder), so that the test can stop and restart it without disturbing the shared database
 * that other tests are using.
 */
export class PrivatePostgres {
  readonly port: number;
  readonly #cache: string;
  readonly #durable: boolean;

  readonly #settings: Readonly<Record<string, string>>;

  private constructor(port: number, cache: string, durable: boolean, settings: Readonly<Record<string, string>>) {
    this.port = port;
    this.#cache = cache;
    this.#durable = durable;
    this.#settings = settings;
  }

  /**
   * `durable`: fsync, synchronous_commit and full_page_writes on, as in production. `settings`:
   * server settings on top (they win over the durable ones).
   */
  static async create(options: { durable?: boolean; settings?: Record<string, string> } = {}): Promise<PrivatePostgres> {
    const pg = new PrivatePostgres(await freePort(), mkdtempSync(join(tmpdir(), "lre-private-pg-")), options.durable ?? false, options.settings ?? {});
    await pg.start();
    await migrateUp(pg.adminUrl);
    await setWorkerLogin(pg.adminUrl, WORKER_PASSWORD);
    return pg;
  }

  get adminUrl(): string {
    return `postgres://lre_admin:lre_admin@127.0.0.1:${this.port}/liability`;
  }

  /** The server's own log (what an operator would read). */
  serverLog(): string {
    return readFileSync(join(this.#cache, "postgres", "postgres.log"), "utf8");
  }

  get workerUrl(): string {
    return `postgres://lre_worker:${WORKER_PASSWORD}@127.0.0.1:${this.port}/liability`;
  }

  async #script(command: "start" | "stop"): Promise<void> {
    await run("bash", [SCRIPT, command], {
      env: {
        ...process.env,
        LRE_CACHE: this.#cache,
        PG_PORT: String(this.port),
        PG_DURABLE: this.#durable ? "1" : "0",
        PG_EXTRA_CONF: Object.entries(this.#settings)
          .map(([name, value]) => `${name} = '${value}'`)
          .join("\n"),
      },
      timeout: 120_000,
    });
  }

  start(): Promise<void> {
    return this.#script("start");
  }

  /** A fast shutdown: open connections are terminated, as in a restart or failover. */
  stop(): Promise<void> {
    return this.#script("stop");
  }

  /** SIGKILL to the postmaster and its backends, as a crash would: no shutdown checkpoint, recovery from WAL on start. */
  async kill(): Promise<void> {
    const pid = Number(readFileSync(join(this.#cache, "postgres", "data", "postmaster.pid"), "utf8").split("\n")[0]);
    const { stdout } = await run("pgrep", ["-P", String(pid)]).catch(() => ({ stdout: "" }));
    for (const target of [pid, ...stdout.split("\n").filter(Boolean).map(Number)]) {
      try {
        process.kill(target, "SIGKILL");
      } catch {
        // Already gone.
      }
    }
  }

  async destroy(): Promise<void> {
    await this.stop().catch(() => {});
    rmSync(this.#cache, { recursive: true, force: true });
  }
}
