// Shadow sampling (REVIEW_SHADOW_SHARE): a share of accepted records also goes to review, chosen
// by the document's key so that a redelivery makes the same choice; the record is still accepted.
import assert from "node:assert/strict";
import { test } from "node:test";
import { inShadowSample } from "../src/core/shadow.ts";
import { documentMessage, processorOver, STATEMENT, TENANT } from "./support/core-fakes.ts";

test("the choice depends on the key alone and takes about the configured share", () => {
  const keys = Array.from({ length: 4_000 }, (_, i) => ({ tenantId: TENANT, documentId: `doc-${i}` }));
  const chosen = keys.filter((k) => inShadowSample(k, 0.1));
  assert.ok(chosen.length > 320 && chosen.length < 480, `about 10% chosen, got ${chosen.length}`);
  assert.deepEqual(
    keys.filter((k) => inShadowSample(k, 0.1)),
    chosen,
    "the same keys again",
  );
  assert.equal(
    keys.some((k) => inShadowSample(k, 0)),
    false,
  );
  assert.equal(
    keys.every((k) => inShadowSample(k, 1)),
    true,
  );
  // Other tenants' documents with the same ids are chosen independently.
  const other = keys.filter((k) => inShadowSample({ tenantId: "tenant-other", documentId: k.documentId }, 0.1));
  assert.notDeepEqual(
    other.map((k) => k.documentId),
    chosen.map((k) => k.documentId),
  );
});

test("a sampled accepted record is written as accepted and queued for review with its text, marked shadow", async () => {
  const { store, handle } = processorOver({ reviewShadowShare: 1 });
  await handle([documentMessage("doc-shadow", 1)]);
  const row = store.record("doc-shadow");
  assert.equal(row?.status, "accepted");
  assert.equal(row?.shadow, true);
  assert.equal(row?.reviewDocument?.kind, "statement");
  assert.equal(row?.reviewDocument?.text, STATEMENT);
  assert.equal(store.reviews.size, 1);
  assert.equal(store.outbox.length, 1, "the accepted record's event goes out as usual");
});

test("with no share, an accepted record keeps no text and queues nothing", async () => {
  const { store, handle } = processorOver();
  await handle([documentMessage("doc-plain", 1)]);
  assert.equal(store.record("doc-plain")?.shadow, false);
  assert.equal(store.record("doc-plain")?.reviewDocument, null);
  assert.equal(store.reviews.size, 0);
});
