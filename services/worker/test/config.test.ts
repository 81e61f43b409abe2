import assert from "node:assert/strict";
import { test } from "node:test";
import { READER_FIELDS } from "@liability/domain";
import { loadWorkerConfig, validationPolicyFrom } from "../src/config.ts";

test("corroboration covers every field the reader knows unless configured otherwise", () => {
  assert.deepEqual(validationPolicyFrom(loadWorkerConfig({})).corroboratedFields, READER_FIELDS);
  assert.deepEqual(validationPolicyFrom(loadWorkerConfig({ VALIDATION_CORROBORATED_FIELDS: "none" })).corroboratedFields, []);
  assert.deepEqual(validationPolicyFrom(loadWorkerConfig({ VALIDATION_CORROBORATED_FIELDS: "current_balance, next_due_date" })).corroboratedFields, [
    "current_balance",
    "next_due_date",
  ]);
  assert.throws(
    () => loadWorkerConfig({ VALIDATION_CORROBORATED_FIELDS: "current_balance,lender" }),
    /VALIDATION_CORROBORATED_FIELDS.*unknown field\(s\) lender/s,
  );
});

test("the tenant allow-list is JSON per source system, and required outside the local profile", () => {
  assert.equal(loadWorkerConfig({}).TENANT_ALLOWLIST, undefined, "local: any source system may write for any tenant");
  const allowlist = loadWorkerConfig({ TENANT_ALLOWLIST: '{"lender-portal": ["tenant-a", "tenant-b"], "batch-import": "*"}' }).TENANT_ALLOWLIST;
  assert.deepEqual(allowlist?.get("lender-portal"), new Set(["tenant-a", "tenant-b"]));
  assert.equal(allowlist?.get("batch-import"), "any");
  assert.throws(() => loadWorkerConfig({ TENANT_ALLOWLIST: "lender-portal=tenant-a" }), /TENANT_ALLOWLIST.*not JSON/s);
  assert.throws(() => loadWorkerConfig({ TENANT_ALLOWLIST: '{"lender-portal": []}' }), /TENANT_ALLOWLIST/);
  const production = {
    DEPLOYMENT_PROFILE: "production",
    DATABASE_URL: "postgres://lre_worker:s3cret-from-vault@db.internal:5432/liability",
    DATABASE_TLS: "verify-full",
  };
  assert.throws(() => loadWorkerConfig(production), /TENANT_ALLOWLIST.*required outside DEPLOYMENT_PROFILE=local/s);
  assert.ok(loadWorkerConfig({ ...production, TENANT_ALLOWLIST: '{"lender-portal": ["tenant-a"]}' }).TENANT_ALLOWLIST);
});

test("REVIEW_SHADOW_SHARE is a share between 0 and 1, 0 by default", () => {
  assert.equal(loadWorkerConfig({}).REVIEW_SHADOW_SHARE, 0);
  assert.equal(loadWorkerConfig({ REVIEW_SHADOW_SHARE: "0.01" }).REVIEW_SHADOW_SHARE, 0.01);
  assert.throws(() => loadWorkerConfig({ REVIEW_SHADOW_SHARE: "5" }), /REVIEW_SHADOW_SHARE/);
});
