import { recordFromProto } from "@liability/contracts";
import type { LiabilityRecord as ProtoRecord } from "@liability/contracts";
import type { ExtractedRecord } from "@liability/domain";

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
  return record ? recordFromProto(record) : null;
}
