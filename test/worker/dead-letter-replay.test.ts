// The dead-letter CLI against the real Kafka and PostgreSQL, with dead letters the real worker
// wrote: list by reason, show, replay (original bytes and headers plus the marker), a second
// replay refused and --force, dry run, the ledger's privileges, and end to end: a document
// dead-lettered by a configuration mistake, replayed after the fix, recorded once by the worker.
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { spawnSync } from "node:child_process";
import { after, before, test } from "node:test";
import { fileURLToPath } from "node:url";
import type { KafkaMessage } from "kafkajs";
import { REPLAYER_ROLE } from "@liability/db";
import type { Worker } from "@liability/worker";
import { EXIT_STATUS, REPLAY_ID_HEADER, REPLAY_OF_HEADER, REPLAYED_AT_HEADER, runDeadLetterCli } from "@liability/worker/dead-letters";
import { FakeInferenceSidecarProcess } from "@liability/test-support";
import { harnessConfig, testKafka } from "../harness/index.ts";
import {
  committedOffsets,
  count,
  documents,
  encodeEvent,
  exampleLabels,
  newTraceparent,
  produce,
  query,
  readTopic,
  startWorker,
  waitFor,
  workerTestContext,
} from "./support/env.ts";
import type { RawMessage, WorkerTestContext } from "./support/env.ts";

let ctx: WorkerTestContext;
let sidecar: FakeInferenceSidecarProcess;
let worker: Worker | undefined;
let replayerUrl: string;
const replayerRole = `lre_replayer_t_${randomBytes(4).toString("hex")}`;

const [good, foreign] = documents(2);
// A source system's allowlist that forgot tenant-b: its document is dead-lettered TENANT_NOT_ALLOWED.
const otherTenant = { ...foreign!, tenantId: "tenant-b" };
const MISSING_TENANT_B = JSON.stringify({ "worker-tests": ["tenant-a"] });
const FIXED = JSON.stringify({ "worker-tests": ["tenant-a", "tenant-b"] });
const trace = newTraceparent();
const originalOfForeign = encodeEvent(otherTenant, { traceparent: trace.traceparent });
const emptyText = (id: string, text: string): RawMessage => {
  const event = encodeEvent({ id, tenantId: "tenant-a", kind: "statement", text });
  return { ...event, headers: { ...event.headers, "x-origin": "batch-7" } };
};
const garbage: RawMessage = { key: "g-1", value: Buffer.from([0xff, 0xff, 0xff, 0x0f]), headers: { "content-type": "application/x-protobuf" } };

interface CliResult {
  status: number;
  out: string[];
  err: string[];
}

/** The CLI in this process, as an operator would run it against this test's topics and schema. */
async function cli(args: string[], env: Record<string, string> = {}): Promise<CliResult> {
  const out: string[] = [];
  const err: string[] = [];
  const status = await runDeadLetterCli(args, cliEnv(env), {
    line: (t) => out.push(t),
    progress: (t) => err.push(t),
    warn: (t) => err.push(`WARNING: ${t}`),
  });
  return { status, out, err };
}

function cliEnv(env: Record<string, string> = {}): Record<string, string> {
  return {
    KAFKA_BROKERS: ctx.env().KAFKA_BROKERS!,
    KAFKA_TOPIC_DOCUMENTS: ctx.topics.documents,
    KAFKA_TOPIC_DLQ: ctx.topics.dlq,
    DATABASE_URL: replayerUrl,
    DATABASE_SCHEMA: ctx.db.schema,
    ...env,
  };
}

/** Letters as `list --json` prints them. */
async function listed(
  args: string[] = [],
): Promise<
  { letter: string; partition: number; offset: string; reason: string; tenantId: string; documentId: string; replayed: string; replayOf: string | null }[]
> {
  const r = await cli(["list", "--json", ...args]);
  assert.equal(r.status, 0, r.err.join("\n"));
  return r.out.map((line) => JSON.parse(line));
}

async function coordinatesOf(documentId: string): Promise<string> {
  const letter = (await listed()).find((l) => l.documentId === documentId);
  assert.ok(letter, `a dead letter for ${documentId}`);
  return `${letter.partition}:${letter.offset}`;
}

/** Messages on the documents topic that carry the replay marker. */
async function replayedEvents(expectedTotal: number): Promise<KafkaMessage[]> {
  const all = await readTopic(ctx.topics.documents, expectedTotal, 10_000);
  return all.filter((m) => m.headers?.[REPLAY_OF_HEADER] !== undefined);
}

