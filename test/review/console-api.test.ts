// The review console over HTTP against the real pipeline: a reviewer sees and changes only their
// tenant's items (row-level security, not the routes, enforces it), every POST needs the session's
// CSRF token, a correction must be grounded in the text, and one action is one transaction: item
// resolved, record updated, LiabilityRecorded (with the previous values) out through the outbox and
// the worker's relay, audit row. Then the flywheel: export → dataset line with the corrected value.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { fromBinary } from "@bufbuild/protobuf";
import { LiabilityRecordedSchema, RecordStatus, ReviewDecision } from "@liability/contracts";
import pg from "pg";
import { query, readTopic } from "../worker/support/env.ts";
import { ConsoleSession, DOCS, MISREAD_BALANCE, startConsoleFixture, TRUE_BALANCE, USERS } from "./support/console-fixture.ts";
import type { ConsoleFixture } from "./support/console-fixture.ts";
import { buildDatasetWith, exportReviewed } from "./support/flywheel.ts";

let f: ConsoleFixture;
let ana: ConsoleSession;
let bo: ConsoleSession;

before(async () => {
  f = await startConsoleFixture();
  ana = await ConsoleSession.signIn(f.baseUrl, USERS.ana);
  bo = await ConsoleSession.signIn(f.baseUrl, USERS.bo);
});
after(async () => {
  await f?.cleanup();
});

interface QueueBody {
  entries: { id: string; documentId: string; shadow: boolean }[];
  reasonCounts: { rule: string; count: number }[];
  shadow: { reviewed: number; wrong: number };
}

test("a wrong password is refused, and nothing but the login page is served without a session", async () => {
  const stranger = await ConsoleSession.anonymous(f.baseUrl);
  const refused = await stranger.form("/login", { username: USERS.ana.username, password: "not-her-password" });
  assert.equal(refused.status, 401);
  assert.equal((await stranger.raw("GET", "/")).status, 303, "the queue redirects to sign in");
  assert.equal((await stranger.getJson("/api/queue")).status, 401);
  const id = await f.itemId(DOCS.hallucinated);
  assert.equal((await stranger.postJson(`/api/items/${id}/resolve`, { decision: "reject" })).status, 401);
});

test("each reviewer's queue holds their tenant's items only, oldest first, with counts per reason", async () => {
  const a = (await ana.getJson("/api/queue")).body as QueueBody;
  assert.deepEqual(a.entries.map((e) => e.documentId).sort(), [DOCS.accepted.id, DOCS.cardPayment.id, DOCS.hallucinated.id]);
  assert.equal(a.entries.find((e) => e.documentId === DOCS.accepted.id)?.shadow, true);
  assert.ok(a.reasonCounts.some((c) => c.rule === "grounding.ungrounded_value" && c.count === 2));
  const b = (await bo.getJson("/api/queue")).body as QueueBody;
  assert.deepEqual(
    b.entries.map((e) => e.documentId),
    [DOCS.otherTenant.id],
  );
  const page = await ana.page("/?reason=grounding.ungrounded_value");
  assert.equal(page.status, 200);
  assert.match(page.body, /a-hallucinated/);
  assert.doesNotMatch(page.body, /b-hallucinated/);
  assert.doesNotMatch(page.body, /a-accepted/, "the reason filter leaves the shadow item out");
});

test("the item page shows the text with each grounded value's citation highlighted", async () => {
  const id = await f.itemId(DOCS.hallucinated);
  const page = await ana.page(`/items/${id}`);
  assert.equal(page.status, 200);
  assert.match(page.body, /<mark class="cite" data-fields="escrow_balance">\$3,318\.07<\/mark>/);
  assert.match(page.body, /<mark class="cite" data-fields="lender_name">NORTHGATE SAVINGS BANK<\/mark>/);
  assert.match(page.body, /grounding\.ungrounded_value:current_balance/);
  assert.match(page.body, /prompt /);
});

test("another tenant's item cannot be read or changed, by the page or the API, even with a valid session and token", async () => {
  const id = await f.itemId(DOCS.hallucinated);
  assert.equal((await bo.page(`/items/${id}`)).status, 404);
  assert.equal((await bo.getJson(`/api/items/${id}`)).status, 404);
  assert.equal((await bo.postJson(`/api/items/${id}/resolve`, { decision: "reject" })).status, 404);
  assert.equal((await bo.form(`/items/${id}/accept`, {})).status, 404);
  const rows = await query<{ status: string }>(f.ctx.db.adminUrl, "SELECT status FROM review_queue WHERE id = $1", [id]);
  assert.equal(rows[0]!.status, "pending");
});

