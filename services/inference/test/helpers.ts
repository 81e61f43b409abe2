import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { labelledDocumentSchema, type LabelledDocument } from "@liability/domain";
import { DEFAULT_MODEL_PATH } from "../src/config.ts";

export const REPO_ROOT = fileURLToPath(new URL("../../../", import.meta.url));

/** The tests run the real default model; fetch it (idempotent, verified) when it is not cached yet. */
export function ensureDefaultModel(): string {
  if (!existsSync(DEFAULT_MODEL_PATH)) {
    execFileSync(`${REPO_ROOT}infra/models/fetch-base-model.sh`, { stdio: ["ignore", "ignore", "inherit"] });
  }
  return DEFAULT_MODEL_PATH;
}

/** llama.cpp threads for tests: 1 by default, because the CI machine has 2 cores and the test process needs one. */
export const TEST_THREADS = Number(process.env.INFERENCE_TEST_THREADS ?? 1);

const SPEC_EXAMPLES = process.env.SPEC_EXAMPLES ?? "/work/shared/spec/examples.jsonl";

/** The spec's labelled examples, with small built-in stand-ins when the shared folder is absent. */
export function specExamples(): LabelledDocument[] {
  if (existsSync(SPEC_EXAMPLES)) {
    return readFileSync(SPEC_EXAMPLES, "utf8")
      .split("\n")
      .filter((l) => l.trim().length > 0)
      .map((l) => labelledDocumentSchema.parse(JSON.parse(l)));
  }
  return [STATEMENT, TRANSCRIPT];
}

export const STATEMENT: LabelledDocument = {
  id: "t-statement",
  kind: "statement",
  text: "RIVERBEND BANK\nAuto Loan Statement\nStatement Date: 02/03/2026\nAccount: ****4471\nPrincipal Balance $8,120.55\nPayment Due 03/01/2026  $311.20\nAPR 7.25%\n",
};

export const TRANSCRIPT: LabelledDocument = {
  id: "t-transcript",
  kind: "call_transcript",
  text: "REP: Harbor Card Services, how can I help?\nAGENT: Balance on the card ending 9032, please.\nREP: The current balance is $2,410.08 and the minimum due is $75.\n",
};

/** Polls until `condition` holds or `timeoutMs` passes. */
export async function waitFor(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > until) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
