"""Builds chat-format training examples from labelled JSONL.

Sources
- the corpus generator's splits (services/corpus): <corpus_dir>/{train,validation,test}.jsonl,
  split by layout family by the generator; each split keeps its documents here.
- reviewer-confirmed or corrected records exported from PostgreSQL (training/sql/), as JSONL in the
  spec's format ({"id", "kind", "text", "expected"}). An export that carries labels only
  ({"id", "expected"}) is joined by id with a documents file ({"id", "kind", "text"}), because the
  database keeps no document text. Reviewed documents are training data only.

Every document is rendered by the sidecar's own CLI (services/inference/src/render-prompt.ts):
prompt tokens exactly as the sidecar evaluates them, target = canonicalRecordJson(expected)
tokenized as plain text plus the end-of-generation token. training/ keeps no copy of either.

Deduplication is by document (kind + text, whitespace collapsed):
- within a split, the first copy stays; a reviewed record replaces a generated one for the same
  document (the reviewer's label is the truth);
- a training document that also occurs in validation or test is dropped from training, so that
  evaluation never sees a document the model was trained on.

Output: <out_dir>/{train,validation,test}.jsonl and <out_dir>/stats.json; counts are printed.
"""
from __future__ import annotations

import argparse
import collections
import hashlib
import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

from .common import NODE, REPO_ROOT, load_config, read_jsonl, repo_path, sidecar_env, write_jsonl

SPLITS = ("train", "validation", "test")

# The hand-written dev set: documents we report on and never train on (training/devset/README.md).
HELD_OUT_DIR = "training/devset"
FAMILY_KEYS = ("layout_family", "family", "layout")


def doc_hash(kind: str, text: str) -> str:
    norm = re.sub(r"\s+", " ", text).strip()
    return hashlib.sha256(f"{kind}\x00{norm}".encode("utf-8")).hexdigest()


def family_of(row: dict[str, Any]) -> str:
    for container in (row, row.get("meta") or {}, row.get("metadata") or {}):
        if isinstance(container, dict):
            for k in FAMILY_KEYS:
                v = container.get(k)
                if isinstance(v, str) and v:
                    return v
    return "unknown"


def load_reviewed(paths: list[str], documents: list[str]) -> tuple[list[dict[str, Any]], collections.Counter]:
    problems: collections.Counter = collections.Counter()
    texts: dict[str, dict[str, Any]] = {}
    for p in documents:
        for d in read_jsonl(repo_path(p)):
            texts[str(d.get("id"))] = d
    rows = []
    for p in paths:
        for r in read_jsonl(repo_path(p)):
            if "text" not in r:
                d = texts.get(str(r.get("id")))
                if d is None:
                    problems["reviewed: no document text for id"] += 1
                    continue
                r = {**r, "kind": d.get("kind"), "text": d.get("text")}
            rows.append(r)
    return rows, problems


def held_out_hashes(directory: Path) -> set[str]:
    """Hashes of every document of the held-out dev set, whatever file of that folder it is in."""
    return {doc_hash(d["kind"], d["text"]) for path in sorted(directory.glob("*.jsonl")) for d in read_jsonl(path)}