test("a POST without the session's CSRF token is refused and writes nothing", async () => {
  const id = await f.itemId(DOCS.hallucinated);
  assert.equal((await ana.postJson(`/api/items/${id}/resolve`, { decision: "reject" }, null)).status, 403);
  assert.equal((await ana.form(`/items/${id}/reject`, {}, bo.csrf)).status, 403, "another session's token is no token");
  assert.equal((await query(f.ctx.db.adminUrl, "SELECT 1 FROM review_audit")).length, 0);
});

test("a correction that is not stated in the document is refused; not in the document must be said explicitly", async () => {
  const id = await f.itemId(DOCS.hallucinated);
  const ungrounded = await ana.postJson(`/api/items/${id}/resolve`, { decision: "correct", fields: { current_balance: "199999.99" } });
  assert.equal(ungrounded.status, 422);
  assert.match(JSON.stringify(ungrounded.body), /current_balance: amount 199999\.99 is not stated/);
  const accept = await ana.postJson(`/api/items/${id}/resolve`, { decision: "accept" });
  assert.equal(accept.status, 422, "accepting the ungrounded value is refused too");
  const rows = await query<{ status: string }>(f.ctx.db.adminUrl, "SELECT status FROM review_queue WHERE id = $1", [id]);
  assert.equal(rows[0]!.status, "pending");
});

test("a correction is one transaction: item resolved, record updated once, event with previous and new values, audit row", async () => {
  const id = await f.itemId(DOCS.hallucinated);
  const corrected = await ana.postJson(`/api/items/${id}/resolve`, {
    decision: "correct",
    fields: { current_balance: "$214,905.12", payoff_amount: null },
  });
  assert.equal(corrected.status, 200, JSON.stringify(corrected.body));
  assert.equal((await ana.postJson(`/api/items/${id}/resolve`, { decision: "reject" })).status, 409, "resolved once only");

  const [item] = await query<{ status: string; reviewer: string; reviewed_at: Date; resolution: Record<string, unknown> }>(
    f.ctx.db.adminUrl,
    "SELECT status, reviewer, reviewed_at, resolution FROM review_queue WHERE id = $1",
    [id],
  );
  assert.equal(item!.status, "resolved");
  assert.equal(item!.reviewer, USERS.ana.username);
  assert.ok(item!.reviewed_at instanceof Date);
  assert.equal(item!.resolution.decision, "correct");
  assert.deepEqual(item!.resolution.corrected_fields, ["current_balance"]);
  assert.equal((item!.resolution.previous as Record<string, unknown>).current_balance, MISREAD_BALANCE);
  assert.equal((item!.resolution.record as Record<string, unknown>).current_balance, TRUE_BALANCE);

  const [record] = await query<{ status: string; current_balance: string; citations: Record<string, unknown> }>(
    f.ctx.db.adminUrl,
    "SELECT status, current_balance, citations FROM liability_records WHERE tenant_id = $1 AND document_id = $2",
    [DOCS.hallucinated.tenantId, DOCS.hallucinated.id],
  );
  assert.equal(record!.status, "accepted");
  assert.equal(Number(record!.current_balance), TRUE_BALANCE);
  assert.ok(record!.citations.current_balance, "the corrected value's citation is stored with the record");

  const audit = await query<{ reviewer: string; action: string; changed_fields: string[] }>(
    f.ctx.db.adminUrl,
    "SELECT reviewer, action, changed_fields FROM review_audit WHERE review_item_id = $1",
    [id],
  );
  assert.deepEqual(audit, [{ reviewer: USERS.ana.username, action: "correct", changed_fields: ["current_balance"] }]);

  // The worker's relay publishes the console's outbox row: the worker's LiabilityRecorded events of
  // the four documents, then this one.
  const events = (await readTopic(f.ctx.topics.recorded, 5)).map((m) => ({ headers: m.headers, event: fromBinary(LiabilityRecordedSchema, m.value!) }));
  const reviewed = events.find((e) => e.event.documentId === DOCS.hallucinated.id && e.event.review !== undefined);
  assert.ok(reviewed, "the correction event was published");
  assert.equal(reviewed.event.status, RecordStatus.ACCEPTED);
  assert.equal(reviewed.event.tenantId, DOCS.hallucinated.tenantId);
  assert.equal(reviewed.event.record?.currentBalance, TRUE_BALANCE);
  assert.equal(reviewed.event.review?.decision, ReviewDecision.CORRECTED);
  assert.equal(reviewed.event.review?.reviewer, USERS.ana.username);
  assert.equal(reviewed.event.review?.previousRecord?.currentBalance, MISREAD_BALANCE);
  assert.deepEqual(reviewed.event.review?.correctedFields, ["current_balance"]);
  assert.equal(String(reviewed.headers?.["review-decision"]), "correct");
});

