import type { ReaderField } from "./reader-labels.ts";

/*
 * Some figures exist only where the document talks about them: a payoff is quoted by a text that
 * speaks of paying off or paying in full, an escrow balance by one that mentions escrow. A model
 * that writes a payoff for a statement that never mentions one has taken another amount (a
 * year-to-date total, the balance); this says which fields a document cannot state at all.
 */

/** How documents speak of a payoff, OCR's and speech-to-text's slips included ("Poy in Full", "pay off"). */
const PAYOFF_WORDS =
  /pay[- ]?off|pay(?:ing)?\s+(?:it\s+|the\s+(?:loan|balance|account)\s+)?(?:off|in\s+full)|paid\s+in\s+full|required\s+to\s+\w{2,4}\s+in\s+full|amount\s+(?:required|needed)\s+to\s+(?:pay|close)|to\s+close\s+(?:the|your|this)\s+(?:account|loan)|per\s+diem|good\s+(?:through|thru|until)/i;
/** Escrow and its regional name, impound; speech-to-text's "escro". */
const ESCROW_WORDS = /escrow|impound|escro\b/i;

const NAMED_BY: ReadonlyArray<readonly [ReaderField, RegExp]> = [
  ["payoff_amount", PAYOFF_WORDS],
  ["payoff_good_through", PAYOFF_WORDS],
  ["escrow_balance", ESCROW_WORDS],
];

/** The fields whose kind of figure the text never mentions: the record must leave them null. */
export function unnamedFields(text: string): Set<ReaderField> {
  return new Set(NAMED_BY.filter(([, words]) => !words.test(text)).map(([field]) => field));
}
