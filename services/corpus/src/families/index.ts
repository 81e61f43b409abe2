import { ledgerFamilies } from "./ledgers.ts";
import { letterFamilies } from "./letters.ts";
import { multiAccountFamilies } from "./multi-account.ts";
import { statementFamilies } from "./statements.ts";
import { transcriptFamilies } from "./transcripts.ts";
import type { Family, Split } from "./types.ts";

export type { Category, Family, Split } from "./types.ts";

/** Families of the second corpus revision (issue 12): drawn after the first revision's, see `addedIn`. */
const REVISION_2: readonly Family[] = [...multiAccountFamilies, ...ledgerFamilies];

export const FAMILIES: readonly Family[] = [...statementFamilies, ...letterFamilies, ...transcriptFamilies, ...REVISION_2];

export const SPLITS: readonly Split[] = ["train", "validation", "test"];

export function familiesFor(split: Split): Family[] {
  return FAMILIES.filter((f) => f.split === split);
}
