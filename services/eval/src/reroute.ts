// reroute: applies today's validation to the records of an earlier run, without the model.
//
//   node services/eval/src/reroute.ts --data FILE.jsonl --predictions PREDICTIONS.jsonl --out REPORT.json [--name NAME]
//        [--corroborate FIELD,FIELD|none]   (default: the validation policy's corroboratedFields)
//
// Validation is pure, so a change to its rules (a new label-consistency check, a threshold) can be
// judged on the records a model already produced: each prediction line ({"id", "record",
// "confidence"}, as `eval --predictions` writes it) is scored against its label and validated
// again. The report has the documentsDetail of an eval report (correct, wrongFields, status,
// reasons, error), which training/run.sh calibrate reads. The lowest field confidence stands in
// for all fields (the confidence rule looks at the lowest); whether the sidecar truncated the
// document is not in the predictions and counts as not truncated.
import { readFileSync, writeFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { DEFAULT_VALIDATION_POLICY, parseCorroboratedFields, READER_FIELDS, reasonCode, scoreRecord, validateExtraction } from "@liability/domain";
import type { ExtractedRecord, ReaderField, ValidationPolicy } from "@liability/domain";
import { parseDataset } from "./dataset.ts";

interface Prediction {
  id: string;
  record: ExtractedRecord | null;
  confidence?: number | null;
  error?: string | null;
}

const { values } = parseArgs({
  options: {
    data: { type: "string" },
    predictions: { type: "string" },
    out: { type: "string" },
    name: { type: "string", default: "rerouted" },
    corroborate: { type: "string" },
  },
});
if (!values.data || !values.predictions || !values.out) {
  process.stderr.write("usage: reroute --data FILE.jsonl --predictions PREDICTIONS.jsonl --out REPORT.json [--name NAME]\n");
  process.exit(2);
}
const policy: ValidationPolicy = { ...DEFAULT_VALIDATION_POLICY, corroboratedFields: corroboratedFields(values.corroborate) };

function corroboratedFields(option: string | undefined): readonly ReaderField[] {
  if (option === undefined) return DEFAULT_VALIDATION_POLICY.corroboratedFields;
  const { fields, unknown } = parseCorroboratedFields(option);
  if (unknown.length > 0) {
    process.stderr.write(`reroute: --corroborate takes fields of ${READER_FIELDS.join(", ")}; not ${unknown.join(", ")}\n`);
    process.exit(2);
  }
  return fields;
}

const docs = parseDataset(readFileSync(values.data, "utf8"), values.data);
const predictions = new Map<string, Prediction>();
for (const line of readFileSync(values.predictions, "utf8").split("\n")) {
  if (line.trim() !== "") {
    const p = JSON.parse(line) as Prediction;
    predictions.set(p.id, p);
  }
}
const detail = docs
  .filter((doc) => predictions.has(doc.id))
  .map((doc) => {
    const p = predictions.get(doc.id)!;
    const score = scoreRecord(doc.expected, p.record);
    if (p.error || p.record === null) {
      return {
        id: doc.id,
        kind: doc.kind,
        family: doc.family,
        correct: false,
        wrongFields: [...score.wrongFields],
        status: p.error ? null : "review",
        reasons: [],
        error: p.error ?? null,
      };
    }
    const confidence = typeof p.confidence === "number" ? { available: true, fields: { lowest: p.confidence } } : null;
    const v = validateExtraction({ text: doc.text, output: p.record, confidence, referenceDate: doc.receivedAt ?? new Date() }, policy);
    return {
      id: doc.id,
      kind: doc.kind,
      family: doc.family,
      correct: score.correct,
      wrongFields: [...score.wrongFields],
      status: v.status,
      reasons: v.reasons.map(reasonCode),
      error: null,
    };
  });
writeFileSync(values.out, `${JSON.stringify({ targets: [{ name: values.name, documentsDetail: detail }] }, null, 2)}\n`);
const accepted = detail.filter((d) => d.status === "accepted");
process.stderr.write(
  `reroute: ${detail.length} documents, ${detail.filter((d) => !d.correct).length} wrong; ${accepted.length} accepted, ${accepted.filter((d) => !d.correct).length} of them wrong → ${values.out}\n`,
);
