import type { LiabilityType } from "../record.ts";

/**
 * How documents name each kind of debt. A statement or call about one kind of account names
 * it, in its title, its product line or its talk ("Home Equity Line", "Visa Signature",
 * "escrow", "vehicle"); a document that names several (a summary of accounts, a mortgage
 * statement that offers a credit card) gives no verdict.
 */
const WORDING: ReadonlyArray<readonly [LiabilityType, RegExp]> = [
  ["heloc", /\bheloc\b|\bhome[\s-]+equity\b|\bequity[\s-]+line\b/i],
  ["credit_card", /\bcredit[\s-]+card\b|\bvisa\b|\bmastercard\b|\bamex\b|\bamerican[\s-]+express\b|(?<!\bdebit[\s-]+)\bcard\b|\bcardmember\b/i],
  ["mortgage", /\bmortgage\b|\bescrow\b|\bimpound\b|\bhome[\s-]+loan\b|\bdeed[\s-]+of[\s-]+trust\b/i],
  ["student_loan", /\bstudent\b|\beducation(?:al)?\b|\btuition\b/i],
  ["auto_loan", /\bauto\b(?![\s-]*(?:debit|debited|pay|payment|draft|drafted|matic|mated|transfer|renew))|\bvehicle\b|\bcar\b|\bmotor\b|\bvin\b/i],
  [
    "personal_loan",
    /\bpersonal[\s-]+(?:loan|line|installment)\b|\binstallment[\s-]+loan\b|\bunsecured[\s-]+(?:personal[\s-]+)?loan\b|\bsignature[\s-]+loan\b/i,
  ],
];

/** The one kind of debt the text names; undefined where it names none or several. */
export function wordedLiabilityType(text: string): LiabilityType | undefined {
  const named = WORDING.filter(([, wording]) => wording.test(text)).map(([type]) => type);
  return named.length === 1 ? named[0] : undefined;
}
