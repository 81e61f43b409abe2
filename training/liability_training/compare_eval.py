"""Side-by-side table of `eval` JSON reports (services/eval), restricted to the documents that every
target ran, so that runs with different --limit, or stopped early with Ctrl-C (eval then reports the
documents it did not send as "no result"), still compare on the same documents.

    training/.venv/bin/python -m liability_training.compare_eval base.json finetuned.json > table.md
"""
from __future__ import annotations

import argparse
import json
import statistics
import sys
from typing import Any

FIELDS = ["liability_type", "lender_name", "account_last4", "current_balance", "payoff_amount", "payoff_good_through",
          "escrow_balance", "interest_rate", "monthly_payment", "next_due_date", "as_of_date"]


NOT_RUN = "no result"


def pct(x: float) -> str:
    return f"{100 * x:.1f}%"


def was_run(detail: dict[str, Any]) -> bool:
    """False for the documents an interrupted eval never sent (a failed call was run)."""
    return detail.get("error") != NOT_RUN


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("reports", nargs="+")
    args = ap.parse_args(argv)
    # Targets with the same name in several reports (one run split over several data files) are merged.
    by_name: dict[str, dict[str, Any]] = {}
    for path in args.reports:
        for t in json.load(open(path, encoding="utf-8"))["targets"]:
            if t["name"] not in by_name:
                by_name[t["name"]] = {**t, "documentsDetail": list(t["documentsDetail"]), "_runs": [t]}
            else:
                m = by_name[t["name"]]
                m["documentsDetail"] += t["documentsDetail"]
                m["_runs"].append(t)
    targets = list(by_name.values())
    for t in targets:
        runs = t["_runs"]
        ran = sum(1 for r in runs for d in r["documentsDetail"] if was_run(d))
        for key in ("promptPerDoc", "completionPerDoc"):
            vals = [(r["tokens"][key], r["documents"]) for r in runs if r["tokens"][key] is not None]
            t["tokens"] = {**t["tokens"], key: sum(v * n for v, n in vals) / sum(n for _, n in vals) if vals else None}
        t["throughput"] = {**t["throughput"], "docsPerSecond": ran / sum(r["throughput"]["wallSeconds"] for r in runs)}
    common = set.intersection(*({d["id"] for d in t["documentsDetail"] if was_run(d)} for t in targets))
    cols = [t["name"] for t in targets]
    rows: list[tuple[str, list[str]]] = []
    stats = []
    for t in targets:
        docs = [d for d in t["documentsDetail"] if d["id"] in common]
        n = len(docs)
        wrong = sum(not d["correct"] for d in docs)
        lat = sorted(d["latencyMs"] for d in docs if d["latencyMs"] is not None)
        s = {"n": n, "wrong": wrong, "ere": wrong / n if n else 0.0,
             "field": {f: 1 - sum(f in d["wrongFields"] for d in docs) / n for f in FIELDS},
             "lat50": statistics.median(lat) if lat else None,
             "lat95": lat[min(len(lat) - 1, int(round(0.95 * (len(lat) - 1))))] if lat else None,
             "failed": sum(d["error"] is not None for d in docs),
             "review": sum(d.get("status") == "review" for d in docs),
             "accepted": [d for d in docs if d.get("status") == "accepted"],
             "kinds": {}}
        for kind in sorted({d["kind"] for d in docs}):
            kd = [d for d in docs if d["kind"] == kind]
            s["kinds"][kind] = (sum(not d["correct"] for d in kd), len(kd))
        stats.append((t, s))
    rows.append(("documents (same for every column)", [str(s["n"]) for _, s in stats]))
    rows.append(("**record error rate**", [f"**{pct(s['ere'])}** ({s['wrong']} wrong)" for _, s in stats]))
    for kind in sorted({k for _, s in stats for k in s["kinds"]}):
        rows.append((f"record error rate, {kind}", [f"{pct(s['kinds'][kind][0] / s['kinds'][kind][1])} of {s['kinds'][kind][1]}" if kind in s["kinds"] else "-" for _, s in stats]))
    for f in FIELDS:
        rows.append((f"accuracy `{f}`", [pct(s["field"][f]) for _, s in stats]))
    # What the worker would do with these answers: its validation sends doubtful records to review;
    # the error rate that reaches the database is that of the accepted ones.
    rows.append(("sent to review by validation", [pct(s["review"] / s["n"]) if s["n"] else "-" for _, s in stats]))
    rows.append(("record error rate of accepted records", [
        f"{pct(sum(not d['correct'] for d in s['accepted']) / len(s['accepted']))} of {len(s['accepted'])}" if s["accepted"] else "- (none accepted)"
        for _, s in stats]))
    rows.append(("calls failed", [str(s["failed"]) for _, s in stats]))
    rows.append(("latency p50 / p95 (ms)", [f"{s['lat50']:.0f} / {s['lat95']:.0f}" if s["lat50"] is not None else "-" for _, s in stats]))
    rows.append(("prompt tokens / doc (whole run)", [f"{t['tokens']['promptPerDoc']:.0f}" if t["tokens"]["promptPerDoc"] else "-" for t, _ in stats]))
    rows.append(("completion tokens / doc (whole run)", [f"{t['tokens']['completionPerDoc']:.0f}" if t["tokens"]["completionPerDoc"] else "-" for t, _ in stats]))
    rows.append(("throughput (docs/s, whole run)", [f"{t['throughput']['docsPerSecond']:.3f}" for t, _ in stats]))
    rows.append(("cost per million documents", [
        f"${t['cost']['pricePerHour'] / t['throughput']['docsPerSecond'] * 1e6 / 3600:,.0f} at ${t['cost']['pricePerHour']}/{t['cost']['unit']}"
        if t.get("cost") else "- (no price given)" for t, _ in stats]))
    rows.append(("model", [f"`{t['model']['id']}`" if t.get("model") else "-" for t, _ in stats]))
    out = sys.stdout
    out.write("| | " + " | ".join(cols) + " |\n|---|" + "---|" * len(cols) + "\n")
    for name, vals in rows:
        out.write(f"| {name} | " + " | ".join(vals) + " |\n")


if __name__ == "__main__":
    main()