async function documentsTopicSize(): Promise<number> {
  const admin = testKafka("dead-letter-test-offsets").admin();
  await admin.connect();
  try {
    return (await admin.fetchTopicOffsets(ctx.topics.documents)).reduce((sum, p) => sum + Number(p.high), 0);
  } finally {
    await admin.disconnect();
  }
}

async function adminExec(sql: string): Promise<void> {
  await query(harnessConfig().TEST_DATABASE_ADMIN_URL, sql);
}

const ORIGINALS = 5;

before(async () => {
  ctx = await workerTestContext({ partitions: 2 });
  // An operator's own login, a member of lre_replayer: what the CLI connects as.
  const password = randomBytes(12).toString("hex");
  await adminExec(`CREATE ROLE ${replayerRole} LOGIN PASSWORD '${password}' IN ROLE ${REPLAYER_ROLE}`);
  const url = new URL(harnessConfig().TEST_DATABASE_ADMIN_URL);
  url.username = replayerRole;
  url.password = password;
  replayerUrl = url.toString();

  sidecar = await FakeInferenceSidecarProcess.start({ labels: exampleLabels });
  await produce(ctx.topics.documents, [encodeEvent(good!), originalOfForeign, emptyText("e-1", ""), emptyText("e-2", "  \n "), garbage]);
  worker = await startWorker(ctx.config({ INFERENCE_ADDRESS: sidecar.address, TENANT_ALLOWLIST: MISSING_TENANT_B }));
  await waitFor("the good document recorded", async () => (await count(ctx.db.adminUrl, "liability_records")) === 1);
  assert.equal((await readTopic(ctx.topics.dlq, 4)).length, 4, "four dead letters");
  await worker.stop();
  worker = undefined;
});

after(async () => {
  await worker?.stop();
  await sidecar?.stop();
  await ctx?.cleanup();
  await adminExec(`DROP OWNED BY ${replayerRole}`).catch(() => {});
  await adminExec(`DROP ROLE IF EXISTS ${replayerRole}`).catch(() => {});
});

test("list: counts per reason and one line per letter, filters by reason and time, never document text, joins no consumer group", async () => {
  const admin = testKafka("dead-letter-test-groups").admin();
  await admin.connect();
  const groupsBefore = (await admin.listGroups()).groups.map((g) => g.groupId).sort();

  const all = await cli(["list"]);
  assert.equal(all.status, 0, all.err.join("\n"));
  const text = all.out.join("\n");
  assert.match(text, /^4 dead letter\(s\) in /);
  assert.match(text, /EMPTY_TEXT +2/);
  assert.match(text, /TENANT_NOT_ALLOWED +1/);
  assert.match(text, /UNDECODABLE +1/);
  assert.match(text, new RegExp(`TENANT_NOT_ALLOWED +tenant-b +${otherTenant.id} +no`));
  assert.ok(!text.includes(otherTenant.text.slice(0, 40)), "no document text in the listing");

  const empty = await listed(["--reason", "empty_text"]);
  assert.deepEqual(empty.map((l) => l.documentId).sort(), ["e-1", "e-2"]);
  assert.ok(empty.every((l) => l.reason === "EMPTY_TEXT" && l.tenantId === "tenant-a" && l.replayed === "no"));
  assert.equal((await listed(["--since", new Date(Date.now() + 60_000).toISOString()])).length, 0);
  assert.equal((await listed(["--since", new Date(Date.now() - 3_600_000).toISOString()])).length, 4);
  assert.equal((await cli(["list", "--limit", "1"])).out.filter((l) => /^\d+:\d+ /.test(l)).length, 1);

  assert.deepEqual((await admin.listGroups()).groups.map((g) => g.groupId).sort(), groupsBefore, "reading the dead letters joined no group");
  await admin.disconnect();
});

test("show: reason, detail, original headers and sizes; the text only with --show-text, with a warning", async () => {
  const at = await coordinatesOf(otherTenant.id);
  const shown = await cli(["show", at]);
  assert.equal(shown.status, 0, shown.err.join("\n"));
  const text = shown.out.join("\n");
  assert.match(text, /reason +TENANT_NOT_ALLOWED/);
  assert.match(text, /detail +.*tenant-b/);
  assert.match(text, new RegExp(`original +${ctx.topics.documents.replaceAll(".", "\\.")} \\d+:\\d+`));
  assert.match(text, new RegExp(`document +${otherTenant.id} \\(tenant tenant-b, source worker-tests\\)`));
  assert.match(text, new RegExp(`sizes +event ${originalOfForeign.value.length} bytes, text ${Buffer.byteLength(otherTenant.text)} bytes`));
  assert.match(text, new RegExp(`traceparent: ${trace.traceparent}`));
  assert.match(text, /content-type: application\/x-protobuf/);
  assert.match(text, /replays +none/);
  assert.ok(!text.includes(otherTenant.text.slice(0, 40)), "no text without --show-text");

  const withText = await cli(["show", at, "--show-text"]);
  assert.ok(withText.out.join("\n").includes(otherTenant.text), "the text with --show-text");
  assert.ok(withText.err.some((l) => /WARNING: .*customer data/.test(l)));

  const missing = await cli(["show", "0:999999"]);
  assert.equal(missing.status, EXIT_STATUS.not_found);
  assert.match(missing.err.join("\n"), /no message at 0:999999/);
  assert.equal((await cli(["show", "zero:1"])).status, EXIT_STATUS.usage);
});

