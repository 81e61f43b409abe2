"""Checks that the sidecar's runtime (llama.cpp via node-llama-cpp, base GGUF + exported adapter
GGUF) generates what the trained model generates in Python, greedily, on a sample of documents.

Python side: the base dequantized from the same GGUF, the peft adapter, unconstrained greedy
decoding from the sidecar's prompt tokens. Sidecar side: training/node/generate.ts, i.e. the
sidecar's LlamaEngine (per-field grammars, key names injected). A fine-tuned model emits the
canonical JSON by itself, so the grammar and the injected keys should change nothing; llama.cpp multiplies Q4_1 weights by 8-bit-quantized
activations, so a near-tie between two tokens can still flip, and the report says where.

The exporter test compares the two teacher-forced instead (python_next_logprobs,
sidecar_next_tokens, teacher_forced_compare: next-token predictions at every position of one
fixed sequence), which a near-tie cannot derail.
"""
from __future__ import annotations

import argparse
import json
import random
import sys
import time
from pathlib import Path
from typing import Any

import torch

from .common import load_config, read_jsonl, repo_path, run_node_jsonl, sidecar_env

EOS_IDS = {2}  # <|im_end|>, SmolLM2's end-of-generation token


def python_generate(model: Any, docs: list[dict[str, Any]], max_tokens: int) -> list[dict[str, Any]]:
    from .model import greedy

    out = []
    for d in docs:
        t = time.time()
        tokens = greedy(model, d["prompt_tokens"], EOS_IDS, max_tokens)
        out.append({"tokens": tokens, "ms": round((time.time() - t) * 1000)})
    return out


def sidecar_generate(base: Path, gguf: Path | None, docs: list[dict[str, Any]], max_tokens: int, raw: bool, threads: int) -> list[dict[str, Any]]:
    """Runs training/node/generate.ts: the sidecar's engine (default) or plain llama.cpp greedy decoding (raw)."""
    extra = {"INFERENCE_LORA_PATH": str(gguf)} if gguf else {}
    args = ["--max-tokens", str(max_tokens), "--threads", str(threads)] + (["--raw"] if raw else [])
    rows = [{"key": str(i), "kind": d["kind"], "text": d["text"]} for i, d in enumerate(docs)]
    return run_node_jsonl("generate.ts", rows, sidecar_env(base, extra), args)


def compare(py: list[dict[str, Any]], node: list[dict[str, Any]], decode: Any) -> dict[str, Any]:
    """Same output = same text; in raw mode whether the token sequences are the same is reported too."""
    rows, same = [], 0
    for i, (a, b) in enumerate(zip(py, node)):
        text_a = decode([t for t in a["tokens"] if t not in EOS_IDS])
        # The output is the text; the same text may come as different token splits (reported apart).
        equal = text_a == b["text"]
        same_tokens = None if "tokens" not in b else a["tokens"] == b["tokens"]
        same += equal
        first = next((j for j, (x, y) in enumerate(zip(text_a, b["text"])) if x != y), None if text_a == b["text"] else min(len(text_a), len(b["text"])))
        rows.append({"index": i, "equal": equal, "same_tokens": same_tokens, "first_different_char": first, "python": text_a, "sidecar": b["text"],
                     "python_ms": a["ms"], "sidecar_ms": b["ms"]})
    return {"compared": len(rows), "identical": same, "rows": rows}


# Teacher forcing: both runtimes read the same token sequence and predict the next token at every
# position, so one near-tie cannot send the rest of a generation elsewhere. The base is Q4_1 and
# llama.cpp multiplies it by 8-bit-quantized activations, PyTorch by float32 ones: their
# log-probabilities differ by a few hundredths of a nat on average (tenths at worst), and where two
# tokens are within that of each other the top token may differ (about 4% of positions on a Xeon,
# base model alone, no adapter involved). Hence the criteria: the top token must agree where
# PyTorch's leads the runner-up by TF_MARGIN (far beyond rounding), and the log-probability of
# PyTorch's top token must agree on average within TF_MAX_MEAN_LOGPROB_DIFF.
TF_MARGIN = 1.0
TF_MIN_CONFIDENT_AGREEMENT = 0.99
TF_MAX_MEAN_LOGPROB_DIFF = 0.2


@torch.no_grad()
def python_next_logprobs(model: Any, tokens: list[int]) -> torch.Tensor:
    """Log-probabilities of the next token at every position of `tokens`, one forward pass: (len, vocab)."""
    logits = model(input_ids=torch.tensor([tokens])).logits[0].float()
    return torch.log_softmax(logits, dim=-1)


