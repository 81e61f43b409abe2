import type { LiabilityType } from "@liability/domain";
import type { Rng } from "./rng.ts";

/*
 * Field labels as different banks print them. Layouts draw from these so that a
 * layout family fixes the structure while the wording still varies.
 */

type ByType = Partial<Record<LiabilityType, readonly string[]>> & { default: readonly string[] };

const BALANCE: ByType = {
  default: [
    "Principal Balance",
    "Current Principal",
    "Loan Balance",
    "Unpaid Principal Balance",
    "Remaining Principal",
    "Outstanding Principal",
    "Principal Bal",
  ],
  mortgage: [
    "Outstanding Principal",
    "Principal Balance",
    "Unpaid Principal Balance",
    "Current Principal Balance",
    "Principal Bal",
    "Loan Principal",
    "Remaining Principal Balance",
  ],
  credit_card: ["New Balance", "Statement Balance", "New Balance Total", "Current Balance", "Balance This Statement"],
  heloc: ["Outstanding Balance", "Principal Balance", "Line Balance", "Amount Outstanding", "Current Principal Balance", "Balance Outstanding"],
  student_loan: ["Current Principal", "Outstanding Principal", "Principal Balance", "Current Principal Balance", "Principal Outstanding"],
};

const PAYMENT: ByType = {
  default: [
    "Monthly Payment",
    "Payment Amount",
    "Regular Payment",
    "Installment Amount",
    "Scheduled Payment",
    "Regular Monthly Payment",
    "Monthly Installment",
  ],
  mortgage: ["Regular Monthly Payment", "Monthly Payment", "Total Monthly Payment", "Scheduled Payment", "Current Monthly Payment", "Payment Amount"],
  credit_card: ["Minimum Payment Due", "Minimum Payment", "Minimum Amount Due", "Min. Payment Due", "Total Minimum Payment Due"],
  heloc: ["Minimum Payment Due", "Minimum Amount Due", "Minimum Payment", "Payment Due"],
};

const DUE: readonly string[] = ["Payment Due Date", "Due Date", "Next Payment Due", "Next Due Date", "Payment Due", "Due On", "Please Pay By", "Pay By"];

const AS_OF: ByType = {
  default: ["Statement Date", "Statement Date", "Date of Statement", "Billing Date", "Statement Closing Date", "Statement As Of"],
  credit_card: ["Closing Date", "Statement Closing Date", "Closing Date of Billing Cycle", "Statement Date", "Cycle Closing Date"],
};

const RATE: ByType = {
  default: ["Interest Rate", "Current Interest Rate", "Rate", "Note Rate", "Annual Percentage Rate", "APR", "Int Rate", "Interest Rate (Fixed)"],
  credit_card: ["Purchase APR", "Purchases APR", "Standard Purchase APR", "APR for Purchases", "Annual Percentage Rate (Purchases)"],
  heloc: ["Current Rate", "Annual Percentage Rate", "Variable Rate", "Interest Rate", "Current APR"],
  mortgage: ["Interest Rate", "Current Interest Rate", "Note Rate", "Rate", "Interest Rate (until next change)"],
};

const ESCROW: readonly string[] = [
  "Escrow Balance",
  "Escrow Account Balance",
  "Current Escrow Balance",
  "Escrow Bal",
  "Tax & Insurance Escrow Balance",
  "Escrow/Impound Balance",
];

const ACCOUNT: ByType = {
  default: ["Account Number", "Loan Number", "Account #", "Acct No.", "Loan #", "Account", "Loan No"],
  credit_card: ["Account Number", "Account ending in", "Card Number", "Acct #", "Account"],
  heloc: ["Account Number", "Line Number", "Credit Line #", "Account #", "Loan Number"],
};

const PAYOFF: readonly string[] = [
  "Total Payoff Amount",
  "Payoff Amount",
  "Amount Required to Pay in Full",
  "Total Amount to Pay Off",
  "Payoff Total",
  "Total Due to Pay Off Loan",
];
const GOOD_THROUGH: readonly string[] = ["Good Through", "Valid Through", "Payoff Good Through", "Good Until", "Quote Expires", "Funds Must Be Received By"];

function pickBy(table: ByType, type: LiabilityType, rng: Rng): string {
  return rng.pick(table[type] ?? table.default);
}

export const vocab = {
  balance: (t: LiabilityType, rng: Rng) => pickBy(BALANCE, t, rng),
  payment: (t: LiabilityType, rng: Rng) => pickBy(PAYMENT, t, rng),
  due: (rng: Rng) => rng.pick(DUE),
  asOf: (t: LiabilityType, rng: Rng) => pickBy(AS_OF, t, rng),
  rate: (t: LiabilityType, rng: Rng) => pickBy(RATE, t, rng),
  escrow: (rng: Rng) => rng.pick(ESCROW),
  account: (t: LiabilityType, rng: Rng) => pickBy(ACCOUNT, t, rng),
  payoff: (rng: Rng) => rng.pick(PAYOFF),
  goodThrough: (rng: Rng) => rng.pick(GOOD_THROUGH),
};

/** What the product is called in a document title. */
export function productTitle(t: LiabilityType, rng: Rng): string {
  const options: Record<LiabilityType, readonly string[]> = {
    mortgage: ["Mortgage Statement", "Home Loan Statement", "Monthly Mortgage Statement", "Residential Mortgage Billing Statement", "Mortgage Loan Statement"],
    heloc: ["Home Equity Line of Credit Statement", "HELOC Statement", "Equity Line Statement", "Home Equity Credit Line - Monthly Statement"],
    auto_loan: [
      "Auto Loan Statement",
      "Vehicle Loan Statement",
      "Auto Finance Billing Statement",
      "Motor Vehicle Installment Contract - Statement",
      "Car Loan Statement",
    ],
    credit_card: ["Credit Card Statement", "Card Account Statement", "Monthly Card Statement", "Credit Card Billing Statement"],
    student_loan: ["Student Loan Statement", "Education Loan Billing Statement", "Student Loan Account Statement", "Monthly Student Loan Bill"],
    personal_loan: ["Personal Loan Statement", "Personal Installment Loan Statement", "Personal Loan Billing Statement", "Unsecured Personal Loan Statement"],
  };
  return rng.pick(options[t]);
}

/** How a type is named in running text ("your ___"). */
export function productNoun(t: LiabilityType, rng: Rng): string {
  const options: Record<LiabilityType, readonly string[]> = {
    mortgage: ["mortgage loan", "home loan", "mortgage"],
    heloc: ["home equity line of credit", "HELOC", "home equity line"],
    auto_loan: ["auto loan", "vehicle loan", "car loan", "auto installment contract"],
    credit_card: ["credit card account", "card account", "credit card"],
    student_loan: ["student loan", "education loan", "student loan account"],
    personal_loan: ["personal loan", "unsecured personal loan", "personal installment loan"],
  };
  return rng.pick(options[t]);
}
