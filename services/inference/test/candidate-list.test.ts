import assert from "node:assert/strict";
import { test } from "node:test";
import { MAX_LISTED_CANDIDATES, renderCandidateList } from "../src/candidate-list.ts";
import { renderUserMessage, type PromptArtifact } from "../src/prompt.ts";

const STATEMENT = [
  "NORTHGATE SAVINGS BANK",
  "Statement Date: 04/02/2026",
  "Loan Number: 7712-004-5518",
  "Amount Due                $2,184.37",
  "Interest Rate             6.150%",
  "Escrow Account: 4410-88-2290",
  "Questions? Call 1-800-555-0142",
].join("\n");

test("each stated value is listed once per mention, in document order, with the words before it", () => {
  assert.equal(
    renderCandidateList(STATEMENT),
    [
      "date 2026-04-02 | Statement Date",
      "last4 5518 | Loan Number",
      "amount 2184.37 | Amount Due",
      "rate 6.15 | Interest Rate",
      "last4 2290 | Escrow Account",
    ].join("\n"),
    "a phone number's last four digits are not an account candidate",
  );
});

test("a value alone on its line takes the line above as its label; spoken amounts are listed too", () => {
  const list = renderCandidateList("Minimum Payment Due\n$46.00\nREP: the balance is two hundred dollars and five cents.");
  assert.match(list, /^amount 46 \| Minimum Payment Due$/m);
  assert.match(list, /^amount 200\.05 \| REP: the balance is$/m);
});

test("the list is bounded, whatever the document", () => {
  const text = Array.from({ length: 200 }, (_, i) => `Txn ${i} $${i + 1}.25`).join("\n");
  assert.equal(renderCandidateList(text).split("\n").length, MAX_LISTED_CANDIDATES);
  assert.equal(renderCandidateList("Thank you for calling."), "");
});

test("{candidates} in a prompt template is the list; a template without it is unchanged", () => {
  const withList: PromptArtifact = { version: "t", system: "s", user: "{kind}\n{text}\n<values>\n{candidates}\n</values>" };
  assert.equal(
    renderUserMessage(withList, "statement", "Balance $10.00 {candidates}"),
    "statement\nBalance $10.00 {candidates}\n<values>\namount 10 | Balance\n</values>",
  );
  const without: PromptArtifact = { version: "t", system: "s", user: "{kind}: {text}" };
  assert.equal(renderUserMessage(without, "statement", "Balance $10.00"), "statement: Balance $10.00");
});