def collect(cfg: dict[str, Any]) -> tuple[dict[str, list[dict[str, Any]]], dict[str, Any]]:
    data = cfg["data"]
    held_out = held_out_hashes(repo_path(data.get("held_out_dir", HELD_OUT_DIR)))
    corpus_dir = repo_path(data["corpus_dir"])
    files = data.get("split_files") or {s: f"{s}.jsonl" for s in SPLITS}
    stats: dict[str, Any] = {"inputs": {}, "dropped": collections.Counter()}
    by_split: dict[str, list[dict[str, Any]]] = {s: [] for s in SPLITS}
    for split in SPLITS:
        path = corpus_dir / files[split]
        if not path.exists():
            if split == "train":
                raise SystemExit(f"{path} not found: generate the corpus first (see training/README.md)")
            print(f"note: {path} not found; split {split} is empty", file=sys.stderr)
            continue
        rows = list(read_jsonl(path))
        stats["inputs"][str(path)] = len(rows)
        for r in rows:
            by_split[split].append({**r, "_source": "generator", "_split": split})
    reviewed, problems = load_reviewed(list(data.get("reviewed") or []), list(data.get("reviewed_documents") or []))
    stats["dropped"].update(problems)
    stats["inputs"]["reviewed"] = len(reviewed)
    for r in reviewed:
        by_split["train"].append({**r, "_source": "reviewed", "_split": "train"})

    # Deduplicate. Evaluation splits first, so that training loses the overlap.
    out: dict[str, list[dict[str, Any]]] = {s: [] for s in SPLITS}
    seen_eval: set[str] = set()
    for split in ("test", "validation", "train"):
        index: dict[str, int] = {}
        for r in by_split[split]:
            kind, text = r.get("kind"), r.get("text")
            if not isinstance(kind, str) or not isinstance(text, str) or "expected" not in r:
                stats["dropped"][f"{split}: missing kind, text or expected"] += 1
                continue
            h = doc_hash(kind, text)
            if h in held_out:
                stats["dropped"][f"{split}: in the held-out dev set"] += 1
                continue
            if split == "train" and h in seen_eval:
                stats["dropped"]["train: also in validation/test"] += 1
                continue
            if split != "train" and h in seen_eval and h not in index:
                stats["dropped"][f"{split}: also in test"] += 1
                continue
            if h in index:
                if r["_source"] == "reviewed":
                    previous = out[split][index[h]]
                    keep_family = {"layout_family": family_of(previous)} if family_of(r) == "unknown" else {}
                    out[split][index[h]] = {**r, **keep_family, "_hash": h}
                    stats["dropped"][f"{split}: duplicate (reviewed label replaced generated)"] += 1
                else:
                    stats["dropped"][f"{split}: duplicate"] += 1
                continue
            index[h] = len(out[split])
            out[split].append({**r, "_hash": h})
        if split != "train":
            seen_eval.update(index)

    fam = {s: {family_of(r) for r in out[s]} for s in SPLITS}
    overlap = {
        f"{a}/{b}": sorted((fam[a] & fam[b]) - {"unknown"})
        for a, b in (("train", "validation"), ("train", "test"), ("validation", "test"))
    }
    stats["family_overlap"] = {k: v for k, v in overlap.items() if v}
    return out, stats


RENDER_PROMPT = "services/inference/src/render-prompt.ts"


