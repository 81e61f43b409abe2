import type { Span } from "./mentions.ts";

/** The amounts that documents label by name, which both the consistency rule and the reader read. */
export type LabelledField = "current_balance" | "payoff_amount";
export const LABELLED_AMOUNT_FIELDS: readonly LabelledField[] = ["current_balance", "payoff_amount"];

/**
 * Label phrases and what they label; null marks phrases that look like a field's label
 * but are something else ("previous balance", "escrow balance"). At one position the
 * longest phrase wins, so "escrow balance" is not read as "balance".
 */
export const AMOUNT_LABELS: ReadonlyArray<readonly [string, LabelledField | null]> = [
  ["current balance", "current_balance"],
  ["new balance", "current_balance"],
  ["statement balance", "current_balance"],
  ["outstanding balance", "current_balance"],
  ["principal balance", "current_balance"],
  ["unpaid principal balance", "current_balance"],
  ["unpaid principal", "current_balance"],
  ["outstanding principal", "current_balance"],
  ["current principal", "current_balance"],
  ["remaining balance", "current_balance"],
  ["remaining principal", "current_balance"],
  ["ending balance", "current_balance"],
  ["closing balance", "current_balance"],
  ["new balance total", "current_balance"],
  ["remaining principal balance", "current_balance"],
  ["outstanding principal balance", "current_balance"],
  ["total principal balance", "current_balance"],
  ["loan balance", "current_balance"],
  ["account balance", "current_balance"],
  ["total balance", "current_balance"],
  ["balance owed", "current_balance"],
  ["amount owed", "current_balance"],
  ["balance outstanding", "current_balance"],
  ["principal bal", "current_balance"],
  ["unpaid principal bal", "current_balance"],
  ["current principal bal", "current_balance"],
  ["current principal balance", "current_balance"],
  ["current bal", "current_balance"],
  ["new bal", "current_balance"],
  ["outstanding bal", "current_balance"],
  ["amount outstanding", "current_balance"],
  ["balance", "current_balance"],
  ["payoff", "payoff_amount"],
  ["payoff amount", "payoff_amount"],
  ["payoff quote", "payoff_amount"],
  ["total payoff", "payoff_amount"],
  ["pay off amount", "payoff_amount"],
  ["pay-off amount", "payoff_amount"],
  ["payoff balance", "payoff_amount"],
  ["payoff figure", "payoff_amount"],
  ["amount required to pay in full", "payoff_amount"],
  ["amount to pay in full", "payoff_amount"],
  ["total amount to pay off", "payoff_amount"],
  ["total amount to pay off the loan", "payoff_amount"],
  ["payoff total", "payoff_amount"],
  ["total due to pay off", "payoff_amount"],
  ["total due to pay off loan", "payoff_amount"],
  ["total due to pay off the loan", "payoff_amount"],
  ["amount to pay off", "payoff_amount"],
  ["amount needed to pay off", "payoff_amount"],
  ["amount required to pay off", "payoff_amount"],
  // How a call quotes it: "to pay it off through July 15 you would need $31,768.90", ASR's "a pay off of …".
  ["pay it off", "payoff_amount"],
  ["pay off", "payoff_amount"],
  ["pay the loan off", "payoff_amount"],
  ["pay off the loan", "payoff_amount"],
  ["pay it in full", "payoff_amount"],
  ["pay the loan in full", "payoff_amount"],
  ["principal outstanding", "current_balance"],
  ["line balance", "current_balance"],
  ["current line balance", "current_balance"],
  // Look-alikes that are not the field.
  ["previous balance", null],
  ["prior balance", null],
  ["last statement balance", null],
  ["beginning balance", null],
  ["opening balance", null],
  ["original balance", null],
  ["original principal", null],
  ["original loan amount", null],
  ["average daily balance", null],
  ["daily balance", null],
  ["promotional balance", null],
  ["purchase balance", null],
  ["cash advance balance", null],
  ["balance transfer", null],
  ["balance subject to interest rate", null],
  ["escrow balance", null],
  ["impound balance", null],
  ["escrow impound balance", null],
  ["suspense balance", null],
  ["unapplied balance", null],
  ["restricted escrow balance", null],
  ["payoff statement fee", null],
  ["payoff fee", null],
  ["payoff request fee", null],
  ["interest paid", null],
  ["escrow account balance", null],
  ["escrow", null],
  ["available credit", null],
  ["credit limit", null],
  ["credit line", null],
  ["principal", null],
  ["interest", null],
  ["interest charged", null],
  ["per diem", null],
  ["per diem interest", null],
  ["payment", null],
  ["payments", null],
  ["minimum payment", null],
  ["amount due", null],
  ["past due", null],
  ["fees", null],
  ["late fee", null],
  ["purchases", null],
  ["credits", null],
];

/** What may introduce the date that qualifies a label: "Principal Balance as of 03/31/2026: $…", "Payoff good through 05/15: $…", "Payoff Amount (good through 07/28/2026) ... $…", "to pay it off through July 15 you would need $…". */
const DATE_QUALIFIER = /^[\s:|.\-–—(]*(?:as of|as at|at|through|thru|good through|good thru|valid through|on|for|due|due on|due by)?[\s:|.,\-–—]*$/i;
const AFTER_DATE =
  /^[\s:|=.,\-–—>…)]*(?:is|was|of|would be|will be|it(?:'s| is| would be| will be)|you(?:'d| would| will)? need|that(?:'s| is| would be)|comes to|would come to)?[\s:|=.,\-–—>…]*$/i;

/**
 * One date between a label and its amount that only says when the amount holds ("Balance as of
 * 03/31/2026: $182,410.55", "AMOUNT DUE 05/01/2026 $1,845.20"); any other date there means the
 * label is not this amount's.
 */
export function datedLabel(text: string, labelEnd: number, dates: readonly Span[], valueStart: number): boolean {
  // The qualifier is part of the label's line; across a line break the date is a row's ("Balance" heading a column over "04/01/2026 | $412.00").
  if (dates.length !== 1 || text.slice(labelEnd, valueStart).includes("\n")) return false;
  const date = dates[0]!;
  return DATE_QUALIFIER.test(text.slice(labelEnd, date.start)) && AFTER_DATE.test(text.slice(date.end, valueStart));
}
