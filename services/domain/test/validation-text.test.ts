import { test } from "node:test";
import assert from "node:assert/strict";
import { buildSourceIndex } from "../src/validation/mentions.ts";
import { findLenderName } from "../src/validation/grounding.ts";
import { findNumberWordRuns, spokenAmountCandidatesInCents } from "../src/validation/spoken-numbers.ts";

function centsIn(text: string): number[] {
  return buildSourceIndex(text)
    .money.flatMap((m) => [...m.cents])
    .sort((a, b) => a - b);
}

function spokenCents(phrase: string): number[] {
  const run = findNumberWordRuns(phrase)[0];
  assert.ok(run, `no number words in ${phrase}`);
  return [...spokenAmountCandidatesInCents(run.tokens.map((t) => t.word))].sort((a, b) => a - b);
}

function datesIn(text: string): string[] {
  return buildSourceIndex(text).dates.map((d) => `${d.year ?? "????"}-${String(d.month).padStart(2, "0")}-${String(d.day).padStart(2, "0")}`);
}

test("money written as numerals: dollar sign, thousands separators, spaces after $, no cents", () => {
  assert.deepEqual(centsIn("Balance $1,234.56"), [123456]);
  assert.deepEqual(centsIn("Balance 1234.56"), [123456]);
  assert.deepEqual(centsIn("Purchases +$  612.09"), [61209]);
  assert.deepEqual(centsIn("Minimum Payment Due $46"), [4600]);
  assert.deepEqual(centsIn("about $1.2 million"), [120_000_000]);
});

test("money spoken in words, including the shorthand people use on calls", () => {
  assert.ok(spokenCents("eleven thousand two hundred four dollars and eighteen cents").includes(1_120_418));
  assert.ok(spokenCents("Four twelve fifty.").includes(41_250));
  assert.ok(spokenCents("two thousand one hundred eighty-four thirty-seven").includes(218_437));
  assert.ok(spokenCents("twelve hundred dollars").includes(120_000));
  assert.ok(spokenCents("three hundred and six dollars").includes(30_600));
  assert.ok(spokenCents("forty-six dollars even").includes(4_600));
  assert.ok(spokenCents("ninety-nine cents").includes(99));
});

test("a full stop ends a spoken number, so two sentences are not read as one amount", () => {
  const runs = findNumberWordRuns("Four twelve fifty. Twelve hundred.");
  assert.equal(runs.length, 2);
});

test("a strict cardinal reading: 'four twelve fifty' is not 66", () => {
  assert.ok(!spokenCents("four twelve fifty").includes(6_600));
});

test("a hundreds group only ends a number read in groups: 'one hundred eighty-two dollars' is not 10,082", () => {
  assert.deepEqual(spokenCents("one hundred eighty-two dollars and thirty cents"), [18_230]);
  assert.ok(spokenCents("twenty-one hundred dollars").includes(210_000));
});

test("rates as numerals and as words", () => {
  const rates = (t: string) => buildSourceIndex(t).numbers.flatMap((n) => [...n.thousandths]);
  assert.ok(rates("Interest Rate 6.150%").includes(6150));
  assert.ok(rates("APR 22.49 percent").includes(22490));
  assert.ok(rates("the rate is six point one five percent").includes(6150));
  assert.ok(rates("it's six and a quarter percent").includes(6250));
  assert.ok(rates("twenty-two point four nine").includes(22490));
});

test("dates in the formats documents and speakers use", () => {
  assert.deepEqual(datesIn("Statement Date: 04/02/2026"), ["2026-04-02"]);
  assert.deepEqual(datesIn("Closing Date 4/2/26"), ["2026-04-02"]);
  assert.deepEqual(datesIn("as of April 2, 2026"), ["2026-04-02"]);
  assert.deepEqual(datesIn("good through June 9th, 2026."), ["2026-06-09"]);
  assert.deepEqual(datesIn("effective 2026-04-02"), ["2026-04-02"]);
  assert.deepEqual(datesIn("on 9 June 2026"), ["2026-06-09"]);
  assert.deepEqual(datesIn("Sept. 30, 2026"), ["2026-09-30"]);
  assert.deepEqual(datesIn("good through June ninth, twenty twenty-six"), ["2026-06-09"]);
  assert.deepEqual(datesIn("due on the first of May"), ["????-05-01"]);
  assert.deepEqual(datesIn("due May twenty-first"), ["????-05-21"]);
  assert.deepEqual(datesIn("payment due 05/01"), ["????-05-01"]);
});

