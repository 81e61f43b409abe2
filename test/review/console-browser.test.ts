// The acceptance walk in headless Chromium (Debian's chromium, driven by playwright-core, which
// never downloads a browser): a reviewer signs in, sees only their tenant's queue, opens an item,
// sees the citations highlighted, corrects a field with the keyboard and the form; the database,
// the outbox event and the training export show the correction; the other tenant's reviewer can
// neither see nor change it, by the UI or by direct HTTP. Takes the screenshots docs/review-console.md shows.
import assert from "node:assert/strict";
import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { after, before, test } from "node:test";
import { fromBinary } from "@bufbuild/protobuf";
import { LiabilityRecordedSchema, ReviewDecision } from "@liability/contracts";
import { chromium } from "playwright-core";
import type { Browser, Page } from "playwright-core";
import { query } from "../worker/support/env.ts";
import { ConsoleSession, DOCS, MISREAD_CARD_PAYMENT, startConsoleFixture, TRUE_CARD_PAYMENT, USERS } from "./support/console-fixture.ts";
import type { ConsoleFixture } from "./support/console-fixture.ts";
import { exportReviewed } from "./support/flywheel.ts";

const CHROMIUM = "/usr/bin/chromium";
// Every run keeps its screenshots with the test results; LRE_UPDATE_SCREENSHOTS=true refreshes the
// ones docs/review-console.md shows (tracked files, so not on every run).
const SCREENSHOTS = fileURLToPath(
  new URL(process.env.LRE_UPDATE_SCREENSHOTS === "true" ? "../../docs/img/" : "../../.cache/test-results/review-console/", import.meta.url),
);

let f: ConsoleFixture;
let browser: Browser;

before(async () => {
  assert.ok(existsSync(CHROMIUM), `${CHROMIUM} missing: apt-get install -y chromium (scripts/setup.sh does)`);
  mkdirSync(SCREENSHOTS, { recursive: true });
  f = await startConsoleFixture();
  // launch() gives Chromium a fresh --user-data-dir of its own (a temporary folder, removed on
  // close); each reviewer gets a browser context of their own inside it, with its own cookies.
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
});
after(async () => {
  await browser?.close();
  await f?.cleanup();
});

async function signIn(user: { username: string; password: string }): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  const page = await context.newPage();
  await page.goto(`${f.baseUrl}/`);
  assert.match(page.url(), /\/login$/, "the queue asks to sign in first");
  await page.getByLabel("User name").fill(user.username);
  await page.getByLabel("Password").fill(user.password);
  await Promise.all([page.waitForURL(`${f.baseUrl}/`), page.getByRole("button", { name: "Sign in" }).click()]);
  return page;
}

