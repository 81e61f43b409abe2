import type { LiabilityRecord } from "@liability/domain";

/** A card statement whose every field is labelled as banks label them, and its record. */
export const CARD_STATEMENT =
  "BLUE MESA CREDIT UNION VISA\nAccount ending in 0931  Closing Date 03/18/26\nNew Balance $1,538.90\nMinimum Payment Due $46.00\nPayment Due Date 04/12/26\nPurchase APR 22.49%\n";

export const CARD_RECORD: LiabilityRecord = {
  liability_type: "credit_card",
  lender_name: "Blue Mesa Credit Union",
  account_last4: "0931",
  current_balance: 1538.9,
  payoff_amount: null,
  payoff_good_through: null,
  escrow_balance: null,
  interest_rate: 22.49,
  monthly_payment: 46,
  next_due_date: "2026-04-12",
  as_of_date: "2026-03-18",
};