test("dates in form and mainframe styles, and across a line break", () => {
  assert.deepEqual(datesIn("Statement Date 2025/06/18"), ["2025-06-18"]);
  assert.deepEqual(datesIn("Payment Due Date 21-FEB-2024"), ["2024-02-21"]);
  assert.deepEqual(datesIn("STATEMENT AS OF........: 30JAN25"), ["2025-01-30"]);
  assert.deepEqual(datesIn("The next due date is 5/25/2026."), ["2026-05-25"]);
  assert.deepEqual(datesIn("is due Monday, October\n4, 2027. Interest"), ["2027-10-04"]);
  assert.deepEqual(datesIn("Billing 04.14.2026"), ["2026-04-14"]);
});

test("numerals with spoken units, as transcripts write them", () => {
  assert.deepEqual(centsIn("The payment is 505 dollars and 18 cents a month."), [50_518]);
  assert.deepEqual(centsIn("the balance is 9,966 dollars and 96 cents."), [996_696]);
});

test("speech fillers inside figures and dates are ignored, offsets stay those of the original text", () => {
  assert.ok(centsIn("the unpaid principal is 10,184 dollars um and 56 cents").includes(1_018_456));
  assert.ok(centsIn("Minimum payment due is four sixty-seven um eighteen.").includes(46_718));
  assert.deepEqual(datesIn("It's due on December um 1, 2025."), ["2025-12-01"]);
  assert.deepEqual(datesIn("if received by august um 11th, 2025"), ["2025-08-11"]);
  const text = "it's due on march uh fifteenth, twenty twenty-four";
  const [date] = buildSourceIndex(text).dates;
  assert.equal(text.slice(date!.start, date!.end), "march uh fifteenth, twenty twenty-four");
});

test("a dollar sign with spoken cents, and dates broken over lines", () => {
  assert.deepEqual(centsIn("THE PAYOFF IS $158,560 AND 87 CENTS."), [15_856_087]);
  assert.deepEqual(centsIn("Regular monthly payment is $82 and 1 cents."), [8_201]);
  assert.deepEqual(datesIn("is due on Aug 25,\n2026. Your"), ["2026-08-25"]);
  assert.deepEqual(datesIn("is due Jul.\n1, 2027."), ["2027-07-01"]);
  assert.deepEqual(datesIn("Current APR\n28 March 2027 | 8.75 %"), ["2027-03-28"]);
});

test("a rate after APR is not read as a date, and impossible dates are not dates", () => {
  assert.deepEqual(datesIn("Purchase APR          22.49%"), []);
  assert.deepEqual(datesIn("Date 02/30/2026"), []);
});

test("numerals inside a date are not amounts", () => {
  assert.deepEqual(centsIn("good through June 9th, 2026"), []);
  assert.deepEqual(centsIn("Closing Date 03/18/26"), []);
});

test("account digits as written (spaced, hyphenated, masked) and as spoken", () => {
  const digits = (t: string) => buildSourceIndex(t).digits.map((d) => d.digits);
  assert.ok(digits("it's 4402 9913 8860.").includes("440299138860"));
  assert.ok(digits("Loan Number: 7712-004-5518").includes("77120045518"));
  assert.ok(digits("Account ****0931").includes("0931"));
  assert.ok(digits("ending in oh nine three one").includes("0931"));
  assert.ok(digits("it's forty-four oh two, ninety-nine thirteen, eighty-eight sixty").includes("440299138860"));
  assert.ok(digits("double five one two").includes("5512"));
});

test("lender names match across case, punctuation, spacing and a trailing legal form", () => {
  const text = "BLUE MESA CREDIT  UNION  VISA\nServiced by Bank of America, N.A.";
  assert.equal(findLenderName(text, "Blue Mesa Credit Union").length, 1);
  assert.equal(findLenderName(text, "Bank of America, N.A.").length, 1);
  assert.equal(findLenderName(text, "Bank of America").length, 1);
  assert.equal(findLenderName(text, "Blue Mesa Bank").length, 0);
  const [span] = findLenderName(text, "blue mesa credit union");
  assert.equal(text.slice(span!.start, span!.end), "BLUE MESA CREDIT  UNION");
});
