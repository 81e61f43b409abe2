import { RECORD_FIELDS } from "@liability/domain";
import type { GeneratedDocument } from "./generate.ts";

/** Counts that describe a generated corpus: what the manifest records and the CLI prints. */
export interface CorpusStats {
  documents: number;
  byKind: Record<string, number>;
  byType: Record<string, number>;
  byCategory: Record<string, number>;
  byFamily: Record<string, number>;
  hostile: Record<string, number>;
  /** Per field: share of documents whose label is null. */
  nullShare: Record<string, number>;
  textChars: { p50: number; p90: number; max: number; under1500: number };
}

function inc(m: Record<string, number>, k: string): void {
  m[k] = (m[k] ?? 0) + 1;
}

export class StatsCollector {
  private n = 0;
  private readonly byKind: Record<string, number> = {};
  private readonly byType: Record<string, number> = {};
  private readonly byCategory: Record<string, number> = {};
  private readonly byFamily: Record<string, number> = {};
  private readonly hostile: Record<string, number> = {};
  private readonly nulls: Record<string, number> = {};
  private readonly lengths: number[] = [];

  add(doc: GeneratedDocument): void {
    this.n++;
    inc(this.byKind, doc.kind);
    inc(this.byType, doc.expected.liability_type);
    inc(this.byCategory, doc.meta.category);
    inc(this.byFamily, doc.meta.family);
    for (const h of doc.meta.hostile) inc(this.hostile, h);
    for (const f of RECORD_FIELDS) if (doc.expected[f] === null) inc(this.nulls, f);
    this.lengths.push(doc.text.length);
  }

  result(): CorpusStats {
    const sorted = this.lengths.slice().sort((a, b) => a - b);
    const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * q))] ?? 0;
    const nullShare: Record<string, number> = {};
    for (const f of RECORD_FIELDS) nullShare[f] = this.n ? Number(((this.nulls[f] ?? 0) / this.n).toFixed(3)) : 0;
    return {
      documents: this.n,
      byKind: this.byKind,
      byType: this.byType,
      byCategory: this.byCategory,
      byFamily: this.byFamily,
      hostile: this.hostile,
      nullShare,
      textChars: {
        p50: at(0.5),
        p90: at(0.9),
        max: sorted[sorted.length - 1] ?? 0,
        under1500: Number((sorted.filter((l) => l < 1500).length / Math.max(1, this.n)).toFixed(3)),
      },
    };
  }
}