def render(cfg: dict[str, Any], rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Renders every row with the sidecar's render-prompt CLI (its PromptBuilder, canonicalRecordJson
    and tokenizer). The CLI stops at the first line that is not a valid labelled document; that
    row is reported as invalid and the rest is rendered again."""
    base = repo_path(cfg["base_model"])
    # The prompt artifact the adapter will be served with (default: the sidecar's default prompt).
    prompt = cfg["data"].get("prompt")
    env = sidecar_env(base, {"INFERENCE_PROMPT_PATH": str(repo_path(prompt))} if prompt else None)
    results: dict[int, dict[str, Any]] = {}
    pending = list(range(len(rows)))
    while pending:
        payload = "".join(
            json.dumps({"id": str(i), "kind": rows[i]["kind"], "text": rows[i]["text"], "expected": rows[i]["expected"]}, ensure_ascii=False) + "\n"
            for i in pending
        )
        proc = subprocess.run([str(NODE), RENDER_PROMPT, "--input", "-"], input=payload.encode("utf-8"),
                              capture_output=True, env=env, cwd=REPO_ROOT, check=False)
        done = [json.loads(line) for line in proc.stdout.decode("utf-8").splitlines() if line.strip()]
        for d in done:
            results[int(d["id"])] = {"ok": True, "prompt_tokens": d["prompt_token_ids"], "prompt_text": d["prompt"],
                                     "target_text": d["completion"], "target_tokens": d["completion_token_ids"],
                                     "truncated": d["truncated"]}
        if proc.returncode == 0:
            break
        err = proc.stderr.decode("utf-8", errors="replace")
        m = re.search(r"render-prompt: line (\d+): (.*)", err)
        if not m:
            raise SystemExit(f"render-prompt failed ({proc.returncode}):\n{err[-4000:]}")
        # Line numbers count the payload's lines, all of them non-empty.
        bad = pending[int(m.group(1)) - 1]
        results[bad] = {"ok": False, "error": m.group(2).strip()}
        pending = [i for i in pending if i not in results]
    return [results[i] for i in range(len(rows))]


def build(cfg: dict[str, Any]) -> dict[str, Any]:
    data = cfg["data"]
    out_dir = repo_path(data["out_dir"])
    max_tokens = int(data.get("max_tokens", 0)) or None
    rows_by_split, stats = collect(cfg)
    all_rows = [r for s in SPLITS for r in rows_by_split[s]]
    rendered = render(cfg, all_rows)
    counts: dict[str, Any] = {}
    i = 0
    for split in SPLITS:
        examples = []
        c: dict[str, collections.Counter] = {"source": collections.Counter(), "kind": collections.Counter(), "family": collections.Counter()}
        for r in rows_by_split[split]:
            x = rendered[i]
            i += 1
            if not x["ok"]:
                stats["dropped"][f"{split}: invalid record"] += 1
                print(f"warning: {split} {r.get('id')}: {x['error']}", file=sys.stderr)
                continue
            n_tokens = len(x["prompt_tokens"]) + len(x["target_tokens"])
            if split == "train" and max_tokens and n_tokens > max_tokens:
                stats["dropped"]["train: longer than max_tokens"] += 1
                continue
            if x["truncated"]:
                stats["dropped"][f"{split}: kept, document truncated by the sidecar's rule"] += 1
            fam = family_of(r)
            examples.append(
                {
                    "id": r.get("id"),
                    "split": split,
                    "source": r["_source"],
                    "kind": r["kind"],
                    "family": fam,
                    "doc_sha256": r["_hash"],
                    "text": r["text"],
                    "expected": r["expected"],
                    "prompt_text": x["prompt_text"],
                    "prompt_tokens": x["prompt_tokens"],
                    "target_text": x["target_text"],
                    "target_tokens": x["target_tokens"],
                }
            )
            c["source"][r["_source"]] += 1
            c["kind"][r["kind"]] += 1
            c["family"][fam] += 1
        write_jsonl(out_dir / f"{split}.jsonl", examples)
        lengths = sorted(len(e["prompt_tokens"]) + len(e["target_tokens"]) for e in examples)
        counts[split] = {
            "examples": len(examples),
            **{k: dict(sorted(v.items())) for k, v in c.items()},
            "tokens": {
                "min": lengths[0] if lengths else 0,
                "median": lengths[len(lengths) // 2] if lengths else 0,
                "max": lengths[-1] if lengths else 0,
                "target_total": sum(len(e["target_tokens"]) for e in examples),
            },
        }
    report = {"config": cfg["_path"], "out_dir": str(out_dir), "inputs": stats["inputs"], "splits": counts,
              "dropped": dict(sorted(stats["dropped"].items())), "family_overlap": stats["family_overlap"]}
    (out_dir / "stats.json").write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    return report


def print_report(report: dict[str, Any]) -> None:
    print(f"dataset written to {report['out_dir']}")
    for split, c in report["splits"].items():
        fams = c["family"]
        print(f"  {split:<10} {c['examples']:>6} examples  sources {c['source']}  kinds {c['kind']}  "
              f"{len(fams)} families  tokens median {c['tokens']['median']} max {c['tokens']['max']}")
    for reason, n in report["dropped"].items():
        print(f"  dropped/noted: {reason}: {n}")
    if report["family_overlap"]:
        print(f"  WARNING: layout families shared between splits: {report['family_overlap']}")


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(prog="build-dataset", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--config", default="training/configs/lora-v1.yaml")
    ap.add_argument("--corpus-dir", help="overrides data.corpus_dir")
    ap.add_argument("--reviewed", action="append", default=[], help="reviewed-record JSONL export (repeatable)")
    ap.add_argument("--reviewed-documents", action="append", default=[], help="documents JSONL to join label-only exports with")
    ap.add_argument("--out-dir", help="overrides data.out_dir")
    args = ap.parse_args(argv)
    cfg = load_config(repo_path(args.config))
    if args.corpus_dir:
        cfg["data"]["corpus_dir"] = args.corpus_dir
    if args.out_dir:
        cfg["data"]["out_dir"] = args.out_dir
    cfg["data"]["reviewed"] = list(cfg["data"].get("reviewed") or []) + args.reviewed
    cfg["data"]["reviewed_documents"] = list(cfg["data"].get("reviewed_documents") or []) + args.reviewed_documents
    report = build(cfg)
    print_report(report)
    if report["splits"]["train"]["examples"] == 0:
        raise SystemExit("no training examples")


if __name__ == "__main__":
    main()
