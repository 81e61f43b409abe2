import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { labelledDocumentSchema } from "../src/record.ts";
import type { LiabilityRecord } from "../src/record.ts";
import { DEFAULT_VALIDATION_POLICY, RULES, reasonCode, validateExtraction } from "../src/validation/index.ts";
import type { ValidationResult } from "../src/validation/index.ts";

const examples = readFileSync(new URL("../../../../shared/spec/examples.jsonl", import.meta.url), "utf8")
  .trim()
  .split("\n")
  .map((line) => labelledDocumentSchema.parse(JSON.parse(line)));
const byId = (id: string) => examples.find((e) => e.id === id)!;
const mortgage = byId("ex-001");
const autoCall = byId("ex-002");
const card = byId("ex-003");

const REFERENCE = new Date("2026-04-20T12:00:00Z");

/** Each test here looks at one rule; corroboration (which also fires where a contrived text labels less) has its own tests in reader.test.ts. */
const ONE_RULE_POLICY = { ...DEFAULT_VALIDATION_POLICY, corroboratedFields: [] };

function validate(text: string, record: unknown, extra: Partial<Parameters<typeof validateExtraction>[0]> = {}): ValidationResult {
  return validateExtraction({ text, output: record, referenceDate: REFERENCE, ...extra }, ONE_RULE_POLICY);
}

function codes(result: ValidationResult): string[] {
  return result.reasons.map(reasonCode);
}

function withFields(base: LiabilityRecord, changes: Partial<LiabilityRecord>): LiabilityRecord {
  return { ...base, ...changes };
}

test("every labelled example is accepted as labelled, with a citation for every non-null field", () => {
  for (const doc of examples) {
    const result = validate(doc.text, doc.expected);
    assert.equal(result.status, "accepted", `${doc.id}: ${codes(result).join(", ")}`);
    assert.deepEqual(result.reasons, []);
    for (const [field, value] of Object.entries(doc.expected!)) {
      if (value === null || field === "liability_type") continue;
      assert.ok((result.citations as Record<string, unknown[]>)[field]?.length, `${doc.id}: no citation for ${field}`);
    }
  }
});

test("citations point at the text that states the value", () => {
  const result = validate(autoCall.text, autoCall.expected);
  const quote = (field: keyof LiabilityRecord) => result.citations[field]!.map((s) => autoCall.text.slice(s.start, s.end));
  assert.deepEqual(quote("current_balance"), ["eleven thousand two hundred four dollars and eighteen cents"]);
  assert.deepEqual(quote("payoff_good_through"), ["June 9th, 2026"]);
  assert.deepEqual(quote("account_last4"), ["8860"]);
  assert.ok(quote("monthly_payment").includes("$412.50"));
  assert.ok(quote("monthly_payment").includes("Four twelve fifty"));
  assert.deepEqual(quote("lender_name"), ["Pinecrest Auto Credit", "Pinecrest Auto Credit"]);
});

test("schema: unparseable output, missing keys, extra keys and wrong types go to review without a record", () => {
  const notJson = validate(card.text, "{liability_type: credit_card");
  assert.equal(notJson.status, "review");
  assert.equal(notJson.record, null);
  assert.deepEqual(codes(notJson), [RULES.schemaUnparseable]);

  const { as_of_date: _dropped, ...missing } = card.expected!;
  assert.deepEqual(codes(validate(card.text, missing)), [`${RULES.schemaInvalid}:as_of_date`]);

  assert.deepEqual(codes(validate(card.text, { ...card.expected, notes: "x" })), [RULES.schemaInvalid]);
  assert.deepEqual(codes(validate(card.text, { ...card.expected, current_balance: "1,538.90" })), [`${RULES.schemaInvalid}:current_balance`]);
  assert.deepEqual(codes(validate(card.text, { ...card.expected, liability_type: "visa" })), [`${RULES.schemaInvalid}:liability_type`]);
  assert.deepEqual(codes(validate(card.text, JSON.stringify({ ...card.expected, next_due_date: "2026-02-30" }))), [`${RULES.schemaInvalid}:next_due_date`]);
});

test("plausibility: negative amounts", () => {
  const text = `${card.text}\nCredit balance -$12.00`;
  const result = validate(text, withFields(card.expected!, { current_balance: -12 }));
  assert.ok(codes(result).includes(`${RULES.negativeAmount}:current_balance`));
});

test("plausibility: amounts and rates beyond sane bounds for the liability type", () => {
  const text = `${card.text}\nNew Balance $912,000.00`;
  const huge = validate(text, withFields(card.expected!, { current_balance: 912_000 }));
  assert.ok(codes(huge).includes(`${RULES.amountOutOfBounds}:current_balance`));

  const rateText = mortgage.text.replace("6.150%", "61.50%");
  const rate = validate(rateText, withFields(mortgage.expected!, { interest_rate: 61.5 }));
  assert.deepEqual(codes(rate), [`${RULES.interestRateOutOfBounds}:interest_rate`]);
});

