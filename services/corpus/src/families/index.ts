import { letterFamilies } from "./letters.ts";
import { statementFamilies } from "./statements.ts";
import { transcriptFamilies } from "./transcripts.ts";
import type { Family, Split } from "./types.ts";

export type { Category, Family, Split } from "./types.ts";

export const FAMILIES: readonly Family[] = [...statementFamilies, ...letterFamilies, ...transcriptFamilies];

export const SPLITS: readonly Split[] = ["train", "validation", "test"];

export function familiesFor(split: Split): Family[] {
  return FAMILIES.filter((f) => f.split === split);
}
