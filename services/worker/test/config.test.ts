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