test("plausibility: escrow only for mortgages", () => {
  const text = `${card.text}\nEscrow Balance $100.00`;
  const result = validate(text, withFields(card.expected!, { escrow_balance: 100 }));
  assert.deepEqual(codes(result), [`${RULES.escrowNotApplicable}:escrow_balance`]);
});

test("plausibility: payoff must be close to the balance, within the configured tolerance", () => {
  const text = autoCall.text.replace("$11,391.62", "$21,391.62");
  const far = validate(text, withFields(autoCall.expected!, { payoff_amount: 21_391.62 }));
  assert.deepEqual(codes(far), [`${RULES.payoffFarFromBalance}:payoff_amount`]);

  const strict = validateExtraction(
    { text: autoCall.text, output: autoCall.expected, referenceDate: REFERENCE },
    { ...DEFAULT_VALIDATION_POLICY, payoffTolerance: { relative: 0.01, absolute: 50 } },
  );
  assert.deepEqual(codes(strict), [`${RULES.payoffFarFromBalance}:payoff_amount`]);
});

test("plausibility: good-through not before the as-of date, due date not before it either", () => {
  const text = `${autoCall.text}\nQuoted on June 20, 2026.`;
  const late = validate(text, withFields(autoCall.expected!, { as_of_date: "2026-06-20" }), {
    referenceDate: new Date("2026-06-20T00:00:00Z"),
  });
  assert.deepEqual(codes(late), [`${RULES.goodThroughBeforeAsOf}:payoff_good_through`]);

  const due = validate(mortgage.text, withFields(mortgage.expected!, { next_due_date: "2026-04-02", as_of_date: "2026-05-01" }));
  assert.ok(codes(due).includes(`${RULES.dueDateBeforeAsOf}:next_due_date`));
});

test("plausibility: dates within a sane window of the reference date", () => {
  const oldText = mortgage.text.replace("04/02/2026", "04/02/2016");
  const old = validate(oldText, withFields(mortgage.expected!, { as_of_date: "2016-04-02" }));
  assert.deepEqual(codes(old), [`${RULES.dateOutOfWindow}:as_of_date`]);

  // The same statement read long before it was issued: the as-of date lies in the future.
  const early = validate(mortgage.text, mortgage.expected, { referenceDate: new Date("2025-01-01T00:00:00Z") });
  assert.ok(codes(early).includes(`${RULES.dateOutOfWindow}:as_of_date`));
});

test("grounding: a value the text does not state is a hallucination", () => {
  const result = validate(
    mortgage.text,
    withFields(mortgage.expected!, {
      current_balance: 214_950.12,
      interest_rate: 6.125,
      next_due_date: "2026-05-02",
      account_last4: "7712",
      lender_name: "Northgate Federal Bank",
      payoff_amount: 215_000,
    }),
  );
  assert.equal(result.status, "review");
  for (const field of ["current_balance", "interest_rate", "next_due_date", "account_last4", "lender_name", "payoff_amount"]) {
    assert.ok(codes(result).includes(`${RULES.ungrounded}:${field}`), field);
  }
  // What is grounded still gets its citation.
  assert.ok(result.citations.escrow_balance?.length);
  assert.equal(result.citations.current_balance, undefined);
});

test("grounding: a rate given as a fraction instead of a percent is not grounded", () => {
  const result = validate(mortgage.text, withFields(mortgage.expected!, { interest_rate: 0.0615 }));
  assert.ok(codes(result).includes(`${RULES.ungrounded}:interest_rate`));
});

test("grounding: account digits must be the last four of a number, spoken or written", () => {
  const spoken = autoCall.text.replace("4402 9913 8860", "forty-four oh two, ninety-nine thirteen, eighty-eight sixty");
  assert.equal(validate(spoken, autoCall.expected).status, "accepted");
  const middle = validate(autoCall.text, withFields(autoCall.expected!, { account_last4: "9913" }));
  // Not the last four of any number, and not those the document labels as the account's.
  assert.deepEqual(codes(middle), [`${RULES.ungrounded}:account_last4`, `${RULES.valueNotAtLabel}:account_last4`]);
});

test("grounding: a yearless date grounds a date near the reference year only", () => {
  const text = autoCall.text.replace("June 9th, 2026", "June 9th");
  assert.equal(validate(text, autoCall.expected).status, "accepted");
  const farYear = validate(text, withFields(autoCall.expected!, { payoff_good_through: "2029-06-09" }), {
    referenceDate: new Date("2029-05-01T00:00:00Z"),
  });
  assert.equal(farYear.status, "accepted");
  const wrongYear = validate(text, withFields(autoCall.expected!, { payoff_good_through: "2028-06-09" }));
  assert.ok(codes(wrongYear).includes(`${RULES.ungrounded}:payoff_good_through`));
});

test("consistency: the document's own labels decide which balance is the balance", () => {
  // The model took the previous balance instead of the new one; both are in the text.
  const result = validate(card.text, withFields(card.expected!, { current_balance: 1905.44 }));
  assert.deepEqual(codes(result), [`${RULES.valueNotAtLabel}:current_balance`]);
});

