import { test } from "node:test";
import assert from "node:assert/strict";
import { nameMatcher } from "../src/validation/name-matcher.ts";

const phrases = ["payment", "payment due date", "due date", "minimum payment due", "acct #", "pay-off amount"];
const asAlternation = (boundary: "letter" | "word") =>
  new RegExp(
    boundary === "letter"
      ? `(?<![\\p{L}])(${[...phrases]
          .sort((a, b) => b.length - a.length)
          .map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, "\\$&").replace(/\s+/g, "[ \\t]+"))
          .join("|")})(?![\\p{L}])`
      : `\\b(${[...phrases]
          .sort((a, b) => b.length - a.length)
          .map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, "\\$&").replace(/[-\s]+/g, "[\\s/-]+"))
          .join("|")})\\b`,
    boundary === "letter" ? "giu" : "gi",
  );
const texts = [
  "Payment Due Date 04/12/2026, minimum   payment due $46.00",
  "Acct #: 4410   payments received   2Payment due date",
  "PAYMENT\tdue date; due-date; pay-off amount, pay off amount, pay/off amount",
  "repayment due date prepayment",
];

test("names: the same matches as one alternation tried at every position, by letter or by word boundary", () => {
  const letter = nameMatcher(phrases, { separators: /\s+/g, join: "[ \\t]+", boundary: "letter" });
  const word = nameMatcher(phrases, { separators: /[-\s]+/g, join: "[\\s/-]+", boundary: "word" });
  for (const text of texts) {
    assert.deepEqual(
      letter(text).map((m) => [m.index, m[0]]),
      [...text.matchAll(asAlternation("letter"))].map((m) => [m.index, m[0]]),
      text,
    );
    assert.deepEqual(
      word(text).map((m) => [m.index, m[0]]),
      [...text.matchAll(asAlternation("word"))].map((m) => [m.index, m[0]]),
      text,
    );
  }
  // Longest name first at a position, and no name inside a longer word.
  assert.deepEqual(
    letter("Payment Due Date 04/12 repayment").map((m) => m[0]),
    ["Payment Due Date"],
  );
  assert.throws(() => nameMatcher(["#1 rate"], { separators: /\s+/g, join: " ", boundary: "letter" }), /must start with a letter/);
});
