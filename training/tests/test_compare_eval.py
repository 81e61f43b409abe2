"""The side-by-side table compares targets on the documents every one of them answered."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from liability_training import compare_eval


def doc(i: int, kind: str, correct: bool, status: str | None, wrong: list[str] | None = None) -> dict:
    return {"id": f"d{i}", "family": "f", "kind": kind, "correct": correct, "wrongFields": wrong or [],
            "latencyMs": 100 * (i + 1), "status": status, "reasons": [], "error": None}


def not_run(i: int) -> dict:
    """How eval reports a document it never sent (stopped with Ctrl-C)."""
    return {"id": f"d{i}", "family": "f", "kind": "statement", "correct": False, "wrongFields": ["lender_name"],
            "latencyMs": None, "status": None, "reasons": [], "error": "no result"}


def report(path: Path, name: str, docs: list[dict], price: float | None = None) -> str:
    target = {"name": name, "model": {"id": f"model-{name}"}, "documents": len(docs), "documentsDetail": docs,
              "tokens": {"promptPerDoc": 400, "completionPerDoc": 120}, "throughput": {"wallSeconds": 10.0},
              "cost": {"pricePerHour": price, "unit": "cpu-hour"} if price else None}
    path.write_text(json.dumps({"targets": [target]}), encoding="utf-8")
    return str(path)


def table(capsys: pytest.CaptureFixture[str], *paths: str) -> dict[str, list[str]]:
    compare_eval.main(list(paths))
    rows = {}
    for line in capsys.readouterr().out.splitlines()[2:]:
        cells = [c.strip() for c in line.strip("|").split("|")]
        rows[cells[0]] = cells[1:]
    return rows


def test_compares_on_common_documents_with_routing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    base = report(tmp_path / "base.json", "base", [
        doc(0, "statement", False, "review", ["account_last4"]),
        doc(1, "statement", False, "accepted", ["account_last4", "as_of_date"]),
        doc(2, "call_transcript", True, "accepted"),
        not_run(3),  # the base run was interrupted before its last document
    ])
    # The fine-tuned run has one document more; it must not count.
    ft = report(tmp_path / "ft.json", "finetuned", [
        doc(0, "statement", True, "accepted"),
        doc(1, "statement", True, "review"),
        doc(2, "call_transcript", False, "accepted", ["as_of_date"]),
        doc(3, "statement", False, "accepted", ["account_last4"]),
    ], price=0.36)
    rows = table(capsys, base, ft)
    assert rows["documents (same for every column)"] == ["3", "3"]
    assert rows["**record error rate**"] == ["**66.7%** (2 wrong)", "**33.3%** (1 wrong)"]
    assert rows["record error rate, statement"] == ["100.0% of 2", "0.0% of 2"]
    assert rows["accuracy `account_last4`"] == ["33.3%", "100.0%"]
    assert rows["accuracy `as_of_date`"] == ["66.7%", "66.7%"]
    assert rows["sent to review by validation"] == ["33.3%", "33.3%"]
    assert rows["record error rate of accepted records"] == ["50.0% of 2", "50.0% of 2"]
    # 4 documents in 10 s at $0.36 an hour: $0.25 per 1,000, $250 per million.
    assert rows["cost per million documents"] == ["- (no price given)", "$250 at $0.36/cpu-hour"]
    assert rows["throughput (docs/s, whole run)"] == ["0.300", "0.400"]


def test_reports_a_target_with_nothing_accepted(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    only = report(tmp_path / "base.json", "base", [doc(0, "statement", False, "review", ["lender_name"])])
    rows = table(capsys, only)
    assert rows["record error rate of accepted records"] == ["- (none accepted)"]
    assert rows["sent to review by validation"] == ["100.0%"]
