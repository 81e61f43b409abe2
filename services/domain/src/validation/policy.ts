import type { LiabilityType } from "../record.ts";
import { READER_FIELDS } from "./reader.ts";
import type { ReaderField } from "./reader.ts";

export interface AmountBounds {
  /** Largest plausible current balance or payoff, USD. */
  readonly maxBalance: number;
  readonly maxMonthlyPayment: number;
  /** Highest plausible interest rate / APR, percent. */
  readonly maxInterestRate: number;
}

export interface ValidationPolicy {
  readonly bounds: Readonly<Record<LiabilityType, AmountBounds>>;
  readonly maxEscrowBalance: number;
  /** Liability types for which an escrow balance makes sense. */
  readonly escrowTypes: readonly LiabilityType[];
  /**
   * A payoff is principal plus accrued interest and fees, so it sits near the balance.
   * Accepted when |payoff − balance| ≤ max(relative × balance, absolute).
   */
  readonly payoffTolerance: { readonly relative: number; readonly absolute: number };
  /** Dates must lie within [reference − pastDays, reference + futureDays[field]]. */
  readonly dateWindow: {
    readonly pastDays: number;
    readonly futureDays: {
      readonly as_of_date: number;
      readonly next_due_date: number;
      readonly payoff_good_through: number;
    };
  };
  /** Lowest per-field model confidence that is accepted without review, in [0, 1]. */
  readonly confidenceThreshold: number;
  /** When true, output without confidence goes to review; when false it is judged on the other rules. */
  readonly requireConfidence: boolean;
  /** A yearless date in the text ("due June 9th") grounds a date at most this many years from the reference. */
  readonly yearlessDateMaxYears: number;
  /**
   * Fields whose value is accepted only when the document's own labels confirm it; a value the
   * model picked where nothing labels the field goes to review (rule consistency.uncorroborated_value).
   */
  readonly corroboratedFields: readonly ReaderField[];
}

/**
 * A list of corroborated fields as configuration gives it: "none", or field names separated by
 * commas. Names the reader does not know come back in `unknown` for the caller to report.
 */
export function parseCorroboratedFields(text: string): { fields: ReaderField[]; unknown: string[] } {
  if (text.trim() === "none") return { fields: [], unknown: [] };
  const names = text
    .split(",")
    .map((f) => f.trim())
    .filter(Boolean);
  const known = (name: string): name is ReaderField => (READER_FIELDS as readonly string[]).includes(name);
  return { fields: names.filter(known), unknown: names.filter((name) => !known(name)) };
}

/**
 * Defaults chosen to catch model mistakes (a rate given as a fraction, a digit too many,
 * a year off) while leaving real US consumer liabilities alone: jumbo mortgages, high
 * card APRs, 0% promotional rates.
 */
export const DEFAULT_VALIDATION_POLICY: ValidationPolicy = {
  bounds: {
    mortgage: { maxBalance: 10_000_000, maxMonthlyPayment: 100_000, maxInterestRate: 20 },
    heloc: { maxBalance: 2_000_000, maxMonthlyPayment: 50_000, maxInterestRate: 25 },
    auto_loan: { maxBalance: 300_000, maxMonthlyPayment: 15_000, maxInterestRate: 36 },
    credit_card: { maxBalance: 250_000, maxMonthlyPayment: 50_000, maxInterestRate: 40 },
    student_loan: { maxBalance: 750_000, maxMonthlyPayment: 20_000, maxInterestRate: 20 },
    personal_loan: { maxBalance: 250_000, maxMonthlyPayment: 20_000, maxInterestRate: 40 },
  },
  maxEscrowBalance: 250_000,
  escrowTypes: ["mortgage"],
  payoffTolerance: { relative: 0.1, absolute: 500 },
  dateWindow: {
    pastDays: 3 * 366,
    futureDays: { as_of_date: 7, next_due_date: 400, payoff_good_through: 180 },
  },
  confidenceThreshold: 0.5,
  requireConfidence: false,
  yearlessDateMaxYears: 1,
  corroboratedFields: READER_FIELDS,
};
