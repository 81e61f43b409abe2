// The console's pure parts: escaping, citation highlighting, the correction form's rules, the
// decision on an item, sessions and CSRF tokens, password hashes.
import assert from "node:assert/strict";
import { test } from "node:test";
import type { LiabilityRecord } from "@liability/domain";
import { SessionCodec } from "../src/auth.ts";
import { planResolution } from "../src/decide.ts";
import { highlightedText, segmentText } from "../src/highlight.ts";
import { html } from "../src/html.ts";
import { hashPassword, verifyPassword } from "../src/passwords.ts";
import { parseCorrection } from "../src/review-rules.ts";
import type { ReviewItem } from "../src/store.ts";

const TEXT = `NORTHGATE SAVINGS BANK
Mortgage Statement
Statement Date: 04/02/2026
Loan Number: 7712-004-5518

Payment Due Date          05/01/2026
Amount Due                $2,184.37
Outstanding Principal     $214,905.12
Interest Rate             6.150%
Escrow Balance            $3,318.07
`;

const RECORD: LiabilityRecord = {
  liability_type: "mortgage",
  lender_name: "Northgate Savings Bank",
  account_last4: "5518",
  current_balance: 214905.12,
  payoff_amount: null,
  payoff_good_through: null,
  escrow_balance: 3318.07,
  interest_rate: 6.15,
  monthly_payment: 2184.37,
  next_due_date: "2026-05-01",
  as_of_date: "2026-04-02",
};

function item(overrides: Partial<ReviewItem> = {}): ReviewItem {
  return {
    id: "1",
    documentId: "doc-1",
    tenantId: "tenant-a",
    kind: "statement",
    status: "pending",
    shadow: false,
    reasons: [],
    record: { ...RECORD, current_balance: 241905.12 },
    rawModelOutput: null,
    text: TEXT,
    receivedAt: new Date("2026-04-20T12:00:00Z"),
    modelId: "m",
    modelVersion: "v",
    promptVersion: "p",
    confidence: null,
    fieldConfidence: null,
    createdAt: new Date("2026-04-20T12:00:01Z"),
    reviewer: null,
    reviewedAt: null,
    resolution: null,
    previousId: null,
    nextId: null,
    ...overrides,
  };
}

test("interpolated values are escaped, nested templates are not", () => {
  assert.equal(html`<p title="${'"x"'}">${"<script>"}${html`<b>${"&"}</b>`}</p>`.value, '<p title="&quot;x&quot;">&lt;script&gt;<b>&amp;</b></p>');
});

test("overlapping citations cut the text into stretches that name every field covering them", () => {
  const segments = segmentText("Balance $10.00 due", { current_balance: [{ start: 8, end: 14 }], payoff_amount: [{ start: 9, end: 14 }] });
  assert.deepEqual(segments, [
    { text: "Balance ", fields: [] },
    { text: "$", fields: ["current_balance"] },
    { text: "10.00", fields: ["current_balance", "payoff_amount"] },
    { text: " due", fields: [] },
  ]);
  assert.equal(
    highlightedText("<b>$1</b>", { current_balance: [{ start: 3, end: 5 }] }).value,
    '&lt;b&gt;<mark class="cite" data-fields="current_balance">$1</mark>&lt;/b&gt;',
  );
});

test("a correction form needs a value or an explicit 'not in the document' for every field", () => {
  const fields = Object.fromEntries(Object.entries(RECORD).map(([k, v]) => [k, { value: v === null ? "" : String(v), notInDocument: v === null }]));
  const parsed = parseCorrection({ ...fields, current_balance: { value: "$214,905.12", notInDocument: false } });
  assert.equal(parsed.kind, "parsed");
  assert.deepEqual(parsed.kind === "parsed" && parsed.record, RECORD);
  const empty = parseCorrection({ ...fields, escrow_balance: { value: "", notInDocument: false }, lender_name: { value: "", notInDocument: true } });
  assert.equal(empty.kind, "invalid");
  assert.deepEqual(empty.kind === "invalid" && empty.problems.map((p) => p.field), ["lender_name", "escrow_balance"]);
  const malformed = parseCorrection({ ...fields, next_due_date: { value: "May 1", notInDocument: false } });
  assert.match(JSON.stringify(malformed), /expected a date as YYYY-MM-DD/);
});

