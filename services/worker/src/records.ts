import { create, toBinary } from "@bufbuild/protobuf";
import { timestampFromMs } from "@bufbuild/protobuf/wkt";
import {
  DeadLetterSchema,
  LiabilityRecordedSchema,
  LiabilityRecordSchema,
  LiabilityType as ProtoLiabilityType,
  RecordStatus,
} from "@liability/contracts";
import type { DeadLetterReason, LiabilityRecord as ProtoLiabilityRecord } from "@liability/contracts";
import type { LiabilityRecord, LiabilityType } from "@liability/domain";
import type { InboundMessage } from "./messaging.ts";

const TO_PROTO_TYPE: Readonly<Record<LiabilityType, ProtoLiabilityType>> = {
  mortgage: ProtoLiabilityType.MORTGAGE,
  auto_loan: ProtoLiabilityType.AUTO_LOAN,
  credit_card: ProtoLiabilityType.CREDIT_CARD,
  student_loan: ProtoLiabilityType.STUDENT_LOAN,
  personal_loan: ProtoLiabilityType.PERSONAL_LOAN,
  heloc: ProtoLiabilityType.HELOC,
};

const FROM_PROTO_TYPE = new Map<ProtoLiabilityType, LiabilityType>(
  Object.entries(TO_PROTO_TYPE).map(([k, v]) => [v, k as LiabilityType]),
);

/**
 * The spec's JSON form of a record the sidecar returned as protobuf, used when it sent
 * no raw output. An unspecified type becomes null, which the schema rule then rejects.
 */
export function protoRecordToJson(record: ProtoLiabilityRecord): Record<string, unknown> {
  return {
    liability_type: FROM_PROTO_TYPE.get(record.liabilityType) ?? null,
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

function opt<T>(v: T | null): T | undefined {
  return v === null ? undefined : v;
}

export function recordToProto(record: LiabilityRecord): ProtoLiabilityRecord {
  return create(LiabilityRecordSchema, {
    liabilityType: TO_PROTO_TYPE[record.liability_type],
    lenderName: record.lender_name,
    accountLast4: opt(record.account_last4),
    currentBalance: opt(record.current_balance),
    payoffAmount: opt(record.payoff_amount),
    payoffGoodThrough: opt(record.payoff_good_through),
    escrowBalance: opt(record.escrow_balance),
    interestRate: opt(record.interest_rate),
    monthlyPayment: opt(record.monthly_payment),
    nextDueDate: opt(record.next_due_date),
    asOfDate: opt(record.as_of_date),
  });
}

export interface RecordedEventInput {
  documentId: string;
  tenantId: string;
  status: "accepted" | "review";
  record: LiabilityRecord | null;
  modelId: string;
  modelVersion: string;
  promptVersion: string;
  recordedAtMs: number;
  confidence: number | null;
  reviewReasons: readonly string[];
}

export function encodeLiabilityRecorded(input: RecordedEventInput): Uint8Array {
  return toBinary(
    LiabilityRecordedSchema,
    create(LiabilityRecordedSchema, {
      documentId: input.documentId,
      tenantId: input.tenantId,
      status: input.status === "accepted" ? RecordStatus.ACCEPTED : RecordStatus.REVIEW,
      record: input.record ? recordToProto(input.record) : undefined,
      modelId: input.modelId,
      modelVersion: input.modelVersion,
      promptVersion: input.promptVersion,
      recordedAt: timestampFromMs(input.recordedAtMs),
      confidence: opt(input.confidence),
      reviewReasons: [...input.reviewReasons],
    }),
  );
}

export interface DeadLetterInput {
  message: InboundMessage;
  reason: DeadLetterReason;
  detail: string;
  documentId: string;
  attempts: number;
  firstFailureMs: number;
  lastFailureMs: number;
}

/** The original message untouched (bytes, key, headers) and why it could not be processed. */
export function encodeDeadLetter(input: DeadLetterInput): Uint8Array {
  const { message } = input;
  return toBinary(
    DeadLetterSchema,
    create(DeadLetterSchema, {
      originalTopic: message.topic,
      originalPartition: message.partition,
      originalOffset: BigInt(message.offset),
      originalKey: message.key ?? new Uint8Array(),
      originalValue: message.value ?? new Uint8Array(),
      originalHeaders: message.originalHeaders.map(({ key, value }) => ({ key, value })),
      reason: input.reason,
      errorDetail: input.detail,
      attempts: input.attempts,
      firstFailureAt: timestampFromMs(input.firstFailureMs),
      lastFailureAt: timestampFromMs(input.lastFailureMs),
      documentId: input.documentId,
    }),
  );
}
