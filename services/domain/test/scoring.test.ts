import { test } from "node:test";
import assert from "node:assert/strict";
import { fieldMatches, lenderNamesMatch, normaliseLenderName, scoreRecord, summariseScores } from "../src/scoring.ts";
import type { LiabilityRecord } from "../src/record.ts";

const mortgage: LiabilityRecord = {
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

test("money is equal to the cent, not closer and not looser", () => {
  assert.equal(fieldMatches("current_balance", 214905.12, 214905.12), true);
  assert.equal(fieldMatches("current_balance", 214905.12, 214905.11), false);
  assert.equal(fieldMatches("monthly_payment", 46, 46.0), true);
  assert.equal(fieldMatches("monthly_payment", 412.5, 412.5), true);
  // binary noise from arithmetic must not make an equal amount wrong
  assert.equal(fieldMatches("payoff_amount", 0.3, 0.1 + 0.2), true);
  assert.equal(fieldMatches("escrow_balance", 0.29, 0.285 + 0.005), true);
  // a dollar figure read as cents, or the other way round, is wrong
  assert.equal(fieldMatches("current_balance", 1538.9, 153890), false);
  // strings are not numbers, even when they read the same
  assert.equal(fieldMatches("current_balance", 1538.9, "1538.90"), false);
  assert.equal(fieldMatches("current_balance", 1538.9, Number.NaN), false);
});

test("interest rate is compared to three decimals", () => {
  assert.equal(fieldMatches("interest_rate", 6.875, 6.875), true);
  assert.equal(fieldMatches("interest_rate", 6.15, 6.15), true);
  assert.equal(fieldMatches("interest_rate", 6.875, 6.88), false);
  assert.equal(fieldMatches("interest_rate", 6.875, 6.8754), true);
  assert.equal(fieldMatches("interest_rate", 22.49, 0.2249), false);
});

test("dates, liability type and last four are exact", () => {
  assert.equal(fieldMatches("next_due_date", "2026-05-01", "2026-05-01"), true);
  assert.equal(fieldMatches("next_due_date", "2026-05-01", "2026-5-1"), false);
  assert.equal(fieldMatches("as_of_date", "2026-04-02", "2026-02-04"), false);
  assert.equal(fieldMatches("payoff_good_through", "2026-06-09", "06/09/2026"), false);
  assert.equal(fieldMatches("liability_type", "heloc", "heloc"), true);
  assert.equal(fieldMatches("liability_type", "heloc", "mortgage"), false);
  assert.equal(fieldMatches("liability_type", "credit_card", "Credit_Card"), false);
  assert.equal(fieldMatches("account_last4", "0931", "0931"), true);
  assert.equal(fieldMatches("account_last4", "0931", "931"), false);
  assert.equal(fieldMatches("account_last4", "0931", 931), false);
});

test("null against a value is wrong both ways; null against null is right", () => {
  assert.equal(fieldMatches("payoff_amount", null, null), true);
  assert.equal(fieldMatches("payoff_amount", null, 0), false);
  assert.equal(fieldMatches("payoff_amount", 11391.62, null), false);
  assert.equal(fieldMatches("as_of_date", null, "2026-04-02"), false);
  assert.equal(fieldMatches("account_last4", "8860", null), false);
  // a key the model left out reads as "not stated"
  assert.equal(fieldMatches("escrow_balance", null, undefined), true);
  assert.equal(fieldMatches("escrow_balance", 3318.07, undefined), false);
});

test("lender names are normalised and match by containment either way", () => {
  assert.equal(normaliseLenderName("  Blue-Mesa   Credit, Union. "), "bluemesa credit union");
  assert.equal(lenderNamesMatch("Northgate Savings Bank", "NORTHGATE SAVINGS BANK"), true);
  assert.equal(lenderNamesMatch("Northgate Savings Bank", "Northgate  Savings   Bank, N.A."), true);
  assert.equal(lenderNamesMatch("Pinecrest Auto Credit, LLC", "Pinecrest Auto Credit"), true);
  assert.equal(lenderNamesMatch("Blue Mesa Credit Union", "Blue Mesa"), true);
  assert.equal(lenderNamesMatch("St. Clair Federal", "st clair federal"), true);
  assert.equal(lenderNamesMatch("Blue Mesa Credit Union", "Red Mesa Credit Union"), false);
  assert.equal(lenderNamesMatch("Northgate Savings Bank", "Southgate Savings Bank"), false);
  // punctuation-only or blank output is not a name and must not match by containment
  assert.equal(lenderNamesMatch("Northgate Savings Bank", "  ...  "), false);
  assert.equal(lenderNamesMatch("Northgate Savings Bank", ""), false);
  assert.equal(fieldMatches("lender_name", "Northgate Savings Bank", 42), false);
});

test("a record is right only when all 11 fields are right", () => {
  const perfect = scoreRecord(mortgage, { ...mortgage, lender_name: "NORTHGATE SAVINGS BANK" });
  assert.equal(perfect.correct, true);
  assert.deepEqual(perfect.wrongFields, []);

  const oneOff = scoreRecord(mortgage, { ...mortgage, escrow_balance: 3318.08 });
  assert.equal(oneOff.correct, false);
  assert.deepEqual(oneOff.wrongFields, ["escrow_balance"]);
  assert.equal(oneOff.fields.current_balance, true);

  const guessed = scoreRecord(mortgage, { ...mortgage, payoff_amount: 214905.12, as_of_date: null });
  assert.deepEqual(guessed.wrongFields, ["payoff_amount", "as_of_date"]);
});

test("no parseable output makes every field wrong", () => {
  const s = scoreRecord(mortgage, null);
  assert.equal(s.correct, false);
  assert.equal(s.wrongFields.length, 11);
});

test("summary gives record error rate and per-field accuracy", () => {
  const scores = [
    scoreRecord(mortgage, mortgage),
    scoreRecord(mortgage, { ...mortgage, interest_rate: 6.25 }),
    scoreRecord(mortgage, { ...mortgage, interest_rate: 6.25, next_due_date: "2026-06-01" }),
    scoreRecord(mortgage, mortgage),
  ];
  const summary = summariseScores(scores);
  assert.equal(summary.records, 4);
  assert.equal(summary.wrongRecords, 2);
  assert.equal(summary.recordErrorRate, 0.5);
  assert.equal(summary.fieldAccuracy.interest_rate, 0.5);
  assert.equal(summary.fieldAccuracy.next_due_date, 0.75);
  assert.equal(summary.fieldAccuracy.lender_name, 1);
  assert.equal(summary.fieldErrors.interest_rate, 2);

  const empty = summariseScores([]);
  assert.equal(empty.records, 0);
  assert.equal(empty.recordErrorRate, 0);
});
