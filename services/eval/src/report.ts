import { RECORD_FIELDS } from "@liability/domain";
import type { TargetReport } from "./metrics.ts";

/*
 * Terminal and Markdown rendering of the side-by-side table. One column per target, one
 * row per measure, so models can be compared the way a benchmark table compares them.
 */

const pct = (v: number) => `${(v * 100).toFixed(1)}%`;
const ms = (v: number) => (v >= 10_000 ? `${(v / 1000).toFixed(1)} s` : `${Math.round(v)} ms`);
const num = (v: number | null, d = 1) => (v === null ? "n/a" : v.toFixed(d));
const usd = (v: number) => (v >= 100 ? `$${Math.round(v).toLocaleString("en-US")}` : `$${v.toFixed(2)}`);

type Row = [string, ...string[]] | "---";

export function tableRows(reports: readonly TargetReport[]): Row[] {
  const col = (f: (r: TargetReport) => string): string[] => reports.map(f);
  const rows: Row[] = [
    ["target", ...col((r) => r.name)],
    ["model", ...col((r) => (r.model ? `${r.model.id}` : "n/a"))],
    ["prompt", ...col((r) => r.model?.prompt || "n/a")],
    ["mode", ...col((r) => r.mode)],
    "---",
    ["documents", ...col((r) => String(r.documents))],
    ["record error rate", ...col((r) => `${pct(r.recordErrorRate)} (${r.wrongRecords})`)],
  ];
  for (const f of RECORD_FIELDS) rows.push([`  ${f}`, ...col((r) => pct(r.fieldAccuracy[f]))]);
  rows.push(["failed calls", ...col((r) => String(r.failed))]);
  if (reports.some((r) => r.truncated > 0)) rows.push(["truncated inputs", ...col((r) => String(r.truncated))]);
  rows.push("---");
  rows.push(["latency p50", ...col((r) => ms(r.latencyMs.p50))]);
  rows.push(["latency p95", ...col((r) => ms(r.latencyMs.p95))]);
  rows.push(["latency p99", ...col((r) => ms(r.latencyMs.p99))]);
  if (reports.some((r) => r.serverMs)) rows.push(["sidecar time p50", ...col((r) => (r.serverMs ? ms(r.serverMs.p50) : "n/a"))]);
  rows.push(["tokens in / doc", ...col((r) => num(r.tokens.promptPerDoc, 0))]);
  rows.push(["tokens out / doc", ...col((r) => num(r.tokens.completionPerDoc, 1))]);
  const rate = (v: number) => (v >= 1 ? v.toFixed(2) : v.toPrecision(2));
  rows.push(["docs/s", ...col((r) => `${rate(r.throughput.docsPerSecond)}${r.throughput.concurrency ? ` (×${r.throughput.concurrency})` : ""}`)]);
  rows.push(["cost / 1M docs", ...col((r) => (r.cost ? `${usd(r.cost.perMillionDocs)} @ $${r.cost.pricePerHour}/${r.cost.unit}` : "set --price-per-hour"))]);
  if (reports.some((r) => r.validation)) {
    rows.push("---");
    rows.push(["routed to review", ...col((r) => (r.validation ? `${pct(r.validation.reviewShare)} (${r.validation.review})` : "n/a"))]);
    rows.push([
      "error rate, auto-accepted",
      ...col((r) => (r.validation ? `${pct(r.validation.acceptedErrorRate)} (${r.validation.acceptedWrong}/${r.validation.accepted})` : "n/a")),
    ]);
    rows.push([
      "wrong records caught",
      ...col((r) => (r.validation ? `${r.validation.wrongCaught}/${r.validation.wrong} (${pct(r.validation.wrongCaughtShare)})` : "n/a")),
    ]);
    rows.push(["right records to review", ...col((r) => (r.validation ? String(r.validation.correctToReview) : "n/a"))]);
  }
  return rows;
}

export function renderTerminal(reports: readonly TargetReport[], worst: number): string {
  const rows = tableRows(reports);
  const widths: number[] = [];
  for (const row of rows) {
    if (row === "---") continue;
    row.forEach((c, i) => {
      widths[i] = Math.max(widths[i] ?? 0, c.length);
    });
  }
  const line = (row: Row) =>
    row === "---" ? widths.map((w) => "─".repeat(w)).join("─┼─") : row.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join(" │ ");
  const out = rows.map(line);
  out.splice(1, 0, line("---"));

  for (const r of reports) {
    if (r.note) out.push("", `${r.name}: ${r.note}`);
    const families = Object.entries(r.byFamily).sort((a, b) => b[1].errorRate - a[1].errorRate);
    if (families.length > 0) {
      out.push("", `${r.name}: error rate by layout family`);
      for (const [family, g] of families) out.push(`  ${family.padEnd(28)} ${pct(g.errorRate).padStart(6)}  (${g.wrong}/${g.documents})`);
    }
    if (r.validation && Object.keys(r.validation.reasons).length > 0) {
      out.push("", `${r.name}: review reasons`);
      for (const [reason, n] of Object.entries(r.validation.reasons)
        .sort((a, b) => b[1] - a[1])
        .slice(0, 10))
        out.push(`  ${String(n).padStart(5)}  ${reason}`);
    }
    if (worst > 0 && r.worst.length > 0) {
      out.push("", `${r.name}: worst documents`);
      for (const w of r.worst) {
        const head = `  ${w.id}${w.family ? ` [${w.family}]` : ""}${w.status ? ` ${w.status}` : ""}${w.error ? ` error=${w.error}` : ""}: ${w.wrong.length} wrong`;
        out.push(head);
        for (const f of w.wrong) out.push(`      ${f.field.padEnd(20)} expected ${JSON.stringify(f.expected)}  got ${JSON.stringify(f.actual)}`);
      }
    }
  }
  return out.join("\n");
}

/** The same table as GitHub Markdown, for docs/evaluation.md. */
export function renderMarkdown(reports: readonly TargetReport[]): string {
  const rows = tableRows(reports).filter((r): r is [string, ...string[]] => r !== "---");
  const head = rows[0]!;
  const body = rows.slice(1);
  const esc = (s: string) => s.replace(/\|/g, "\\|");
  return [
    `| ${head.map(esc).join(" | ")} |`,
    `|${head.map((_, i) => (i === 0 ? "---" : "---:")).join("|")}|`,
    // Indented rows are the per-field accuracies; Markdown drops the indent, so say it.
    ...body.map((r) => `| ${r.map((c, i) => esc(i === 0 ? (c.startsWith("  ") ? `${c.trim()} accuracy` : c) : c)).join(" | ")} |`),
  ].join("\n");
}
