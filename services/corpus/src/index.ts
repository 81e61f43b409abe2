export { generateDocument, generateFamilyDocument, generateSplit, splitCounts, familyTable } from "./generate.ts";
export type { DocumentMeta, GeneratedDocument, GenerateOptions } from "./generate.ts";
export { FAMILIES, SPLITS, familiesFor } from "./families/index.ts";
export type { Category, Family, Split } from "./families/index.ts";
export { validateLabel, moneyCandidates, dateCandidates, rateCandidates, last4Candidates } from "./validate.ts";
export type { LabelIssue } from "./validate.ts";
export { StatsCollector } from "./stats.ts";
export type { CorpusStats } from "./stats.ts";
