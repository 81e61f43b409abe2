import { LiabilityType as ProtoType } from "@liability/contracts";
import type { LiabilityRecord as ProtoRecord } from "@liability/contracts";
import type { ExtractedRecord, LiabilityType } from "@liability/domain";

const TYPE_NAMES: Record<number, LiabilityType> = {
  [ProtoType.MORTGAGE]: "mortgage",
  [ProtoType.AUTO_LOAN]: "auto_loan",
  [ProtoType.CREDIT_CARD]: "credit_card",
  [ProtoType.STUDENT_LOAN]: "student_loan",
  [ProtoType.PERSONAL_LOAN]: "personal_loan",
  [ProtoType.HELOC]: "heloc",
};

/** The protobuf record in the spec's JSON shape: absent optional fields become null. */
export function protoRecordToSpec(r: ProtoRecord): ExtractedRecord {
  return {
    liability_type: TYPE_NAMES[r.liabilityType] ?? null,
    lender_name: r.lenderName === "" ? null : r.lenderName,
    account_last4: r.accountLast4 ?? null,
    current_balance: r.currentBalance ?? null,
    payoff_amount: r.payoffAmount ?? null,
    payoff_good_through: r.payoffGoodThrough ?? null,
    escrow_balance: r.escrowBalance ?? null,
    interest_rate: r.interestRate ?? null,
    monthly_payment: r.monthlyPayment ?? null,
    next_due_date: r.nextDueDate ?? null,
    as_of_date: r.asOfDate ?? null,
  };
}

/**
 * What a checker would look at: the model's raw JSON when it parses to an object (the
 * worker validates and stores exactly that), else the sidecar's parsed record, else nothing.
 */
export function chooseOutput(rawOutput: string, record: ProtoRecord | undefined): ExtractedRecord | null {
  if (rawOutput.trim() !== "") {
    try {
      const parsed: unknown = JSON.parse(rawOutput);
      if (parsed !== null && typeof parsed === "object" && !Array.isArray(parsed)) return parsed as ExtractedRecord;
    } catch {
      // fall through to the parsed record
    }
  }
  return record ? protoRecordToSpec(record) : null;
}
