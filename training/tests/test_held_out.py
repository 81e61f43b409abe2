"""The hand-written dev set never reaches a training, validation or test split."""
from __future__ import annotations

import json
from pathlib import Path

from liability_training import build_dataset
from liability_training.common import REPO_ROOT, read_jsonl


def test_dev_set_documents_are_dropped_from_every_split(tmp_path: Path) -> None:
    dev = next(read_jsonl(next((REPO_ROOT / build_dataset.HELD_OUT_DIR).glob("*.jsonl"))))
    other = {"id": "g-1", "kind": "statement", "text": "ACME BANK\\nBalance $10.00\\n", "expected": dev["expected"]}
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    # The dev document with different spacing is still the same document.
    copy = {**dev, "id": "g-2", "text": dev["text"].replace("\n", "\n  ")}
    (corpus / "train.jsonl").write_text("".join(json.dumps(r) + "\n" for r in (other, copy)), encoding="utf-8")
    (corpus / "test.jsonl").write_text(json.dumps({**dev, "id": "g-3"}) + "\n", encoding="utf-8")
    out, stats = build_dataset.collect({"data": {"corpus_dir": str(corpus)}})
    assert [r["id"] for r in out["train"]] == ["g-1"]
    assert out["test"] == []
    assert stats["dropped"]["train: in the held-out dev set"] == 1
    assert stats["dropped"]["test: in the held-out dev set"] == 1
