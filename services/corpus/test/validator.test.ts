import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { dateCandidates, last4Candidates, moneyCandidates, rateCandidates, validateLabel } from "../src/validate.ts";

const EXAMPLES = fileURLToPath(new URL("../../../../shared/spec/examples.jsonl", import.meta.url));
const examples = existsSync(EXAMPLES)
  ? readFileSync(EXAMPLES, "utf8")
      .split("\n")
      .filter(Boolean)
      .map((l) => JSON.parse(l) as { id: string; text: string; expected: Record<string, unknown> })
  : [];

test("amounts are read in digit, word and colloquial forms", () => {
  const m = moneyCandidates(
    "Payoff is $11,391.62. Balance eleven thousand two hundred four dollars and eighteen cents. Four twelve fifty. 2,945 dollars and 6 cents. USD 1,538.90",
  );
  for (const cents of [1139162, 1120418, 41250, 294506, 153890]) assert.ok(m.has(cents), `missing ${cents}`);
  assert.ok(moneyCandidates("twenty-one eighty-four thirty-seven").has(218437));
  assert.ok(moneyCandidates("one hundred forty-eight thousand one hundred thirty-three dollars and fifty-eight cents").has(14813358));
});

test("dates are read in every common US form, spoken ones included", () => {
  const text = [
    "04/02/2026",
    "5/1/26",
    "2026-06-09",
    "Apr. 12, 2026",
    "02-APR-2027",
    "15MAR25",
    "APR 02 2024",
    "June ninth, twenty twenty-six",
    "the twenty-first of July, 2025",
    "November 3rd 2027",
    "7 November 2027",
    "Thursday, October 1, 2026",
    "December 4, two thousand twenty-seven",
  ].join(" ; ");
  const d = dateCandidates(text);
  for (const iso of [
    "2026-04-02",
    "2026-05-01",
    "2026-06-09",
    "2026-04-12",
    "2027-04-02",
    "2025-03-15",
    "2024-04-02",
    "2026-06-09",
    "2025-07-21",
    "2027-11-03",
    "2027-11-07",
    "2026-10-01",
    "2027-12-04",
  ])
    assert.ok(d.has(iso), `missing ${iso}`);
  // month-first US order: 04/02 is April 2, never 4 February
  assert.ok(!dateCandidates("04/02/2026").has("2026-02-04"));
});

test("rates are read from digits and from speech", () => {
  const r = rateCandidates("APR 22.49% ; 6.1500 % ; six point eight seven five percent ; six and a half percent ; 5 percent");
  for (const v of [22490, 6150, 6875, 6500, 5000]) assert.ok(r.has(v), `missing ${v}`);
  assert.ok(!rateCandidates("a balance of 6.15 dollars").has(6150), "a number without % is not a rate");
});

test("account last four is found in grouped, masked and spoken account numbers", () => {
  const l = last4Candidates("Loan 7712-004-5518, card XXXX XXXX XXXX 0931, it's 4402 9913 8860, ending eight eight six oh, double seven one two");
  for (const v of ["5518", "0931", "8860", "7712"]) assert.ok(l.has(v), `missing ${v}`);
});

test("the spec's hand-written examples pass the validator", { skip: examples.length === 0 && "examples.jsonl not found" }, () => {
  for (const ex of examples) assert.deepEqual(validateLabel(ex.text, ex.expected), [], ex.id);
});

test("wrong labels on the spec's examples are caught", { skip: examples.length === 0 && "examples.jsonl not found" }, () => {
  const [stmt, call, card] = examples;
  const fields = (text: string, label: unknown) => validateLabel(text, label).map((i) => `${i.field}:${i.problem}`);

  assert.deepEqual(fields(stmt!.text, { ...stmt!.expected, current_balance: 214905.21 }), ["current_balance:unsupported"]);
  // the original principal style mistake: taking the payment for the balance is still "supported" text,
  // but a value that appears nowhere is not
  assert.deepEqual(fields(stmt!.text, { ...stmt!.expected, escrow_balance: null }), ["escrow_balance:implausible_null"]);
  assert.deepEqual(fields(stmt!.text, { ...stmt!.expected, liability_type: "student_loan" }), ["liability_type:unsupported"]);
  assert.deepEqual(fields(call!.text, { ...call!.expected, lender_name: "Pinecrest Home Loans" }), ["lender_name:unsupported"]);
  assert.deepEqual(fields(call!.text, { ...call!.expected, payoff_good_through: "2026-09-06" }), ["payoff_good_through:unsupported"]);
  assert.deepEqual(fields(card!.text, { ...card!.expected, interest_rate: 22.5 }), ["interest_rate:unsupported"]);
  assert.deepEqual(fields(card!.text, { ...card!.expected, account_last4: "9310" }), ["account_last4:unsupported"]);
  assert.deepEqual(fields(card!.text, { ...card!.expected, as_of_date: null }), ["as_of_date:implausible_null"]);
  assert.equal(validateLabel(card!.text, { ...card!.expected, monthly_payment: "46.00" })[0]?.problem, "schema");
});
