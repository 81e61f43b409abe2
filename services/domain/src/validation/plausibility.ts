import { MONEY_FIELDS } from "../record.ts";
import type { LiabilityRecord } from "../record.ts";
import type { ValidationPolicy } from "./policy.ts";
import { RULES } from "./reasons.ts";
import type { ValidationReason } from "./reasons.ts";

const DAY_MS = 86_400_000;

function isoToUtcMs(iso: string): number {
  return Date.parse(`${iso}T00:00:00Z`);
}

function utcDay(date: Date): number {
  return Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate());
}

function usd(n: number): string {
  return n.toFixed(2);
}

/**
 * Rules "plausibility.*": values that parse and may even be in the text, but cannot be
 * right for this kind of liability. `referenceDate` is when the document was received;
 * it is passed in so that the rules are deterministic.
 */
export function checkPlausibility(record: LiabilityRecord, referenceDate: Date, policy: ValidationPolicy): ValidationReason[] {
  const reasons: ValidationReason[] = [];
  const bounds = policy.bounds[record.liability_type];

  for (const field of MONEY_FIELDS) {
    const value = record[field];
    if (value !== null && value < 0) {
      reasons.push({ rule: RULES.negativeAmount, field, message: `${field} is negative` });
    }
  }

  const maxFor = {
    current_balance: bounds.maxBalance,
    // A payoff adds interest and fees to the balance; the tolerance rule checks the gap.
    payoff_amount: bounds.maxBalance * (1 + policy.payoffTolerance.relative),
    monthly_payment: bounds.maxMonthlyPayment,
    escrow_balance: policy.maxEscrowBalance,
  } as const;
  for (const field of MONEY_FIELDS) {
    const value = record[field];
    if (value !== null && value > maxFor[field]) {
      reasons.push({
        rule: RULES.amountOutOfBounds,
        field,
        message: `${field} ${usd(value)} is above ${usd(maxFor[field])} for ${record.liability_type}`,
      });
    }
  }

  if (record.interest_rate !== null && (record.interest_rate < 0 || record.interest_rate > bounds.maxInterestRate)) {
    reasons.push({
      rule: RULES.interestRateOutOfBounds,
      field: "interest_rate",
      message: `interest_rate ${record.interest_rate}% is outside 0–${bounds.maxInterestRate}% for ${record.liability_type}`,
    });
  }

  if (record.escrow_balance !== null && !policy.escrowTypes.includes(record.liability_type)) {
    reasons.push({
      rule: RULES.escrowNotApplicable,
      field: "escrow_balance",
      message: `an escrow balance does not apply to ${record.liability_type}`,
    });
  }

  if (record.payoff_amount !== null && record.current_balance !== null) {
    const gap = Math.abs(record.payoff_amount - record.current_balance);
    const allowed = Math.max(policy.payoffTolerance.relative * record.current_balance, policy.payoffTolerance.absolute);
    if (gap > allowed + 1e-9) {
      reasons.push({
        rule: RULES.payoffFarFromBalance,
        field: "payoff_amount",
        message: `payoff differs from the balance by ${usd(gap)}, more than the ${usd(allowed)} allowed`,
      });
    }
  }

  if (record.payoff_good_through !== null && record.as_of_date !== null && record.payoff_good_through < record.as_of_date) {
    reasons.push({
      rule: RULES.goodThroughBeforeAsOf,
      field: "payoff_good_through",
      message: "payoff_good_through is before as_of_date",
    });
  }
  if (record.next_due_date !== null && record.as_of_date !== null && record.next_due_date < record.as_of_date) {
    reasons.push({
      rule: RULES.dueDateBeforeAsOf,
      field: "next_due_date",
      message: "next_due_date is before as_of_date",
    });
  }

  const ref = utcDay(referenceDate);
  const earliest = ref - policy.dateWindow.pastDays * DAY_MS;
  for (const field of ["as_of_date", "next_due_date", "payoff_good_through"] as const) {
    const value = record[field];
    if (value === null) continue;
    const at = isoToUtcMs(value);
    const latest = ref + policy.dateWindow.futureDays[field] * DAY_MS;
    if (at < earliest || at > latest) {
      reasons.push({
        rule: RULES.dateOutOfWindow,
        field,
        message: `${field} ${value} is outside the window ${new Date(earliest).toISOString().slice(0, 10)}..${new Date(latest).toISOString().slice(0, 10)}`,
      });
    }
  }
  return reasons;
}
