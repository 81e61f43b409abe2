import assert from "node:assert/strict";
import { test } from "node:test";
import { fromBinary, fromJsonString, toBinary } from "@bufbuild/protobuf";
import {
  DocumentKind,
  DocumentReceivedSchema,
  encodeDocumentReceived,
  encodeLiabilityRecorded,
  kindFromProto,
  kindToProto,
  LiabilityRecordedSchema,
  LiabilityRecordSchema,
  LiabilityType,
  RecordStatus,
  recordFromProto,
  recordToProto,
  ReviewDecision,
} from "@liability/contracts";
import { LIABILITY_TYPES, liabilityRecordSchema, type LiabilityRecord } from "@liability/domain";

const full: LiabilityRecord = {
  liability_type: "mortgage",
  lender_name: "Northgate Savings Bank",
  account_last4: "5518",
  current_balance: 214905.12,
  payoff_amount: 0,
  payoff_good_through: "2026-06-09",
  escrow_balance: 3318.07,
  interest_rate: 6.15,
  monthly_payment: 2184.37,
  next_due_date: "2026-05-01",
  as_of_date: "2026-04-02",
};

test("a record survives domain → protobuf bytes → domain, zero kept apart from not stated", () => {
  const sparse: LiabilityRecord = { ...full, account_last4: null, escrow_balance: null, payoff_good_through: null, interest_rate: null };
  for (const record of [full, sparse]) {
    const bytes = toBinary(LiabilityRecordSchema, recordToProto(record));
    assert.deepEqual(liabilityRecordSchema.parse(recordFromProto(fromBinary(LiabilityRecordSchema, bytes))), record);
  }
  assert.equal(recordToProto(full).payoffAmount, 0);
  assert.equal(recordToProto({ ...full, payoff_amount: null }).payoffAmount, undefined);
});

test("every liability type and document kind maps both ways; unknown wire values are not guessed", () => {
  for (const type of LIABILITY_TYPES) {
    assert.equal(recordFromProto(recordToProto({ ...full, liability_type: type })).liability_type, type);
  }
  assert.equal(recordFromProto(recordToProto(full)).liability_type, "mortgage");
  const unspecified = { ...recordToProto(full), liabilityType: LiabilityType.UNSPECIFIED };
  assert.equal(recordFromProto(unspecified).liability_type, null);
  assert.equal(recordFromProto({ ...recordToProto(full), lenderName: "" }).lender_name, null);
  for (const kind of ["statement", "call_transcript"] as const) assert.equal(kindFromProto(kindToProto(kind)), kind);
  assert.equal(kindFromProto(DocumentKind.UNSPECIFIED), undefined);
  assert.equal(kindFromProto(99 as DocumentKind), undefined);
});

test("an upstream document encodes to the DocumentReceived the worker decodes, as protobuf or JSON", () => {
  const doc = {
    documentId: "d-1",
    tenantId: "t-1",
    kind: "call_transcript",
    sourceSystem: "tests",
    receivedAtMs: Date.UTC(2026, 3, 2, 12),
    text: "Rep: hi",
  } as const;
  const binary = encodeDocumentReceived(doc);
  assert.equal(binary.contentType, "application/x-protobuf");
  const json = encodeDocumentReceived(doc, "json");
  assert.equal(json.contentType, "application/json");
  for (const event of [fromBinary(DocumentReceivedSchema, binary.value), fromJsonString(DocumentReceivedSchema, json.value.toString("utf8"))]) {
    assert.equal(event.documentId, "d-1");
    assert.equal(event.tenantId, "t-1");
    assert.equal(kindFromProto(event.kind), "call_transcript");
    assert.equal(event.sourceSystem, "tests");
    assert.equal(Number(event.receivedAt!.seconds) * 1000, doc.receivedAtMs);
    if (event.content.case !== "text") assert.fail(`content is ${event.content.case}, not text`);
    assert.equal(new TextDecoder().decode(event.content.value), "Rep: hi");
  }
});

test("LiabilityRecorded carries the worker's outcome, and a reviewer's resolution with the record before it", () => {
  const base = {
    documentId: "d-2",
    tenantId: "t-1",
    record: full,
    modelId: "m",
    modelVersion: "v",
    promptVersion: "p",
    recordedAtMs: Date.UTC(2026, 3, 2),
    confidence: 0.91,
    reviewReasons: ["confidence.below_threshold"],
  };
  const worker = fromBinary(LiabilityRecordedSchema, encodeLiabilityRecorded({ ...base, status: "review" }));
  assert.equal(worker.status, RecordStatus.REVIEW);
  assert.equal(worker.review, undefined);
  assert.deepEqual(recordFromProto(worker.record!), full);
  const corrected = { ...full, monthly_payment: 2200.15 };
  const reviewed = fromBinary(
    LiabilityRecordedSchema,
    encodeLiabilityRecorded({
      ...base,
      status: "accepted",
      record: corrected,
      review: { decision: "correct", reviewer: "ana", reviewedAtMs: Date.UTC(2026, 3, 3), previous: full, correctedFields: ["monthly_payment"], shadow: false },
    }),
  );
  assert.equal(reviewed.status, RecordStatus.ACCEPTED);
  assert.equal(reviewed.review?.decision, ReviewDecision.CORRECTED);
  assert.deepEqual(recordFromProto(reviewed.review!.previousRecord!), full);
  assert.deepEqual(reviewed.review?.correctedFields, ["monthly_payment"]);
  assert.equal(fromBinary(LiabilityRecordedSchema, encodeLiabilityRecorded({ ...base, status: "rejected", record: null })).status, RecordStatus.REJECTED);
});
