import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { test } from "node:test";
import pg from "pg";
import { ensureStack, harnessConfig, testKafka } from "../harness/index.ts";

const run = promisify(execFile);
const script = (name: string) => fileURLToPath(new URL(`../../infra/local/${name}`, import.meta.url));
const cache = process.env.LRE_CACHE || fileURLToPath(new URL("../../.cache", import.meta.url));

async function stackAnswers(): Promise<void> {
  const admin = testKafka("lre-test-stack").admin();
  await admin.connect();
  try {
    const topics = await admin.listTopics();
    for (const t of ["documents.received.v1", "documents.dlq.v1", "liability.recorded.v1"]) {
      assert.ok(topics.includes(t), `topic ${t} exists`);
    }
  } finally {
    await admin.disconnect();
  }
  const client = new pg.Client({ connectionString: harnessConfig().TEST_DATABASE_ADMIN_URL });
  await client.connect();
  try {
    const r = await client.query("SELECT count(*)::int AS n FROM public.pgmigrations");
    assert.ok(r.rows[0].n >= 1);
  } finally {
    await client.end();
  }
}

test("a second up while the stack runs is harmless and quick", async () => {
  await ensureStack();
  const started = Date.now();
  const { stdout } = await run("bash", [script("up.sh")], { timeout: 120_000 });
  assert.match(stdout, /Kafka node 1 already running/);
  assert.match(stdout, /PostgreSQL already running/);
  assert.match(stdout, /migrations up to date/);
  assert.ok(Date.now() - started < 30_000, "a no-op up should take seconds");
  const status = await run("bash", [script("status.sh")]);
  assert.match(status.stdout, /kafka: +running/);
  assert.match(status.stdout, /postgres: +running/);
  await stackAnswers();
});

// Kills the shared broker and database, which would fail anyone else's tests running at the
// same moment; run it deliberately with LRE_TEST_DESTRUCTIVE=true.
test("after kill -9 of the broker and the database, up restores the stack", {
  skip: process.env.LRE_TEST_DESTRUCTIVE === "true" ? false : "set LRE_TEST_DESTRUCTIVE=true to run",
}, async () => {
  await ensureStack();
  const kafkaPid = Number(readFileSync(`${cache}/kafka/kafka.pid`, "utf8"));
  const pgPid = Number(readFileSync(`${cache}/postgres/data/postmaster.pid`, "utf8").split("\n")[0]);
  process.kill(kafkaPid, "SIGKILL");
  process.kill(pgPid, "SIGKILL");
  await assert.rejects(run("bash", [script("status.sh")]));
  await run("bash", [script("up.sh")], { timeout: 300_000 });
  await run("bash", [script("status.sh")]);
  await stackAnswers();
});
