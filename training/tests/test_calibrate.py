"""Calibrated routing picks the threshold that accepts the most records within the target error."""
from __future__ import annotations

import json
from pathlib import Path

from liability_training import calibrate


def write_run(tmp: Path, name: str, docs: list[tuple[bool, list[str], float | None]]) -> tuple[str, str]:
    detail = [{"id": f"d{i}", "correct": correct, "reasons": reasons, "error": None, "status": "review" if reasons else "accepted"}
              for i, (correct, reasons, _) in enumerate(docs)]
    report = tmp / f"{name}.json"
    report.write_text(json.dumps({"targets": [{"name": name, "documentsDetail": detail}]}), encoding="utf-8")
    predictions = tmp / f"{name}.predictions.jsonl"
    predictions.write_text("".join(json.dumps({"id": f"d{i}", "record": None, "confidence": c}) + "\n"
                                   for i, (_, _, c) in enumerate(docs)), encoding="utf-8")
    return str(report), str(predictions)


def test_threshold_accepts_most_within_target_and_ignores_the_old_confidence_verdict(tmp_path: Path) -> None:
    # Right answers are confident, wrong ones mostly not; one wrong answer is confident (0.9).
    docs = [(True, [], 0.99)] * 40 + [(True, ["confidence.below_threshold"], 0.4)] * 10 + [(False, [], 0.9)] + \
           [(False, ["confidence.below_threshold"], 0.3)] * 9 + [(False, ["grounding.ungrounded_value:current_balance"], 0.99)] * 5
    fit = calibrate.load(*map(Path, write_run(tmp_path, "val", docs)))
    chosen = calibrate.choose(calibrate.sweep(fit), 0.02)
    assert chosen is not None
    # At 0.4 the wrong 0.9 is accepted with 50 right ones: 1/51 = 1.96% ≤ 2%, the most accepted.
    assert chosen.threshold == 0.4 and chosen.accepted == 51 and chosen.accepted_wrong == 1
    strict = calibrate.choose(calibrate.sweep(fit), 0.01)
    assert strict is not None and strict.threshold == 0.99 and strict.accepted_wrong == 0 and strict.accepted == 40
    # Blocking reasons are never overridden by confidence.
    assert calibrate.operate(fit, 0.0).accepted == 60


def test_cli_applies_the_fitted_threshold_and_draws_the_curve(tmp_path: Path, capsys) -> None:
    val = write_run(tmp_path, "val", [(True, [], 0.95)] * 20 + [(False, [], 0.5)] * 5)
    test = write_run(tmp_path, "test", [(True, [], 0.96)] * 8 + [(False, [], 0.97)] + [(False, [], 0.4)])
    out = tmp_path / "cal.json"
    code = calibrate.main(["--fit", *val, "--apply", "test", *test, "--plot", str(tmp_path / "cal.png"), "--json", str(out)])
    assert code == 0
    result = json.loads(out.read_text())
    assert result["threshold"] == 0.95
    assert result["applied"]["test"]["accepted"] == 9 and result["applied"]["test"]["accepted_wrong"] == 1
    assert (tmp_path / "cal.png").stat().st_size > 1000
    assert "| test | 10 | 0.950 | 10.0% | 9 | 11.1% (1 wrong) |" in capsys.readouterr().out


def test_no_threshold_reaches_the_target_is_a_failure(tmp_path: Path) -> None:
    val = write_run(tmp_path, "val", [(False, [], 0.99)] * 3)
    assert calibrate.main(["--fit", *val]) == 1