test("confidence: below the threshold goes to review; unavailable only when required", () => {
  const low = validate(card.text, card.expected, {
    confidence: { available: true, fields: { current_balance: 0.31, lender_name: 0.99 } },
  });
  assert.deepEqual(codes(low), [RULES.confidenceBelowThreshold]);
  assert.equal(low.confidence, 0.31);

  const high = validate(card.text, card.expected, { confidence: { available: true, fields: { current_balance: 0.93 } } });
  assert.equal(high.status, "accepted");
  assert.equal(high.confidence, 0.93);

  const none = { available: false, fields: {} };
  assert.equal(validate(card.text, card.expected, { confidence: none }).status, "accepted");
  const required = validateExtraction(
    { text: card.text, output: card.expected, confidence: none, referenceDate: REFERENCE },
    { ...DEFAULT_VALIDATION_POLICY, requireConfidence: true },
  );
  assert.deepEqual(codes(required), [RULES.confidenceUnavailable]);
});

test("a document the model saw only in part goes to review", () => {
  assert.deepEqual(codes(validate(card.text, card.expected, { truncated: true })), [RULES.inputTruncated]);
});

test("reasons never quote document text", () => {
  const result = validate(mortgage.text, withFields(mortgage.expected!, { current_balance: 1, lender_name: "Somebody Else", account_last4: "0000" }));
  for (const reason of result.reasons) {
    assert.ok(!reason.message.includes("7712-004-5518"));
    assert.ok(!reason.message.toLowerCase().includes("alder way"));
    assert.ok(!reason.message.includes("Somebody Else"));
  }
});

test("consistency: a spoken correction replaces the figure it corrects", () => {
  const text = "REP: Acme Bank. AGENT: What's the unpaid principal?\nREP: The principal balance is $194,848.05. Wait, let me correct that, it's $195,848.05.\n";
  const record = {
    ...autoCall.expected!,
    lender_name: "Acme Bank",
    account_last4: null,
    payoff_amount: null,
    payoff_good_through: null,
    monthly_payment: null,
    current_balance: 195_848.05,
  };
  assert.equal(validate(text, record).status, "accepted", codes(validate(text, record)).join(", "));
  assert.deepEqual(codes(validate(text, { ...record, current_balance: 194_848.05 })), [`${RULES.valueNotAtLabel}:current_balance`]);
});

test("consistency: look-alike labels and fees are not the balance or the payoff", () => {
  const text = [
    "ACME BANK PAYOFF QUOTE",
    "Current Principal | 37558.99",
    "Payoff statement fee | 20.00",
    "Suspense Balance: $0.00",
    "escro balance is nine thousand nine hundred eighty-four dollars",
    "TOTAL PAYOFF | 37772.93",
    "Good through 07/07/2024",
  ].join("\n");
  const record = {
    liability_type: "mortgage",
    lender_name: "Acme Bank",
    account_last4: null,
    current_balance: 37558.99,
    payoff_amount: 37772.93,
    payoff_good_through: "2024-07-07",
    escrow_balance: null,
    interest_rate: null,
    monthly_payment: null,
    next_due_date: null,
    as_of_date: null,
  };
  const result = validate(text, record, { referenceDate: new Date("2024-06-21T00:00:00Z") });
  assert.equal(result.status, "accepted", codes(result).join(", "));
});

test("validation never throws, whatever the text and the output", () => {
  let seed = 12345;
  const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  const pieces = [
    "$",
    "1,2",
    "34.5",
    "6",
    " dollars and ",
    " cents",
    "June ",
    "ninth",
    " twenty twenty",
    "-",
    "/",
    "APR ",
    "%",
    "\n",
    "balance ",
    "payoff ",
    "Sorry, ",
    "oh ",
    "double ",
    "point ",
    "30JAN",
    "2026",
    "<!--",
    "\u200b",
    "é",
    "\u0000",
  ];
  const values = [null, 0, -1, 1e20, 12.34567, "x", "2026-02-30", "", [], {}, true];
  for (let i = 0; i < 300; i += 1) {
    let text = "";
    for (let k = 0; k < 40; k += 1) text += pieces[Math.floor(random() * pieces.length)];
    const record: Record<string, unknown> = { ...mortgage.expected! };
    for (const key of Object.keys(record)) if (random() < 0.2) record[key] = values[Math.floor(random() * values.length)];
    const result = validate(text, random() < 0.1 ? text : record);
    assert.ok(result.status === "accepted" || result.status === "review");
  }
});

test("consistency: stacked labels of a flattened two-column layout do not claim the wrong amount", () => {
  const text = [
    "Granite Falls Federal Credit Union",
    "Account 627257656137",
    "Amount Due",
    "Loan Balance",
    "$ 196.49",
    "$ 4,371.30",
    "Int Rate",
    "11.02%",
  ].join("\n");
  const record = {
    liability_type: "personal_loan",
    lender_name: "Granite Falls Federal Credit Union",
    account_last4: "6137",
    current_balance: 4371.3,
    payoff_amount: null,
    payoff_good_through: null,
    escrow_balance: null,
    interest_rate: 11.02,
    monthly_payment: 196.49,
    next_due_date: null,
    as_of_date: null,
  };
  const result = validate(text, record);
  assert.equal(result.status, "accepted", codes(result).join(", "));
});