test("replay --dry-run publishes nothing and claims nothing; a login outside lre_replayer is refused before anything is sent", async () => {
  const before = await documentsTopicSize();
  const dry = await cli(["replay", "--reason", "EMPTY_TEXT", "--dry-run"]);
  assert.equal(dry.status, 0, dry.err.join("\n"));
  assert.equal(dry.out.filter((l) => l.startsWith("would replay ")).length, 2);
  assert.match(dry.out.at(-1)!, /dry run, nothing published: would replay 2, would refuse 0 of 2/);

  const asWorker = await cli(["replay", await coordinatesOf("e-1")], { DATABASE_URL: ctx.db.workerUrl });
  assert.equal(asWorker.status, EXIT_STATUS.permission_denied, asWorker.err.join("\n"));
  assert.match(asWorker.err.join("\n"), /lre_replayer/);

  assert.equal(await documentsTopicSize(), before, "nothing published");
  assert.equal(await count(ctx.db.adminUrl, "dead_letter_replays"), 0, "nothing claimed");
});

test("replay publishes the original bytes, key and headers plus the marker; a second replay is refused, --force replays again", async () => {
  const at = await coordinatesOf(otherTenant.id);
  const [partition, offset] = at.split(":");
  const first = await cli(["replay", at, "--note", "INC-42: allowlist fixed"]);
  assert.equal(first.status, 0, first.err.join("\n"));
  assert.match(first.out.join("\n"), /replayed 1, refused 0 of 1/);

  const [event] = await replayedEvents(ORIGINALS + 1);
  assert.ok(event, "the replayed event is on the documents topic");
  assert.deepEqual(event.value, originalOfForeign.value, "the original bytes");
  assert.equal(event.key?.toString(), originalOfForeign.key);
  assert.equal(event.headers?.["content-type"]?.toString(), "application/x-protobuf");
  assert.equal(event.headers?.traceparent?.toString(), trace.traceparent, "the original trace context");
  assert.equal(event.headers?.[REPLAY_OF_HEADER]?.toString(), `${ctx.topics.dlq}/${partition}/${offset}`);
  assert.ok(Math.abs(Date.parse(event.headers?.[REPLAYED_AT_HEADER]?.toString() ?? "") - Date.now()) < 60_000);

  const [row] = await query<{ id: string; replayed_by: string; published_at: Date | null; forced: boolean; tenant_id: string; note: string }>(
    ctx.db.adminUrl,
    "SELECT id::text, replayed_by::text, published_at, forced, tenant_id, note FROM dead_letter_replays",
  );
  assert.equal(row?.replayed_by, replayerRole, "who replayed is the login");
  assert.ok(row?.published_at, "confirmed once Kafka acknowledged it");
  assert.equal(row?.forced, false);
  assert.equal(row?.tenant_id, "tenant-b");
  assert.equal(row?.note, "INC-42: allowlist fixed");
  assert.equal(event.headers?.[REPLAY_ID_HEADER]?.toString(), row?.id);
  assert.match((await listed()).find((l) => l.documentId === otherTenant.id)!.replayed, /^yes #/);

  const again = await cli(["replay", at]);
  assert.equal(again.status, EXIT_STATUS.refused);
  assert.match(again.out.join("\n"), new RegExp(`refused ${at} .*replayed before \\(#${row?.id} by ${replayerRole}`));
  assert.equal(await documentsTopicSize(), ORIGINALS + 1, "a refused replay publishes nothing");

  const forced = await cli(["replay", at, "--force"]);
  assert.equal(forced.status, 0, forced.err.join("\n"));
  assert.ok(forced.err.some((l) => /WARNING: --force/.test(l)));
  assert.ok(forced.err.some((l) => new RegExp(`WARNING: ${at} was replayed before`).test(l)));
  assert.equal((await replayedEvents(ORIGINALS + 2)).length, 2);
  assert.deepEqual(
    (await query<{ forced: boolean }>(ctx.db.adminUrl, "SELECT forced FROM dead_letter_replays ORDER BY id")).map((r) => r.forced),
    [false, true],
  );
});

test("end to end: after the fix the real worker records the replayed document once, and a letter that fails again carries the marker", async () => {
  worker = await startWorker(ctx.config({ INFERENCE_ADDRESS: sidecar.address, TENANT_ALLOWLIST: FIXED }));
  await waitFor("the replayed document recorded", async () => (await count(ctx.db.adminUrl, "liability_records", `document_id = '${otherTenant.id}'`)) === 1);

  // Letters whose cause a replay cannot fix come back, marked as replays.
  const emptyLetters = (await listed(["--reason", "EMPTY_TEXT"])).map((l) => `${l.partition}:${l.offset}`);
  // Through the kafkajs producer this time: both Kafka clients send the original headers.
  const replay = await cli(["replay", ...emptyLetters], { KAFKA_CLIENT: "kafkajs" });
  assert.equal(replay.status, 0, replay.err.join("\n"));
  const again = await waitFor("the replayed empty documents dead-lettered again", async () => {
    const letters = (await listed(["--reason", "EMPTY_TEXT"])).filter((l) => l.replayOf !== null);
    return letters.length === 2 ? letters : undefined;
  });
  assert.ok(
    again.every((l) => l.replayOf?.startsWith(`${ctx.topics.dlq}/`)),
    "the new letters name the letter they replayed",
  );
  const shown = (await cli(["show", `${again[0]!.partition}:${again[0]!.offset}`])).out.join("\n");
  assert.match(shown, /x-origin: batch-7/, "the original headers went out with the replay");
  assert.match(shown, /x-replay-of: /);
  // Every event on the documents topic handled, the forced second replay of the recorded document included.
  const published = await documentsTopicSize();
  await waitFor("the worker committed the whole documents topic", async () => (await committedOffsets(ctx.group, ctx.topics.documents)) === published);
  await worker.stop();
  worker = undefined;

  assert.equal(await count(ctx.db.adminUrl, "liability_records"), 2, "the good document and the replayed one, once each");
  assert.equal(await count(ctx.db.adminUrl, "liability_records", `document_id = '${otherTenant.id}' AND tenant_id = 'tenant-b'`), 1);
  assert.equal(
    await count(ctx.db.adminUrl, "outbox", `aggregate_key = '${otherTenant.id}'`),
    1,
    "one LiabilityRecorded for it: the forced replay was a duplicate",
  );
  assert.equal((await listed(["--reason", "TENANT_NOT_ALLOWED"])).length, 1, "the replays were not dead-lettered");
});

test("lre_replayer may claim and confirm replays, and nothing else: no DELETE, no rewriting a claim, no records", async () => {
  const ledger = `${ctx.db.schema}.dead_letter_replays`;
  const refused = async (sql: string) => assert.rejects(query(replayerUrl, sql), (e: unknown) => (e as { code?: string }).code === "42501", sql);
  await refused(`DELETE FROM ${ledger}`);
  await refused(`UPDATE ${ledger} SET forced = false`);
  await refused(`UPDATE ${ledger} SET replayed_by = 'someone-else'`);
  await refused(`SELECT 1 FROM ${ctx.db.schema}.liability_records`);
  await refused(`INSERT INTO ${ctx.db.schema}.outbox (aggregate_key, topic, payload) VALUES ('k', 't', '')`);
});

test("the command line: exit statuses for usage, a missing topic and an unreachable broker", () => {
  const script = fileURLToPath(new URL("../../services/worker/src/dead-letters/cli.ts", import.meta.url));
  const run = (args: string[], env: Record<string, string> = {}) =>
    spawnSync(process.execPath, [script, ...args], { env: { ...process.env, ...cliEnv(env) }, encoding: "utf8", timeout: 60_000 });
  const listing = run(["list", "--reason", "UNDECODABLE"]);
  assert.equal(listing.status, 0, listing.stderr);
  assert.match(listing.stdout, /^1 dead letter\(s\)/);
  assert.equal(run(["replay"]).status, EXIT_STATUS.usage);
  assert.equal(run(["list", "--reason", "NOT_A_REASON"]).status, EXIT_STATUS.usage);
  const missing = run(["list"], { KAFKA_TOPIC_DLQ: `${ctx.topics.dlq}.missing` });
  assert.equal(missing.status, EXIT_STATUS.topic_missing);
  assert.match(missing.stderr, /does not exist/);
  const down = run(["list"], { KAFKA_BROKERS: "127.0.0.1:1" });
  assert.equal(down.status, EXIT_STATUS.kafka_unavailable);
  assert.match(down.stderr, /did not answer/);
});
