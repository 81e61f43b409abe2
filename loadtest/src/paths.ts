import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** Repository root, found from this file so that commands work from any working directory. */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");

/** Ignored folder for run outputs and generated corpora (the repository ignores .cache/). */
export const CACHE_DIR = join(REPO_ROOT, ".cache", "loadtest");

/** The spec's examples; always present beside the repository. Three documents, used until a corpus is generated. */
export const SPEC_EXAMPLES = resolve(REPO_ROOT, "..", "shared", "spec", "examples.jsonl");

/** Where `corpus.ts` writes the generated load-test corpus. */
export const GENERATED_CORPUS = join(CACHE_DIR, "corpus.jsonl");

export const DEFAULT_CORPUS = existsSync(GENERATED_CORPUS) ? GENERATED_CORPUS : SPEC_EXAMPLES;
