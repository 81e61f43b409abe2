import type { DocumentKind, LiabilityType } from "@liability/domain";
import type { RenderContext, StylePrefs } from "../context.ts";

export type Split = "train" | "validation" | "test";

export type Category = "monthly_statement" | "payoff_letter" | "escrow_analysis" | "servicing_notice" | "annual_summary" | "call_transcript";

export const ALL_TYPES = ["mortgage", "auto_loan", "credit_card", "student_loan", "personal_loan", "heloc"] as const satisfies readonly LiabilityType[];
export const LOAN_TYPES = ["mortgage", "auto_loan", "student_loan", "personal_loan", "heloc"] as const satisfies readonly LiabilityType[];

/**
 * A layout family: one template structure. Families are the unit of the train /
 * validation / test split, so a test document's layout was never seen in training.
 */
export interface Family {
  id: string;
  kind: DocumentKind;
  category: Category;
  types: readonly LiabilityType[];
  split: Split;
  /** Relative frequency within its split. */
  weight: number;
  /**
   * Corpus revision that added the family (absent: 1, the first). A later revision's
   * families are drawn from a stream of their own, after the earlier choice, so adding
   * them leaves every document of the earlier families byte-identical for a seed.
   */
  addedIn?: number;
  prefs?: StylePrefs;
  /** Chance of OCR damage (statements) or ASR damage (transcripts). */
  damage: number;
  render(ctx: RenderContext): string;
}
