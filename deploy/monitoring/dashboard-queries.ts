// The PromQL queries of a Grafana dashboard, so that the tests can check them like alert rules:
// `--as-rules` prints them as recording rules for `promtool check rules` (which parses each one),
// `--metrics` prints the metric names they read, one per line.
//   node deploy/monitoring/dashboard-queries.ts (--as-rules | --metrics) DASHBOARD.json
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";

interface Panel {
  readonly title?: string;
  readonly targets?: readonly { readonly expr?: string }[];
  readonly panels?: readonly Panel[];
}

export interface DashboardQuery {
  readonly panel: string;
  readonly expr: string;
}

/** Grafana's interval variables, given the value Grafana would pick at a 15 s scrape interval. */
const GRAFANA_VARIABLES: readonly [RegExp, string][] = [
  [/\$__rate_interval/g, "1m"],
  [/\$__interval/g, "15s"],
  [/\$__range/g, "1h"],
];

export function dashboardQueries(dashboard: { readonly panels?: readonly Panel[] }): DashboardQuery[] {
  const out: DashboardQuery[] = [];
  const visit = (panels: readonly Panel[] | undefined) => {
    for (const panel of panels ?? []) {
      for (const target of panel.targets ?? []) {
        if (target.expr) out.push({ panel: panel.title ?? "(untitled)", expr: substituteVariables(target.expr) });
      }
      visit(panel.panels);
    }
  };
  visit(dashboard.panels);
  return out;
}

function substituteVariables(expr: string): string {
  return GRAFANA_VARIABLES.reduce((e, [pattern, value]) => e.replace(pattern, value), expr);
}

const PROMQL_WORDS = new Set([
  "sum",
  "min",
  "max",
  "avg",
  "count",
  "by",
  "without",
  "on",
  "ignoring",
  "group_left",
  "group_right",
  "and",
  "or",
  "unless",
  "rate",
  "irate",
  "increase",
  "delta",
  "deriv",
  "histogram_quantile",
  "clamp_min",
  "clamp_max",
  "offset",
  "bool",
  "le",
  "max_over_time",
  "min_over_time",
  "avg_over_time",
  "topk",
  "bottomk",
  "vector",
  "scalar",
  "absent",
  "time",
  "label_replace",
]);

/** Metric names a query reads: identifiers that are not PromQL words, labels, strings, numbers or durations. */
export function metricNames(expr: string): string[] {
  const withoutStrings = expr.replace(/"(?:[^"\\]|\\.)*"/g, '""');
  const withoutMatchers = withoutStrings.replace(/\{[^}]*\}/g, "{}").replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, "$1()");
  const withoutDurations = withoutMatchers
    .replace(/\[[^\]]*\]/g, "[]")
    .replace(/\boffset\s+[0-9a-z]+/g, "")
    .replace(/(?<![a-zA-Z0-9_:])\d[\d.]*(?:e[-+]?\d+)?/g, "0");
  const names = new Set<string>();
  for (const match of withoutDurations.matchAll(/[a-zA-Z_:][a-zA-Z0-9_:]*/g)) {
    const name = match[0];
    if (PROMQL_WORDS.has(name)) continue;
    // A function call, not a metric.
    if (withoutDurations[match.index + name.length] === "(") continue;
    names.add(name);
  }
  return [...names].sort();
}

function asRecordingRules(queries: readonly DashboardQuery[]): string {
  const rules = queries.map((q, i) => `      - record: dashboard:query_${i + 1}\n        expr: ${JSON.stringify(q.expr)}\n`);
  return `groups:\n  - name: dashboard-queries\n    rules:\n${rules.join("")}`;
}

if (import.meta.main) {
  const { values, positionals } = parseArgs({ options: { "as-rules": { type: "boolean" }, metrics: { type: "boolean" } }, allowPositionals: true });
  if (positionals.length !== 1 || values["as-rules"] === values.metrics) {
    process.stderr.write("usage: dashboard-queries.ts (--as-rules | --metrics) DASHBOARD.json\n");
    process.exit(2);
  }
  const queries = dashboardQueries(JSON.parse(readFileSync(positionals[0]!, "utf8")));
  if (queries.length === 0) {
    process.stderr.write("dashboard-queries: the dashboard has no queries\n");
    process.exit(1);
  }
  process.stdout.write(values["as-rules"] ? asRecordingRules(queries) : `${[...new Set(queries.flatMap((q) => metricNames(q.expr)))].sort().join("\n")}\n`);
}
