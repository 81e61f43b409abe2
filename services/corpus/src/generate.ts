import type { LabelledDocument, LiabilityType } from "@liability/domain";
import { RenderContext } from "./context.ts";
import { makeFacts } from "./facts.ts";
import { FAMILIES, familiesFor } from "./families/index.ts";
import type { Category, Family, Split } from "./families/index.ts";
import { ALL_TYPES } from "./families/types.ts";
import { addDays } from "./format.ts";
import { asrDamage, insertInjection, ocrDamage } from "./noise.ts";
import { Rng } from "./rng.ts";

export interface DocumentMeta {
  family: string;
  /** When the document reached us (ISO date): shortly after it was issued or the call took place. */
  received_at: string;
  category: Category;
  split: Split;
  /** Hostile content applied: "ocr", "asr", "injection". */
  hostile: string[];
}

/** A document in the spec's JSONL format plus `meta`, which readers of the spec format ignore. */
export type GeneratedDocument = LabelledDocument & { expected: NonNullable<LabelledDocument["expected"]>; meta: DocumentMeta };

export interface GenerateOptions {
  /** Share of documents with a prompt-injection line. */
  injectionRate?: number;
}

const DEFAULT_INJECTION_RATE = 0.07;

/** Documents per split for a total: 80 / 10 / 10, every split at least one document. */
export function splitCounts(total: number): Record<Split, number> {
  const validation = Math.max(1, Math.round(total * 0.1));
  const test = Math.max(1, Math.round(total * 0.1));
  return { train: Math.max(1, total - validation - test), validation, test };
}

const revisionOf = (f: Family): number => f.addedIn ?? 1;
const weightOf = (fs: readonly Family[]): number => fs.reduce((s, f) => s + f.weight, 0);

/**
 * The family for a document. The first revision's families are drawn from the document's
 * stream exactly as before later revisions existed; each later revision then takes the
 * document over with the share of weight its families add, drawn from a stream of its own
 * (`key`). Overall every family is chosen in proportion to its weight, as one weighted draw
 * would, and a document that stays with an earlier family is byte-identical to before.
 */
function chooseFamily(rng: Rng, split: Split, type: LiabilityType, key: string): Family {
  const options = familiesFor(split).filter((f) => f.types.includes(type));
  const first = options.filter((f) => revisionOf(f) === 1);
  let chosen = first.length > 0 ? rng.weighted(first.map((f) => [f, f.weight] as const)) : undefined;
  const later = [...new Set(options.map(revisionOf))].filter((r) => r > 1).sort((a, b) => a - b);
  for (const revision of later) {
    const added = options.filter((f) => revisionOf(f) === revision);
    const share = weightOf(added) / weightOf(options.filter((f) => revisionOf(f) <= revision));
    const draw = new Rng(`${key}:families-r${revision}`);
    if (chosen === undefined || draw.chance(share)) chosen = draw.weighted(added.map((f) => [f, f.weight] as const));
  }
  if (chosen === undefined) throw new Error(`no layout family for ${type} in ${split}`);
  return chosen;
}

/**
 * One document, fully determined by (seed, split, index). The liability type is drawn
 * first so that every split holds all six types in about equal shares.
 */
export function generateDocument(seed: number, split: Split, index: number, opts: GenerateOptions = {}): GeneratedDocument {
  const key = `${seed}:${split}:${index}`;
  const rng = new Rng(key);
  const type = rng.pick(ALL_TYPES);
  const family = chooseFamily(rng, split, type, key);
  return renderDocument(rng, family, type, `${split}-s${seed}-${String(index).padStart(5, "0")}`, split, opts);
}

/**
 * A document of one named family, whatever its split: for tests and for looking at a
 * family's output. Fully determined by (seed, family, index).
 */
export function generateFamilyDocument(seed: number, familyId: string, index: number, opts: GenerateOptions = {}): GeneratedDocument {
  const family = FAMILIES.find((f) => f.id === familyId);
  if (!family) throw new Error(`unknown layout family ${familyId}`);
  const rng = new Rng(`${seed}:${familyId}:${index}`);
  const type = rng.pick(family.types);
  return renderDocument(rng, family, type, `${familyId}-s${seed}-${String(index).padStart(5, "0")}`, family.split, opts);
}

function renderDocument(rng: Rng, family: Family, type: LiabilityType, id: string, split: Split, opts: GenerateOptions): GeneratedDocument {
  const facts = makeFacts(type, rng.fork("facts"));
  const ctx = new RenderContext(rng.fork("render"), facts, family.prefs);
  let text = family.render(ctx);
  const hostile: string[] = [];
  const noise = rng.fork("noise");
  if (noise.chance(family.damage)) {
    if (family.kind === "call_transcript") {
      text = asrDamage(text, noise, [facts.lender]);
      hostile.push("asr");
    } else {
      text = ocrDamage(text, noise, [facts.lender]);
      hostile.push("ocr");
    }
  }
  if (noise.chance(opts.injectionRate ?? DEFAULT_INJECTION_RATE)) {
    text = insertInjection(text, noise, family.kind === "call_transcript");
    hostile.push("injection");
  }
  return {
    id,
    kind: family.kind,
    text: text.replace(/[ \t]+$/gm, ""),
    expected: ctx.label(),
    meta: { family: family.id, category: family.category, split, received_at: addDays(facts.asOf, noise.int(0, 5)), hostile },
  };
}

export function* generateSplit(seed: number, split: Split, count: number, opts: GenerateOptions = {}): Generator<GeneratedDocument> {
  for (let i = 0; i < count; i++) yield generateDocument(seed, split, i, opts);
}

export function familyTable(): { id: string; split: Split; kind: string; category: Category; types: readonly string[] }[] {
  return FAMILIES.map((f) => ({ id: f.id, split: f.split, kind: f.kind, category: f.category, types: f.types }));
}
