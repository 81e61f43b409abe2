import { z } from "zod";

/** Keys of the liability record, in the order the spec lists them and the model emits them. */
export const RECORD_FIELDS = [
  "liability_type",
  "lender_name",
  "account_last4",
  "current_balance",
  "payoff_amount",
  "payoff_good_through",
  "escrow_balance",
  "interest_rate",
  "monthly_payment",
  "next_due_date",
  "as_of_date",
] as const;

export type RecordField = (typeof RECORD_FIELDS)[number];

export const LIABILITY_TYPES = ["mortgage", "auto_loan", "credit_card", "student_loan", "personal_loan", "heloc"] as const;

export type LiabilityType = (typeof LIABILITY_TYPES)[number];

export const MONEY_FIELDS = ["current_balance", "payoff_amount", "escrow_balance", "monthly_payment"] as const satisfies readonly RecordField[];

export const DATE_FIELDS = ["payoff_good_through", "next_due_date", "as_of_date"] as const satisfies readonly RecordField[];

const isoDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, "expected YYYY-MM-DD")
  .refine((s) => {
    const d = new Date(`${s}T00:00:00Z`);
    return !Number.isNaN(d.getTime()) && d.toISOString().startsWith(s);
  }, "not a calendar date");

const money = z
  .number()
  .finite()
  .refine((n) => Math.abs(Math.round(n * 100) - n * 100) < 1e-6, "more than two decimals");

/** The record exactly as shared/spec/liability-record.md defines it: all keys present, null when not stated. */
export const liabilityRecordSchema = z
  .object({
    liability_type: z.enum(LIABILITY_TYPES),
    lender_name: z.string().trim().min(1).max(200),
    account_last4: z
      .string()
      .regex(/^\d{4}$/, "expected four digits")
      .nullable(),
    current_balance: money.nullable(),
    payoff_amount: money.nullable(),
    payoff_good_through: isoDate.nullable(),
    escrow_balance: money.nullable(),
    interest_rate: z.number().finite().nullable(),
    monthly_payment: money.nullable(),
    next_due_date: isoDate.nullable(),
    as_of_date: isoDate.nullable(),
  })
  .strict();

export type LiabilityRecord = z.infer<typeof liabilityRecordSchema>;

export type DocumentKind = "statement" | "call_transcript";

/** One line of a labelled JSONL file in the spec's format. */
export const labelledDocumentSchema = z.object({
  id: z.string().min(1),
  kind: z.enum(["statement", "call_transcript"]),
  text: z.string(),
  expected: liabilityRecordSchema.optional(),
});

export type LabelledDocument = z.infer<typeof labelledDocumentSchema>;

/** Serialises a record the way the model is trained to emit it: compact JSON, keys in spec order. */
export function canonicalRecordJson(record: LiabilityRecord): string {
  const ordered: Record<string, unknown> = {};
  for (const field of RECORD_FIELDS) ordered[field] = record[field];
  return JSON.stringify(ordered);
}
