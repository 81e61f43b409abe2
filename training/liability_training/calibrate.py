"""Calibrated routing: the confidence threshold at which accepted records are at most a target share wrong.

A record is accepted when validation finds nothing against it (schema, plausibility, grounding,
label consistency with the labelled-field reader) and its lowest per-field confidence is at least
the threshold. This fits the threshold on one `eval` run (the validation split) and reports what
it does on others (the test split, the hand-written dev set), with a picture of the trade-off.

    training/run.sh calibrate --fit VAL.json VAL.predictions.jsonl [--apply NAME REPORT.json PREDICTIONS.jsonl ...]
                              [--target 0.02] [--plot calibration.png] [--json out.json]

REPORT.json and PREDICTIONS.jsonl come from `eval --json ... --predictions ...` with one target
(training/evaluate.sh writes both), run with confidence on, as production runs.
"""
from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

CONFIDENCE_RULE = "confidence.below_threshold"


@dataclass(frozen=True)
class Judged:
    id: str
    correct: bool
    # Reasons other than the confidence rule, which the threshold decides anew.
    blocking: tuple[str, ...]
    confidence: float | None


@dataclass(frozen=True)
class Operating:
    threshold: float
    documents: int
    accepted: int
    accepted_wrong: int

    @property
    def review_share(self) -> float:
        return 1 - self.accepted / self.documents if self.documents else 0.0

    @property
    def accepted_error(self) -> float:
        return self.accepted_wrong / self.accepted if self.accepted else 0.0


def load(report_path: Path, predictions_path: Path) -> list[Judged]:
    report = json.loads(report_path.read_text(encoding="utf-8"))
    if len(report["targets"]) != 1:
        raise SystemExit(f"{report_path}: expected one target, found {len(report['targets'])}")
    confidence = {}
    for line in predictions_path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            row = json.loads(line)
            confidence[row["id"]] = row.get("confidence")
    out = []
    for d in report["targets"][0]["documentsDetail"]:
        if d.get("error") is not None:
            # No answer: never accepted, always wrong.
            out.append(Judged(d["id"], False, ("call.failed",), None))
            continue
        blocking = tuple(r for r in d.get("reasons", []) if not r.startswith(CONFIDENCE_RULE))
        out.append(Judged(d["id"], bool(d["correct"]), blocking, confidence.get(d["id"])))
    return out


def operate(docs: list[Judged], threshold: float) -> Operating:
    accepted = [d for d in docs if not d.blocking and d.confidence is not None and d.confidence >= threshold]
    return Operating(threshold, len(docs), len(accepted), sum(not d.correct for d in accepted))


def sweep(docs: list[Judged]) -> list[Operating]:
    """Every threshold that changes the outcome: 0 and each confidence an unblocked record has, and above all of them."""
    values = sorted({d.confidence for d in docs if not d.blocking and d.confidence is not None})
    thresholds = [0.0, *values, (values[-1] + 1e-9) if values else 1.0]
    return [operate(docs, t) for t in sorted(set(thresholds))]


def choose(curve: list[Operating], target: float) -> Operating | None:
    """The threshold that accepts the most records with accepted error at most `target` (lowest such threshold)."""
    ok = [p for p in curve if p.accepted > 0 and p.accepted_error <= target]
    if not ok:
        return None
    return max(ok, key=lambda p: (p.accepted, -p.threshold))


def plot(curve: list[Operating], chosen: Operating | None, applied: dict[str, Operating], target: float, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6.4, 4.2), dpi=120)
    ax.plot([100 * p.review_share for p in curve], [100 * p.accepted_error for p in curve], marker=".", label="validation split, each threshold")
    ax.axhline(100 * target, color="grey", linestyle="--", linewidth=1, label=f"target {100 * target:.0f}% wrong among accepted")
    if chosen is not None:
        ax.scatter([100 * chosen.review_share], [100 * chosen.accepted_error], color="red", zorder=3,
                   label=f"chosen: confidence ≥ {chosen.threshold:.3f}")
    for name, p in applied.items():
        ax.scatter([100 * p.review_share], [100 * p.accepted_error], marker="x", zorder=3, label=f"{name} at that threshold")
    ax.set_xlabel("sent to review (%)")
    ax.set_ylabel("wrong among accepted records (%)")
    ax.set_title("Routing: review share against accepted error", fontsize=10)
    ax.set_xlim(0, 100)
    ax.set_ylim(bottom=0)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


def describe(name: str, p: Operating) -> str:
    return (f"| {name} | {p.documents} | {p.threshold:.3f} | {100 * p.review_share:.1f}% | {p.accepted} | "
            f"{100 * p.accepted_error:.1f}% ({p.accepted_wrong} wrong) |")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="calibrate", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--fit", nargs=2, metavar=("REPORT", "PREDICTIONS"), required=True)
    ap.add_argument("--apply", nargs=3, action="append", default=[], metavar=("NAME", "REPORT", "PREDICTIONS"))
    ap.add_argument("--target", type=float, default=0.02, help="largest share of wrong records among accepted ones")
    ap.add_argument("--plot", type=Path)
    ap.add_argument("--json", type=Path)
    args = ap.parse_args(argv)

    fit = load(Path(args.fit[0]), Path(args.fit[1]))
    curve = sweep(fit)
    chosen = choose(curve, args.target)
    applied = {}
    if chosen is not None:
        for name, report, predictions in args.apply:
            applied[name] = operate(load(Path(report), Path(predictions)), chosen.threshold)

    print("| run | documents | threshold | sent to review | accepted | wrong among accepted |")
    print("|---|---|---|---|---|---|")
    if chosen is None:
        best = min((p for p in curve if p.accepted > 0), key=lambda p: p.accepted_error, default=None)
        print(f"no threshold keeps accepted records at most {100 * args.target:.1f}% wrong on the fitted run"
              + (f"; the best is {100 * best.accepted_error:.1f}% at {best.threshold:.3f}" if best else ""), file=sys.stderr)
    else:
        print(describe("fitted (validation)", chosen))
        for name, p in applied.items():
            print(describe(name, p))
    if args.plot:
        plot(curve, chosen, applied, args.target, args.plot)
    if args.json:
        args.json.write_text(json.dumps({
            "target": args.target,
            "threshold": chosen.threshold if chosen else None,
            "fitted": chosen.__dict__ if chosen else None,
            "applied": {k: v.__dict__ for k, v in applied.items()},
            "curve": [p.__dict__ for p in curve],
        }, indent=2) + "\n", encoding="utf-8")
    return 0 if chosen is not None else 1


if __name__ == "__main__":
    sys.exit(main())
