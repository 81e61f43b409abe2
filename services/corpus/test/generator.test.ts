import { test } from "node:test";
import assert from "node:assert/strict";
import { LIABILITY_TYPES, liabilityRecordSchema } from "@liability/domain";
import { FAMILIES, generateDocument, generateSplit, SPLITS, splitCounts, validateLabel } from "../src/index.ts";
import type { GeneratedDocument, Split } from "../src/index.ts";

// Small enough to keep the suite fast on a shared two-core machine, large enough to
// reach every family and most of the optional branches.
const PER_SPLIT = 240;
const corpus = new Map<Split, GeneratedDocument[]>(SPLITS.map((s) => [s, [...generateSplit(7, s, PER_SPLIT)]]));
const all = [...corpus.values()].flat();

test("every generated label is supported by its text", () => {
  const failures = all
    .map((d) => ({ d, issues: validateLabel(d.text, d.expected) }))
    .filter((x) => x.issues.length > 0)
    .map((x) => `${x.d.id} ${x.d.meta.family}: ${x.issues.map((i) => `${i.field} ${i.problem} (${i.detail})`).join("; ")}`);
  assert.deepEqual(failures, []);
});

test("documents are in the spec format with schema-valid labels", () => {
  for (const d of all.slice(0, 200)) {
    assert.ok(d.id && d.text.length > 0);
    assert.ok(d.kind === "statement" || d.kind === "call_transcript");
    assert.ok(liabilityRecordSchema.safeParse(d.expected).success, d.id);
  }
});

test("generation is deterministic per (seed, split, index) and depends on the seed", () => {
  assert.deepEqual(generateDocument(7, "train", 13), generateDocument(7, "train", 13));
  assert.deepEqual(generateDocument(7, "test", 3), corpus.get("test")![3]);
  assert.notEqual(generateDocument(8, "train", 13).text, generateDocument(7, "train", 13).text);
});

test("splits never share a layout family", () => {
  const seen = new Map<string, Split>();
  for (const d of all) {
    const prev = seen.get(d.meta.family);
    assert.ok(prev === undefined || prev === d.meta.split, `${d.meta.family} in ${prev} and ${d.meta.split}`);
    seen.set(d.meta.family, d.meta.split);
  }
  const ids = FAMILIES.map((f) => f.id);
  assert.equal(new Set(ids).size, ids.length, "family ids are unique");
});

test("each split covers all six liability types and both document kinds", () => {
  for (const [split, docs] of corpus) {
    const types = new Set(docs.map((d) => d.expected.liability_type));
    assert.deepEqual([...types].sort(), [...LIABILITY_TYPES].sort(), split);
    const kinds = new Set(docs.map((d) => d.kind));
    assert.equal(kinds.size, 2, split);
  }
});

test("the test split has several layout families of each kind, none seen in training", () => {
  const testFamilies = FAMILIES.filter((f) => f.split === "test");
  assert.ok(testFamilies.filter((f) => f.kind === "statement").length >= 4);
  assert.ok(testFamilies.filter((f) => f.kind === "call_transcript").length >= 2);
  const categories = new Set(testFamilies.map((f) => f.category));
  assert.ok(categories.size >= 4, "test layouts span several document categories");
});

test("hostile content appears in a share of documents and labels still hold", () => {
  const hostile = all.filter((d) => d.meta.hostile.length > 0);
  assert.ok(hostile.length > all.length * 0.1, `only ${hostile.length} hostile documents`);
  const injected = all.filter((d) => d.meta.hostile.includes("injection"));
  assert.ok(injected.length > 0);
  // An injection line names false figures; the label must not have taken them.
  for (const d of injected) {
    assert.notEqual(d.expected.current_balance, 0);
    assert.notEqual(d.expected.lender_name, "Acme Test Bank");
  }
});

test("nulls occur for every optional field, and present values are spread across fields", () => {
  for (const field of [
    "account_last4",
    "current_balance",
    "payoff_amount",
    "escrow_balance",
    "interest_rate",
    "monthly_payment",
    "next_due_date",
    "as_of_date",
    "payoff_good_through",
  ] as const) {
    const nulls = all.filter((d) => d.expected[field] === null).length;
    assert.ok(nulls > 0 && nulls < all.length, `${field}: ${nulls} nulls of ${all.length}`);
  }
});

test("documents stay short enough for a small model's context", () => {
  const short = all.filter((d) => d.text.length < 1500).length;
  assert.ok(short / all.length >= 0.8, `${short} of ${all.length} under 1,500 characters`);
});

test("split sizes follow 80/10/10", () => {
  assert.deepEqual(splitCounts(3000), { train: 2400, validation: 300, test: 300 });
  const c = splitCounts(5);
  assert.equal(c.train + c.validation + c.test, 5);
});
