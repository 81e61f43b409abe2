import { create } from "@bufbuild/protobuf";
import type { DocumentKind, LiabilityRecord, LiabilityType } from "@liability/domain";
import { DocumentKind as ProtoDocumentKind, LiabilityRecordSchema, LiabilityType as ProtoLiabilityType } from "../gen/liability/record/v1/record_pb.js";
import type { LiabilityRecord as ProtoLiabilityRecord } from "../gen/liability/record/v1/record_pb.js";

/**
 * The one mapping between the domain's record and kinds (the spec's JSON: snake_case keys, null
 * for "not stated") and their protobuf messages (camelCase, absent optional for "not stated").
 * Every service, tool and test converts through here.
 */

/** Default Kafka topics of the contracts; deployments may rename them by configuration. */
export const DEFAULT_TOPICS = {
  documents: "documents.received.v1",
  deadLetters: "documents.dlq.v1",
  liabilityRecorded: "liability.recorded.v1",
} as const;

const TYPE_TO_PROTO: Readonly<Record<LiabilityType, ProtoLiabilityType>> = {
  mortgage: ProtoLiabilityType.MORTGAGE,
  auto_loan: ProtoLiabilityType.AUTO_LOAN,
  credit_card: ProtoLiabilityType.CREDIT_CARD,
  student_loan: ProtoLiabilityType.STUDENT_LOAN,
  personal_loan: ProtoLiabilityType.PERSONAL_LOAN,
  heloc: ProtoLiabilityType.HELOC,
};
const TYPE_FROM_PROTO = new Map<ProtoLiabilityType, LiabilityType>(Object.entries(TYPE_TO_PROTO).map(([name, value]) => [value, name as LiabilityType]));

const KIND_TO_PROTO: Readonly<Record<DocumentKind, ProtoDocumentKind>> = {
  statement: ProtoDocumentKind.STATEMENT,
  call_transcript: ProtoDocumentKind.CALL_TRANSCRIPT,
};
const KIND_FROM_PROTO = new Map<ProtoDocumentKind, DocumentKind>(Object.entries(KIND_TO_PROTO).map(([name, value]) => [value, name as DocumentKind]));

export function kindToProto(kind: DocumentKind): ProtoDocumentKind {
  return KIND_TO_PROTO[kind];
}

/** Undefined for DOCUMENT_KIND_UNSPECIFIED and values this build does not know. */
export function kindFromProto(kind: ProtoDocumentKind): DocumentKind | undefined {
  return KIND_FROM_PROTO.get(kind);
}

const absentIfNull = <T>(v: T | null): T | undefined => (v === null ? undefined : v);

export function recordToProto(record: LiabilityRecord): ProtoLiabilityRecord {
  return create(LiabilityRecordSchema, {
    liabilityType: TYPE_TO_PROTO[record.liability_type],
    lenderName: record.lender_name,
    accountLast4: absentIfNull(record.account_last4),
    currentBalance: absentIfNull(record.current_balance),
    payoffAmount: absentIfNull(record.payoff_amount),
    payoffGoodThrough: absentIfNull(record.payoff_good_through),
    escrowBalance: absentIfNull(record.escrow_balance),
    interestRate: absentIfNull(record.interest_rate),
    monthlyPayment: absentIfNull(record.monthly_payment),
    nextDueDate: absentIfNull(record.next_due_date),
    asOfDate: absentIfNull(record.as_of_date),
  });
}

/**
 * The spec's JSON shape of a protobuf record, not yet validated: an unspecified type and an
 * empty lender name become null, which the record schema then rejects.
 */
export function recordFromProto(record: ProtoLiabilityRecord): Record<string, unknown> {
  return {
    liability_type: TYPE_FROM_PROTO.get(record.liabilityType) ?? null,
    lender_name: record.lenderName === "" ? null : record.lenderName,
    account_last4: record.accountLast4 ?? null,
    current_balance: record.currentBalance ?? null,
    payoff_amount: record.payoffAmount ?? null,
    payoff_good_through: record.payoffGoodThrough ?? null,
    escrow_balance: record.escrowBalance ?? null,
    interest_rate: record.interestRate ?? null,
    monthly_payment: record.monthlyPayment ?? null,
    next_due_date: record.nextDueDate ?? null,
    as_of_date: record.asOfDate ?? null,
  };
}