def sidecar_next_tokens(base: Path, gguf: Path | None, rows: list[dict[str, Any]], top: int, threads: int) -> list[dict[str, Any]]:
    """Runs training/node/next-tokens.ts (llama.cpp, base GGUF + adapter GGUF, teacher-forced) on rows {"key", "tokens", "score"?}."""
    extra = {"INFERENCE_LORA_PATH": str(gguf)} if gguf else {}
    return run_node_jsonl("next-tokens.ts", rows, sidecar_env(base, extra), ["--top", str(top), "--threads", str(threads)])


def teacher_forced_compare(reference: torch.Tensor, sidecar: dict[str, Any]) -> dict[str, Any]:
    """Compares PyTorch's next-token log-probabilities (python_next_logprobs) with llama.cpp's
    (sidecar_next_tokens, scored on PyTorch's top tokens) position by position; `failed` lists the
    criteria not met (empty: the two compute the same model)."""
    best = torch.topk(reference, 2, dim=-1)
    ref_top = best.indices[:, 0].tolist()
    margin = (best.values[:, 0] - best.values[:, 1]).tolist()
    got_top = [p[0][0] for p in sidecar["top"]]
    diffs = [abs(float(reference[i, t]) - s) for i, (t, s) in enumerate(zip(ref_top, sidecar["scored"]))]
    agree = [a == b for a, b in zip(ref_top, got_top)]
    confident = [i for i, m in enumerate(margin) if m >= TF_MARGIN]
    report = {
        "positions": len(agree),
        "top1_agreement": round(sum(agree) / len(agree), 4),
        "confident_positions": len(confident),
        "confident_agreement": round(sum(agree[i] for i in confident) / len(confident), 4) if confident else None,
        "mean_abs_logprob_diff": round(sum(diffs) / len(diffs), 4),
        "max_abs_logprob_diff": round(max(diffs), 4),
        "confident_disagreements": [{"position": i, "python": ref_top[i], "sidecar": got_top[i], "margin": round(margin[i], 3)}
                                    for i in confident if not agree[i]][:10],
    }
    failed = []
    if not confident:
        failed.append(f"no position where PyTorch's top token leads by {TF_MARGIN} nat")
    elif report["confident_agreement"] < TF_MIN_CONFIDENT_AGREEMENT:
        failed.append(f"top-1 agreement {report['confident_agreement']} < {TF_MIN_CONFIDENT_AGREEMENT} where PyTorch leads by >= {TF_MARGIN} nat")
    if report["mean_abs_logprob_diff"] > TF_MAX_MEAN_LOGPROB_DIFF:
        failed.append(f"mean |log p difference| {report['mean_abs_logprob_diff']} > {TF_MAX_MEAN_LOGPROB_DIFF} nat")
    report["failed"] = failed
    return report


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(prog="parity", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--config", default="training/configs/lora-v1.yaml")
    ap.add_argument("--adapter-dir", help="peft adapter (default: <train.output_dir>/adapter)")
    ap.add_argument("--gguf", help="exported adapter (default: export.out)")
    ap.add_argument("--split", default="test")
    ap.add_argument("--n", type=int, default=20)
    ap.add_argument("--max-tokens", type=int, default=200)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--raw", action="store_true",
                    help="llama.cpp without the sidecar's grammar and injected keys: must match PyTorch token for token")
    ap.add_argument("--report", help="write the JSON report here (default: <train.output_dir>/parity.json)")
    args = ap.parse_args(argv)
    cfg = load_config(repo_path(args.config))
    torch.set_num_threads(args.threads)
    base = repo_path(cfg["base_model"])
    adapter_dir = repo_path(args.adapter_dir) if args.adapter_dir else repo_path(cfg["train"]["output_dir"]) / "adapter"
    gguf = repo_path(args.gguf or cfg["export"]["out"])
    docs = list(read_jsonl(repo_path(cfg["data"]["out_dir"]) / f"{args.split}.jsonl"))
    docs = random.Random(int(cfg["seed"])).sample(docs, min(args.n, len(docs)))

    from .model import load_tokenizer, load_trained

    model = load_trained(base, adapter_dir)
    tok = load_tokenizer(base)
    py = python_generate(model, docs, args.max_tokens)
    node = sidecar_generate(base, gguf, docs, args.max_tokens, raw=args.raw, threads=args.threads)
    report = compare(py, node, lambda t: tok.decode(t))
    report.update({"adapter": str(gguf), "split": args.split,
                   "sidecar": "llama.cpp, plain greedy" if args.raw else "LlamaEngine (grammar per field, injected keys)"})
    out = Path(args.report) if args.report else repo_path(cfg["train"]["output_dir"]) / ("parity-raw.json" if args.raw else "parity.json")
    out.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"identical greedy outputs: {report['identical']}/{report['compared']} (report {out})")
    for r in report["rows"]:
        if not r["equal"]:
            print(f"  #{r['index']} differs at character {r['first_different_char']}:\n    python  {r['python']}\n    sidecar {r['sidecar']}")


if __name__ == "__main__":
    sys.exit(main())
