import { liabilityRecordSchema, RECORD_FIELDS } from "../record.ts";
import type { LiabilityRecord, RecordField } from "../record.ts";
import { RULES } from "./reasons.ts";
import type { ValidationReason } from "./reasons.ts";

export type SchemaResult = { readonly ok: true; readonly record: LiabilityRecord } | { readonly ok: false; readonly reasons: readonly ValidationReason[] };

/**
 * Rule "schema": the model output must be exactly the record of the spec (all 11 keys,
 * right types, null when not stated). `output` is the raw JSON text or an already parsed
 * value. Messages name the key and the problem, never the value.
 */
export function checkSchema(output: unknown): SchemaResult {
  let value = output;
  if (typeof output === "string") {
    try {
      value = JSON.parse(output);
    } catch {
      return { ok: false, reasons: [{ rule: RULES.schemaUnparseable, message: "model output is not valid JSON" }] };
    }
  }
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    return { ok: false, reasons: [{ rule: RULES.schemaUnparseable, message: "model output is not a JSON object" }] };
  }
  const parsed = liabilityRecordSchema.safeParse(value);
  if (parsed.success) return { ok: true, record: parsed.data };
  const fields = new Set<string>(RECORD_FIELDS);
  const reasons: ValidationReason[] = parsed.error.issues.map((issue) => {
    const key = issue.path[0];
    const field = typeof key === "string" && fields.has(key) ? (key as RecordField) : undefined;
    const where = issue.path.length > 0 ? issue.path.join(".") : "record";
    const message =
      issue.code === "unrecognized_keys"
        ? // Keys come from the model and could carry document text: show a few, shortened.
          `unexpected keys: ${issue.keys
            .slice(0, 5)
            .map((k) => k.slice(0, 32))
            .join(", ")}`
        : `${where}: ${issue.message}`;
    return field ? { rule: RULES.schemaInvalid, field, message } : { rule: RULES.schemaInvalid, message };
  });
  return { ok: false, reasons };
}
