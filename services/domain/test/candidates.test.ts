import assert from "node:assert/strict";
import { test } from "node:test";
import { buildCandidates, buildSourceIndex, candidateJsonValues, candidateSpans, lenderNameCandidates } from "../src/index.ts";

const candidatesOf = (text: string, referenceYear?: number) => buildCandidates(buildSourceIndex(text), referenceYear === undefined ? {} : { referenceYear });

test("amounts, rates, dates and last-4 are listed in the record's canonical JSON form", () => {
  const c = candidatesOf("Loan 7712-004-5518\nAmount Due $2,184.37\nMinimum $46.00\nRate 6.150%\nDue 05/01/2026\n");
  assert.ok(candidateJsonValues(c, "monthly_payment").includes("2184.37"));
  assert.ok(candidateJsonValues(c, "monthly_payment").includes("46"));
  assert.ok(candidateJsonValues(c, "interest_rate").includes("6.15"));
  assert.deepEqual(candidateJsonValues(c, "next_due_date"), ['"2026-05-01"']);
  // The date's year is a digit string too, but never an account's last four.
  assert.deepEqual(candidateJsonValues(c, "account_last4"), ['"5518"']);
});

test("spoken amounts and spoken account digits are candidates, with the span that states them", () => {
  const text = "REP: the balance is eleven thousand two hundred four dollars and eighteen cents. Account four four zero two.";
  const c = candidatesOf(text);
  const spans = candidateSpans(c, "current_balance", 11204.18);
  assert.equal(spans.length, 1);
  assert.match(text.slice(spans[0]!.start, spans[0]!.end), /^eleven thousand .* cents$/);
  assert.ok(candidateSpans(c, "account_last4", "4402").length > 0);
});

test("a yearless date takes the years of the document's other dates and the year after them", () => {
  const c = candidatesOf("Statement date 12/20/2026. Payment due Jan 14.");
  assert.ok(candidateSpans(c, "next_due_date", "2027-01-14").length > 0);
  assert.ok(candidateSpans(c, "next_due_date", "2026-01-14").length > 0);
  assert.equal(candidateSpans(c, "next_due_date", "2025-01-14").length, 0);
});

test("without other dates, a yearless date means a year near the reference year", () => {
  assert.equal(candidateJsonValues(candidatesOf("due June 9th"), "next_due_date").length, 0);
  assert.deepEqual(candidateJsonValues(candidatesOf("due June 9th", 2026), "next_due_date"), ['"2025-06-09"', '"2026-06-09"', '"2027-06-09"']);
  // 29 February only in the leap year among them.
  assert.deepEqual(candidateJsonValues(candidatesOf("due Feb 29", 2027), "next_due_date"), ['"2028-02-29"']);
});

test("a value the document does not state has no candidate, and a document without figures has none at all", () => {
  const c = candidatesOf("Balance $214,905.12 as of 04/02/2026");
  assert.equal(candidateSpans(c, "current_balance", 21111.99).length, 0);
  assert.equal(candidateSpans(c, "current_balance", 214905.13).length, 0);
  assert.ok(candidateSpans(c, "current_balance", 214905.12).length > 0);
  const empty = candidatesOf("Thank you for calling. Goodbye.");
  for (const field of ["current_balance", "interest_rate", "as_of_date", "account_last4"] as const) {
    assert.deepEqual(candidateJsonValues(empty, field), []);
  }
});

test("identifiers and phone numbers are not amounts or rates", () => {
  const c = candidatesOf("Loan 106916\nCall 1-800-555-0142\nPayoff $1,069.16\nAPR 19.36%\n");
  assert.ok(candidateSpans(c, "payoff_amount", 1069.16).length > 0);
  assert.equal(candidateSpans(c, "payoff_amount", 106916).length, 0);
  assert.equal(candidateSpans(c, "interest_rate", 800).length, 0);
  assert.ok(candidateSpans(c, "interest_rate", 19.36).length > 0);
  // A bare small amount without $ is still one ("minimum due 46").
  assert.ok(candidateSpans(candidatesOf("Minimum due 46"), "monthly_payment", 46).length > 0);
});

test("lender names are phrases of one line up to a clause break, as written and in title case", () => {
  const names = lenderNameCandidates("NORTHGATE SAVINGS BANK, N.A.\nREP: Thank you for calling Pinecrest Auto Credit, this is Dana.\n");
  for (const name of ["NORTHGATE SAVINGS BANK", "Northgate Savings Bank", "Pinecrest Auto Credit", "Pinecrest", "N.A."]) {
    assert.ok(names.includes(name), name);
  }
  // Nothing runs past the comma, across the line break, or starts with a lower-case word.
  assert.ok(!names.some((n) => n.includes("Credit this") || n.includes("N.A. REP") || n.startsWith("calling")));
  assert.ok(!names.includes("Pinecrest Auto Credit,"));
  assert.deepEqual(lenderNameCandidates("thank you, goodbye"), []);
});

test("the last four digits of a date, an amount, a phone number or a labelled reference are not account candidates", () => {
  const c = candidatesOf(
    [
      "Statement date 2026-04-02",
      "Paid $4,392.52 this year; interest 4917.56",
      "Customer Service: 1-800-555-2195   Hearing impaired: (888) 555-0288   Text 877.555.0826",
      "Your reference number is 754112861. NMLS ID #9887. Routing 021000021",
      "Loan number 7712-004-5518; card ending in 0931; account 4402 9913 8860",
    ].join("\n"),
  );
  assert.deepEqual(candidateJsonValues(c, "account_last4"), ['"0931"', '"5518"', '"8860"']);
});

test("an amount whose $ text recognition read as S is still an amount; a word ending in S is not", () => {
  const c = candidatesOf("New Balance S5,689.03\nMinimum Payment Due S171.00\nPOS1234 VISAS100\n");
  assert.ok(candidateSpans(c, "current_balance", 5689.03).length > 0);
  assert.ok(candidateSpans(c, "monthly_payment", 171).length > 0);
  assert.equal(candidateSpans(c, "monthly_payment", 100).length, 0);
});

test("caption tags are not part of a lender name", () => {
  assert.ok(lenderNameCandidates("<v Zach>Castellano & Delacroix Loan Company payoff department").includes("Castellano & Delacroix Loan Company"));
});

test("lender names: a recording's own headers and speaker tags are not names", () => {
  const names = lenderNameCandidates("WEBVTT\n\nIVR: Press 1.\nVerification complete.\nAgent: Redfern Mortgage, this is Lee.\n");
  for (const word of ["WEBVTT", "Webvtt", "IVR", "Ivr", "Verification", "Agent"]) assert.ok(!names.includes(word), word);
  assert.ok(names.includes("Redfern Mortgage"));
  const statement = lenderNameCandidates("Minimum Payment Due: $35.00\nCSR: Prairie Wind Credit Union, how can I help?\n");
  for (const word of ["Minimum", "CSR", "Csr"]) assert.ok(!statement.includes(word), word);
  assert.ok(statement.includes("Minimum Payment Due") && statement.includes("Prairie Wind Credit Union"));
});