test("a reviewer corrects a field in the browser; the database, the event and the export show it; the other tenant cannot touch it", async () => {
  const page = await signIn(USERS.ana);
  assert.equal(await page.locator("[data-tenant]").textContent(), USERS.ana.tenant);
  const rows = page.locator("[data-queue-row] td:first-child a");
  assert.deepEqual((await rows.allTextContents()).sort(), [DOCS.accepted.id, DOCS.cardPayment.id, DOCS.hallucinated.id]);
  assert.equal(await page.getByText(DOCS.otherTenant.id).count(), 0, "the other tenant's item is not listed");
  await page.screenshot({ path: join(SCREENSHOTS, "review-queue.png"), fullPage: true });

  // j/k move through the queue, Enter opens.
  const id = await f.itemId(DOCS.cardPayment);
  const index = (await rows.allTextContents()).indexOf(DOCS.cardPayment.id);
  for (let i = 0; i < index; i++) await page.keyboard.press("j");
  await Promise.all([page.waitForURL(`${f.baseUrl}/items/${id}`), page.keyboard.press("Enter")]);

  // The cited values are highlighted in the text; the misread payment has no citation.
  const document = page.locator("[data-document]");
  assert.ok((await document.locator("mark.cite").count()) >= 5);
  assert.equal(await document.locator('mark.cite[data-fields~="interest_rate"]').first().textContent(), "22.49%");
  assert.equal(await page.locator('[data-cited="monthly_payment"]').count(), 0);
  assert.match((await page.locator(".reasons").textContent()) ?? "", /grounding\.ungrounded_value:monthly_payment/);
  await page.locator('[data-field-row="interest_rate"]').hover();
  assert.equal(await document.locator("mark.cite.active").count(), await document.locator('mark.cite[data-fields~="interest_rate"]').count());
  await page.screenshot({ path: join(SCREENSHOTS, "review-item.png"), fullPage: true });

  // e focuses the form; an ungrounded value is refused on the page, the true one is saved.
  await page.keyboard.press("e");
  const payment = page.locator("#value-monthly_payment");
  await payment.fill("99.99");
  await page.locator("#save-correction").click();
  assert.match((await page.locator(".problems").textContent()) ?? "", /monthly_payment: amount 99\.99 is not stated/);
  await page.locator("#value-monthly_payment").fill(String(TRUE_CARD_PAYMENT));
  await Promise.all([page.waitForURL(`${f.baseUrl}/items/${id}`), page.locator("#save-correction").click()]);
  assert.match((await page.locator("h2", { hasText: "Resolved" }).textContent()) ?? "", /Resolved: correct by ana/);
  assert.equal(await page.locator("[data-corrected]").textContent(), "monthly_payment");
  assert.equal(await page.locator('[data-value="monthly_payment"]').textContent(), String(TRUE_CARD_PAYMENT));

  // The database: item resolved, record corrected, one audit row.
  const [record] = await query<{ status: string; monthly_payment: string }>(
    f.ctx.db.adminUrl,
    "SELECT status, monthly_payment FROM liability_records WHERE tenant_id = $1 AND document_id = $2",
    [DOCS.cardPayment.tenantId, DOCS.cardPayment.id],
  );
  assert.deepEqual(record, { status: "accepted", monthly_payment: TRUE_CARD_PAYMENT.toFixed(2) });
  assert.equal((await query(f.ctx.db.adminUrl, "SELECT 1 FROM review_audit WHERE review_item_id = $1 AND action = 'correct'", [id])).length, 1);

  // The outbox event carries the previous and the new value.
  const [outbox] = await query<{ payload: Buffer }>(f.ctx.db.adminUrl, "SELECT payload FROM outbox WHERE aggregate_key = $1 ORDER BY id DESC LIMIT 1", [
    DOCS.cardPayment.id,
  ]);
  const event = fromBinary(LiabilityRecordedSchema, outbox!.payload);
  assert.equal(event.review?.decision, ReviewDecision.CORRECTED);
  assert.equal(event.review?.previousRecord?.monthlyPayment, MISREAD_CARD_PAYMENT);
  assert.equal(event.record?.monthlyPayment, TRUE_CARD_PAYMENT);

  // The training export has the corrected label.
  const exported = (await exportReviewed(f.ctx.db.schema)).find((e) => e.id === DOCS.cardPayment.id);
  assert.equal((exported?.expected as Record<string, unknown> | undefined)?.monthly_payment, TRUE_CARD_PAYMENT);

  // The other tenant's reviewer: not in their queue, not found by URL, and not changeable by direct HTTP with their own session.
  const other = await signIn(USERS.bo);
  assert.equal(await other.getByText(DOCS.cardPayment.id).count(), 0);
  const response = await other.goto(`${f.baseUrl}/items/${id}`);
  assert.equal(response?.status(), 404);
  assert.equal(await other.locator("[data-document]").count(), 0, "no text of the other tenant's document");
  const bo = await ConsoleSession.signIn(f.baseUrl, USERS.bo);
  assert.equal((await bo.postJson(`/api/items/${id}/resolve`, { decision: "reject" })).status, 404);
  assert.equal((await bo.form(`/items/${id}/reject`, {})).status, 404);
  const [after] = await query<{ status: string }>(f.ctx.db.adminUrl, "SELECT status FROM liability_records WHERE tenant_id = $1 AND document_id = $2", [
    DOCS.cardPayment.tenantId,
    DOCS.cardPayment.id,
  ]);
  assert.equal(after!.status, "accepted", "still the reviewer's correction");
});

test("the keyboard's common path: a accepts, r rejects after a confirmation", async () => {
  const page = await signIn(USERS.ana);
  const acceptedId = await f.itemId(DOCS.accepted);
  await page.goto(`${f.baseUrl}/items/${acceptedId}`);
  await page.keyboard.press("a");
  await page.waitForSelector("text=Resolved: accept by ana");
  const otherId = await f.itemId(DOCS.hallucinated);
  await page.goto(`${f.baseUrl}/items/${otherId}`);
  page.once("dialog", (dialog) => void dialog.accept());
  await page.keyboard.press("r");
  await page.waitForSelector("text=Resolved: reject by ana");
  const [record] = await query<{ status: string }>(f.ctx.db.adminUrl, "SELECT status FROM liability_records WHERE tenant_id = $1 AND document_id = $2", [
    DOCS.hallucinated.tenantId,
    DOCS.hallucinated.id,
  ]);
  assert.equal(record!.status, "rejected");
  await page.goto(`${f.baseUrl}/`);
  assert.match((await page.locator("[data-shadow-rate]").textContent()) ?? "", /1 reviewed, 0 corrected or rejected/);
});