test("the shadow sample's measured error rate counts what reviewers changed", async () => {
  const id = await f.itemId(DOCS.accepted);
  assert.equal((await ana.postJson(`/api/items/${id}/resolve`, { decision: "accept" })).status, 200);
  const queue = (await ana.getJson("/api/queue")).body as QueueBody;
  assert.deepEqual(queue.shadow, { reviewed: 1, wrong: 0 });
  assert.match((await ana.page("/")).body, /measured error rate of accepted records 0\.0%/);
  const b = (await bo.getJson("/api/queue")).body as QueueBody;
  assert.deepEqual(b.shadow, { reviewed: 0, wrong: 0 }, "another tenant's shadow items are not counted");
});

test("the flywheel: the export carries the corrected record with its text, and the dataset has a line with the corrected value", async () => {
  const exported = await exportReviewed(f.ctx.db.schema);
  const line = exported.find((e) => e.id === DOCS.hallucinated.id);
  assert.ok(line, "the corrected item is exported");
  assert.equal(line.text, DOCS.hallucinated.text);
  assert.equal(line.decision, "correct");
  assert.equal((line.expected as Record<string, unknown>).current_balance, TRUE_BALANCE);
  assert.ok(
    exported.some((e) => e.id === DOCS.accepted.id && e.decision === "accept"),
    "accepted shadow items are labels too",
  );
  assert.ok(!exported.some((e) => e.id === DOCS.otherTenant.id), "an open item is not a label");

  const train = await buildDatasetWith(exported);
  const row = train.find((r) => r.id === DOCS.hallucinated.id);
  assert.ok(row, "the reviewed document is a training example");
  assert.equal(row.source, "reviewed");
  assert.match(String(row.target_text), /"current_balance":214905\.12/);
});

test("row-level security itself keeps the reviewer role to one tenant, and off the worker's tables it has no business in", async () => {
  const client = new pg.Client({ connectionString: await f.ctx.db.reviewerUrl() });
  await client.connect();
  try {
    assert.equal((await client.query("SELECT * FROM review_queue")).rowCount, 0, "no tenant set: no rows");
    await client.query("BEGIN");
    await client.query("SELECT set_config('app.tenant_id', $1, true)", [USERS.bo.tenant]);
    assert.deepEqual((await client.query("SELECT DISTINCT tenant_id FROM review_documents")).rows, [{ tenant_id: USERS.bo.tenant }]);
    const changed = await client.query("UPDATE liability_records SET status = 'rejected' WHERE tenant_id = $1", [USERS.ana.tenant]);
    assert.equal(changed.rowCount, 0, "another tenant's records are invisible to UPDATE");
    await assert.rejects(
      client.query("INSERT INTO review_audit (tenant_id, review_item_id, document_id, reviewer, action) VALUES ($1, 1, 'x', 'bo', 'reject')", [
        USERS.ana.tenant,
      ]),
      /row-level security/,
    );
    await client.query("ROLLBACK");
    await assert.rejects(client.query("SELECT payload FROM outbox"), /permission denied/);
    await assert.rejects(client.query("SELECT * FROM extraction_attempts"), /permission denied/);
    await assert.rejects(client.query("DELETE FROM review_documents"), /permission denied/);
  } finally {
    await client.end();
  }
});

test("the retention deletes the text of resolved documents only, and an item without text can only be rejected", async () => {
  const client = new pg.Client({ connectionString: await f.ctx.db.reviewerUrl() });
  await client.connect();
  try {
    const pruned = await client.query<{ n: number }>("SELECT prune_review_documents(interval '0 seconds', 100) AS n");
    assert.equal(pruned.rows[0]!.n, 2, "the corrected and the accepted document; the open ones keep their text");
  } finally {
    await client.end();
  }
  const left = await query<{ document_id: string }>(f.ctx.db.adminUrl, "SELECT document_id FROM review_documents ORDER BY 1");
  assert.deepEqual(
    left.map((r) => r.document_id),
    [DOCS.cardPayment.id, DOCS.otherTenant.id],
  );
  const page = await ana.page(`/items/${await f.itemId(DOCS.hallucinated)}`);
  assert.match(page.body, /The text is no longer kept/);
});