test("a correction is resolved only when grounded; what changed is recorded with the previous values", () => {
  const refused = planResolution(item(), { decision: "correct", fields: { current_balance: { value: "199999.99", notInDocument: false } } });
  assert.equal(refused.kind, "refuse");
  const plan = planResolution(item(), { decision: "correct", fields: { current_balance: { value: "214905.12", notInDocument: false } } });
  assert.equal(plan.kind, "resolve");
  if (plan.kind !== "resolve") return;
  assert.equal(plan.resolution.decision, "correct");
  assert.deepEqual(plan.resolution.corrected_fields, ["current_balance"]);
  assert.equal(plan.resolution.previous?.current_balance, 241905.12);
  assert.deepEqual(plan.resolution.record, RECORD);
  assert.ok(plan.citations.current_balance?.length);
  // Marking a stated value "not in the document" is allowed: null needs no grounding.
  const nulled = planResolution(item({ record: RECORD }), { decision: "correct", fields: { escrow_balance: { value: "", notInDocument: true } } });
  assert.equal(nulled.kind === "resolve" && nulled.resolution.record?.escrow_balance, null);
});

test("accepting needs a grounded model record; a correction that changes nothing is an acceptance; rejecting always works", () => {
  assert.equal(planResolution(item(), { decision: "accept" }).kind, "refuse", "the misread balance is not stated");
  assert.equal(planResolution(item({ record: null }), { decision: "accept" }).kind, "refuse");
  const accepted = planResolution(item({ record: RECORD, shadow: true }), { decision: "accept" });
  assert.deepEqual(accepted.kind === "resolve" && accepted.resolution, {
    decision: "accept",
    previous: RECORD,
    record: RECORD,
    corrected_fields: [],
    shadow: true,
  });
  const unchanged = planResolution(item({ record: RECORD }), { decision: "correct", fields: {} });
  assert.equal(unchanged.kind === "resolve" && unchanged.resolution.decision, "accept");
  const rejected = planResolution(item({ text: null }), { decision: "reject" });
  assert.deepEqual(rejected.kind === "resolve" && rejected.resolution.record, null);
  assert.equal(planResolution(item({ text: null, record: RECORD }), { decision: "accept" }).kind, "refuse", "no text, nothing to check against");
});

test("sessions are signed and expire; the CSRF token belongs to one session", () => {
  const codec = new SessionCodec("s".repeat(32), 60_000);
  const session = codec.issue({ username: "ana", tenantId: "tenant-a" }, 1_000);
  const cookie = codec.encode(session);
  assert.deepEqual(codec.decode(cookie, 2_000), session);
  assert.equal(codec.decode(cookie, 61_001), null, "expired");
  const [body, mac] = cookie.split(".");
  const forged = Buffer.from(JSON.stringify({ ...session, reviewer: { username: "ana", tenantId: "tenant-b" } })).toString("base64url");
  assert.equal(codec.decode(`${forged}.${mac}`, 2_000), null, "a changed tenant breaks the signature");
  assert.equal(new SessionCodec("t".repeat(32), 60_000).decode(`${body}.${mac}`, 2_000), null, "another key");
  assert.ok(codec.checkCsrf(session, codec.csrfToken(session)));
  assert.equal(codec.checkCsrf(codec.issue(null, 1_000), codec.csrfToken(session)), false);
  assert.equal(codec.checkCsrf(session, undefined), false);
});

test("password hashes are salted scrypt and verify only the right password", async () => {
  const hash = await hashPassword("correct horse");
  assert.match(hash, /^scrypt\$16384\$8\$1\$/);
  assert.notEqual(hash, await hashPassword("correct horse"));
  assert.equal(await verifyPassword("correct horse", hash), true);
  assert.equal(await verifyPassword("correct horse!", hash), false);
  assert.equal(await verifyPassword("correct horse", "plain"), false);
});
