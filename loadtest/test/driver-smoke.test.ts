// The load-test driver end to end against the real local stack: a short steady profile through the
// real worker and FakeInferenceSidecar must finish every document exactly once and write the
// report and charts. Skipped when Kafka or PostgreSQL does not answer.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { Kafka, logLevel } from "kafkajs";
import pg from "pg";
import { kafkaConfigSchema, kafkaConnectionOptions, loadConfig } from "@liability/platform";
import { envSchema } from "../src/config.ts";
import { REPO_ROOT } from "../src/paths.ts";

async function stackUp(): Promise<boolean> {
  const kafka = new Kafka({
    clientId: "driver-smoke",
    brokers: kafkaConnectionOptions(loadConfig(kafkaConfigSchema)).brokers,
    logLevel: logLevel.NOTHING,
    retry: { retries: 0 },
  });
  const admin = kafka.admin();
  const db = new pg.Client({ connectionString: loadConfig(envSchema).LOADTEST_DATABASE_ADMIN_URL });
  try {
    await admin.connect();
    await admin.listTopics();
    await db.connect();
    await db.query("SELECT 1");
    return true;
  } catch {
    return false;
  } finally {
    await admin.disconnect().catch(() => {});
    await db.end().catch(() => {});
  }
}

test("steady profile through the real worker and the sidecar test double: every document once, report written", { timeout: 240_000 }, async (t) => {
  if (!(await stackUp())) return t.skip("local Kafka or PostgreSQL not reachable");
  const out = mkdtempSync(join(tmpdir(), "lre-loadtest-smoke-"));
  try {
    const child = spawn(
      join(REPO_ROOT, "node_modules", ".bin", "node"),
      [
        join(REPO_ROOT, "loadtest", "src", "cli.ts"),
        "--profile",
        "steady",
        "--rate",
        "40",
        "--duration",
        "5",
        "--drain-s",
        "60",
        "--partitions",
        "2",
        "--out",
        out,
      ],
      { cwd: REPO_ROOT, stdio: ["ignore", "ignore", "pipe"] },
    );
    let stderr = "";
    child.stderr!.on("data", (c: Buffer) => (stderr = (stderr + c.toString()).slice(-4000)));
    const code = await new Promise<number | null>((resolve) => child.on("exit", resolve));
    assert.equal(code, 0, stderr);
    const report = JSON.parse(readFileSync(join(out, "report.json"), "utf8"));
    assert.equal(report.totals.published, 200);
    assert.equal(report.totals.completed, 200, "every document has an outcome");
    assert.equal(report.totals.unfinished, 0);
    assert.equal(report.totals.duplicates, 0);
    assert.equal(report.totals.publishErrors, 0);
    assert.ok(report.latencyMs.observed.p50 > 0);
    for (const chart of ["latency.svg", "throughput.svg", "backlog.svg", "cpu.svg", "latency.png", "report.md"]) {
      assert.ok(existsSync(join(out, chart)), `${chart} written`);
    }
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});
