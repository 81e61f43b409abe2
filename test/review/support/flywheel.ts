// The flywheel's far end, as an operator runs it: training/sql/export-reviewed.sql through psql as
// the schema owner, then training/run.sh build-dataset --reviewed on the tiny fixture corpus.
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { harnessConfig } from "../../harness/index.ts";

const run = promisify(execFile);
const REPO = fileURLToPath(new URL("../../../", import.meta.url));

/** The export's lines (JSON objects) for one schema. */
export async function exportReviewed(schema: string): Promise<Record<string, unknown>[]> {
  const { stdout } = await run(
    "psql",
    [harnessConfig().TEST_DATABASE_ADMIN_URL, "-v", "ON_ERROR_STOP=1", "-At", "-f", join(REPO, "training/sql/export-reviewed.sql")],
    {
      env: { ...process.env, PGOPTIONS: `-c search_path=${schema}` },
    },
  );
  return stdout
    .split("\n")
    .filter((l) => l.trim() !== "")
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

/** Builds the training set from the tiny corpus plus these export lines; returns train.jsonl's rows. */
export async function buildDatasetWith(exported: readonly Record<string, unknown>[]): Promise<Record<string, unknown>[]> {
  const dir = mkdtempSync(join(tmpdir(), "lre-flywheel-"));
  const reviewed = join(dir, "reviewed.jsonl");
  writeFileSync(reviewed, exported.map((e) => `${JSON.stringify(e)}\n`).join(""));
  await run(
    join(REPO, "training/run.sh"),
    ["build-dataset", "--config", "training/configs/tiny-test.yaml", "--out-dir", join(dir, "dataset"), "--reviewed", reviewed],
    {
      cwd: REPO,
      timeout: 300_000,
    },
  );
  return readFileSync(join(dir, "dataset", "train.jsonl"), "utf8")
    .split("\n")
    .filter((l) => l.trim() !== "")
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}
