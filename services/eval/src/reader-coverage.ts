// reader-coverage: how much of a labelled dataset the document's own labels confirm, without a model.
//
//   node services/eval/src/reader-coverage.ts --data FILE.jsonl [--json REPORT.json]
//
// Routing accepts a value only where the document's labels confirm it (consistency.ts,
// `policy.corroboratedFields`), and guided decoding writes the labelled value where there is one.
// So the labelled-field reader's coverage bounds how many records can be accepted without a
// person, and its mistakes are values forced wrong. Per reader field: right (the labels give
// exactly the label's value), wrong (they give another), conflict (they disagree), unread (the
// label has a value, the reader none) and spurious (the label is null, the reader reads one);
// and the documents whose every stated field is confirmed.
import { readFileSync, writeFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { buildCandidates, buildSourceIndex, canonicalReaderValue, checkInjection, READER_FIELDS, readDocumentLabels } from "@liability/domain";
import type { ReaderField } from "@liability/domain";
import { parseDataset } from "./dataset.ts";

interface FieldCoverage {
  right: number;
  wrong: number;
  conflict: number;
  unread: number;
  spurious: number;
}

const { values } = parseArgs({ options: { data: { type: "string" }, json: { type: "string" } } });
if (!values.data) {
  process.stderr.write("usage: reader-coverage --data FILE.jsonl [--json REPORT.json]\n");
  process.exit(2);
}

const docs = parseDataset(readFileSync(values.data, "utf8"), values.data);
const fields = Object.fromEntries(READER_FIELDS.map((f) => [f, { right: 0, wrong: 0, conflict: 0, unread: 0, spurious: 0 }])) as Record<
  ReaderField,
  FieldCoverage
>;
let confirmed = 0;
for (const doc of docs) {
  const index = buildSourceIndex(doc.text);
  const candidates = buildCandidates(index, doc.receivedAt ? { referenceYear: doc.receivedAt.getUTCFullYear() } : {});
  const { allowed } = readDocumentLabels(index, candidates, checkInjection(index.text).spans);
  let all = true;
  for (const field of READER_FIELDS) {
    const want = canonicalReaderValue(field, doc.expected[field]);
    const read = allowed[field];
    const counts = fields[field];
    if (want === null) {
      if (read !== undefined && read.size > 0) counts.spurious += 1;
      continue;
    }
    if (read === undefined) counts.unread += 1;
    else if (read.size === 0) counts.conflict += 1;
    else if (read.size === 1 && read.has(want)) counts.right += 1;
    else counts.wrong += 1;
    if (read === undefined || read.size !== 1 || !read.has(want)) all = false;
  }
  if (all) confirmed += 1;
}

const report = { data: values.data, documents: docs.length, fullyConfirmed: confirmed, fields };
process.stdout.write(`${values.data}: ${docs.length} documents, every stated field confirmed by the labels in ${confirmed}\n`);
process.stdout.write(`${"field".padEnd(20)} ${["right", "wrong", "conflict", "unread", "spurious"].map((h) => h.padStart(8)).join(" ")}\n`);
for (const [field, c] of Object.entries(fields)) {
  process.stdout.write(`${field.padEnd(20)} ${[c.right, c.wrong, c.conflict, c.unread, c.spurious].map((n) => String(n).padStart(8)).join(" ")}\n`);
}
if (values.json) writeFileSync(values.json, `${JSON.stringify(report, null, 2)}\n`);
