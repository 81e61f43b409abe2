"""LoRA fine-tuning of the base model (read from the sidecar's GGUF) on the built dataset.

The loss is cross-entropy on the assistant target tokens only (the canonical record JSON and
the end-of-generation token); prompt tokens are context, never predicted. Only the hidden
states at target positions go through the (tied, 49k-row) output layer, which saves about a
fifth of the compute on CPU; with train.shared_prefix the prompt's fixed beginning is computed
once per optimizer step for all its documents.

Reproducible: one seed drives data order, LoRA initialisation and dropout; the config file,
package versions and dataset statistics are written next to the adapter in run.json.
Progress goes to stdout (one line per logged step, with an ETA) and to metrics.jsonl.
"""
from __future__ import annotations

import argparse
import json
import math
import os
import platform
import random
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import torch

from .common import load_config, read_jsonl, repo_path, sha256_file


def set_seed(seed: int) -> None:
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


def batches_for_epoch(lengths: list[int], batch_size: int, rng: random.Random) -> list[list[int]]:
    """Shuffled batches of similar length (less padding): shuffle, sort within windows, shuffle batches."""
    idx = list(range(len(lengths)))
    rng.shuffle(idx)
    window = batch_size * 16
    batches = []
    for w in range(0, len(idx), window):
        chunk = sorted(idx[w : w + window], key=lambda i: lengths[i])
        batches += [chunk[b : b + batch_size] for b in range(0, len(chunk), batch_size)]
    rng.shuffle(batches)
    return batches


def collate(examples: list[dict[str, Any]], pad_id: int) -> dict[str, torch.Tensor]:
    seqs = [e["prompt_tokens"] + e["target_tokens"][:-1] for e in examples]
    width = max(len(s) for s in seqs)
    input_ids = torch.full((len(seqs), width), pad_id, dtype=torch.long)
    attention = torch.zeros((len(seqs), width), dtype=torch.long)
    rows, cols, labels = [], [], []
    for b, (e, s) in enumerate(zip(examples, seqs)):
        input_ids[b, : len(s)] = torch.tensor(s)
        attention[b, : len(s)] = 1
        p = len(e["prompt_tokens"])
        for j, tok in enumerate(e["target_tokens"]):
            rows.append(b)
            cols.append(p - 1 + j)  # the hidden state at position t predicts token t+1
            labels.append(tok)
    return {
        "input_ids": input_ids,
        "attention_mask": attention,
        "rows": torch.tensor(rows),
        "cols": torch.tensor(cols),
        "labels": torch.tensor(labels),
    }


def target_loss(model: Any, batch: dict[str, torch.Tensor]) -> torch.Tensor:
    """Mean cross-entropy over the batch's target tokens."""
    causal_lm = model.get_base_model()
    mask = batch["attention_mask"]
    # Without padding, no mask: attention then takes the plain causal path, which on CPU keeps
    # neither an L x L mask nor attention weights per layer.
    hidden = causal_lm.model(input_ids=batch["input_ids"], attention_mask=None if bool(mask.all()) else mask).last_hidden_state
    h = hidden[batch["rows"], batch["cols"]]
    logits = causal_lm.lm_head(h).float()
    return torch.nn.functional.cross_entropy(logits, batch["labels"])


def common_prefix(examples: list[dict[str, Any]]) -> list[int]:
    """The longest prompt prefix all examples share (the chat template and system message)."""
    prefix = list(examples[0]["prompt_tokens"])
    for e in examples[1:]:
        p = e["prompt_tokens"]
        n = 0
        while n < min(len(prefix), len(p)) and prefix[n] == p[n]:
            n += 1
        prefix = prefix[:n]
    # Keep at least one prompt token after the prefix: its hidden state predicts the first target token.
    shortest = min(len(e["prompt_tokens"]) for e in examples)
    return prefix[: max(0, min(len(prefix), shortest - 1))]


def shared_prefix_loss(model: Any, examples: list[dict[str, Any]], prefix: list[int]) -> torch.Tensor:
    """Mean over examples of each example's mean target cross-entropy, computing the shared prompt
    prefix once: its keys/values (with the adapter applied, gradients flowing) serve every example.
    Mathematically the same as running each example whole (the test checks it)."""
    from transformers import DynamicCache

    causal_lm = model.get_base_model()
    P = len(prefix)
    out = causal_lm.model(input_ids=torch.tensor([prefix]), use_cache=True)
    kv = [(layer.keys, layer.values) for layer in out.past_key_values.layers]
    losses = []
    for e in examples:
        seq = e["prompt_tokens"] + e["target_tokens"][:-1]
        cache = DynamicCache(ddp_cache_data=kv, config=causal_lm.config)
        hidden = causal_lm.model(input_ids=torch.tensor([seq[P:]]), past_key_values=cache, use_cache=True).last_hidden_state[0]
        start = len(e["prompt_tokens"]) - 1 - P
        h = hidden[start : start + len(e["target_tokens"])]
        logits = causal_lm.lm_head(h).float()
        losses.append(torch.nn.functional.cross_entropy(logits, torch.tensor(e["target_tokens"])))
    return torch.stack(losses).mean()


@torch.no_grad()
def eval_loss(model: Any, examples: list[dict[str, Any]], batch_size: int, pad_id: int) -> float:
    model.eval()
    total, count = 0.0, 0
    for b in range(0, len(examples), batch_size):
        chunk = examples[b : b + batch_size]
        batch = collate(chunk, pad_id)
        n = len(batch["labels"])
        total += float(target_loss(model, batch)) * n
        count += n
    model.train()
    return total / max(count, 1)


def lr_at(step: int, cfg: dict[str, Any]) -> float:
    base, warmup, total = float(cfg["lr"]), int(cfg.get("warmup_steps", 0)), int(cfg["max_steps"])
    floor = float(cfg.get("min_lr_ratio", 0.1))
    if step < warmup:
        return base * (step + 1) / warmup
    progress = (step - warmup) / max(1, total - warmup)
    return base * (floor + (1 - floor) * 0.5 * (1 + math.cos(math.pi * progress)))


def plot_losses(metrics: list[dict[str, Any]], path: Path, title: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    train = [(m["step"], m["loss"]) for m in metrics if "loss" in m]
    val = [(m["step"], m["val_loss"]) for m in metrics if "val_loss" in m]
    fig, ax = plt.subplots(figsize=(7, 4), dpi=110)
    if train:
        steps, losses = zip(*train)
        ax.plot(steps, losses, color="#9bb8d9", linewidth=0.8, label="train (per step)")
        k = max(1, min(20, len(losses) // 8))
        smooth = np.convolve(losses, np.ones(k) / k, mode="valid")
        ax.plot(steps[k - 1 :], smooth, color="#1f5fa8", linewidth=1.8, label=f"train ({k}-step mean)")
    if val:
        steps, losses = zip(*val)
        ax.plot(steps, losses, "o-", color="#d2691e", linewidth=1.5, label="validation")
    ax.set_yscale("log")
    ax.set_xlabel("optimizer step")
    ax.set_ylabel("cross-entropy on target tokens (nats)")
    ax.set_title(title, fontsize=9)  # long stage titles otherwise run past the figure
    ax.grid(True, which="both", alpha=0.3)
    ax.legend()
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path)
    plt.close(fig)


def package_versions() -> dict[str, str]:
    from importlib.metadata import version

    out = {"python": platform.python_version()}
    for name in ("torch", "transformers", "peft", "gguf", "numpy", "safetensors", "matplotlib", "pyyaml"):
        try:
            out[name] = version(name)
        except Exception:  # noqa: BLE001
            out[name] = "?"
    return out


def git_commit() -> str | None:
    try:
        return subprocess.run(["git", "rev-parse", "HEAD"], capture_output=True, text=True, check=True, cwd=repo_path(".")).stdout.strip()
    except Exception:  # noqa: BLE001
        return None


def train(cfg: dict[str, Any]) -> dict[str, Any]:
    from peft import LoraConfig, get_peft_model

    from .model import load_base

    tc, lc = cfg["train"], cfg["lora"]
    threads = int(tc.get("threads", 2))
    torch.set_num_threads(threads)
    seed = int(cfg["seed"])
    set_seed(seed)
    data_dir = repo_path(cfg["data"]["out_dir"])
    out_dir = repo_path(tc["output_dir"])
    out_dir.mkdir(parents=True, exist_ok=True)

    train_set = list(read_jsonl(data_dir / "train.jsonl"))
    val_all = list(read_jsonl(data_dir / "validation.jsonl")) if (data_dir / "validation.jsonl").exists() else []
    if not train_set:
        raise SystemExit(f"{data_dir}/train.jsonl is empty: build the dataset first")
    rng_val = random.Random(seed)
    val_set = rng_val.sample(val_all, min(len(val_all), int(tc.get("eval_examples", 32))))
    val_set.sort(key=lambda e: len(e["prompt_tokens"]))

    base_path = repo_path(cfg["base_model"])
    t0 = time.time()
    model = load_base(base_path)
    pad_id = int(model.config.pad_token_id if model.config.pad_token_id is not None else model.config.eos_token_id)
    set_seed(seed)  # LoRA initialisation independent of what loading consumed
    if lc.get("init_adapter"):
        # Continue training an earlier adapter (a second stage); its rank, alpha and modules apply.
        from peft import PeftModel

        model = PeftModel.from_pretrained(model, str(repo_path(lc["init_adapter"])), is_trainable=True)
    else:
        model = get_peft_model(
            model,
            LoraConfig(
                r=int(lc["r"]),
                lora_alpha=float(lc["alpha"]),
                lora_dropout=float(lc.get("dropout", 0.0)),
                target_modules=list(lc["target_modules"]),
                layers_to_transform=list(lc["layers"]) if lc.get("layers") else None,
                bias="none",
                task_type="CAUSAL_LM",
            ),
        )
    trainable = sum(p.numel() for p in model.parameters() if p.requires_grad)
    params = [p for p in model.parameters() if p.requires_grad]
    opt = torch.optim.AdamW(params, lr=float(tc["lr"]), weight_decay=float(tc.get("weight_decay", 0.0)), betas=(0.9, 0.999))
    print(f"loaded base {base_path.name} in {time.time() - t0:.0f}s; trainable LoRA parameters {trainable:,}; "
          f"{len(train_set)} train / {len(val_set)} validation examples; {threads} threads", flush=True)

    bs, accum = int(tc["batch_size"]), int(tc.get("grad_accum", 1))
    max_steps, log_every = int(tc["max_steps"]), int(tc.get("log_every", 1))
    eval_every = int(tc.get("eval_every", 0))
    lengths = [len(e["prompt_tokens"]) + len(e["target_tokens"]) for e in train_set]
    # shared_prefix: the documents of one optimizer step share the prompt's fixed beginning
    # (about 210 of 590 tokens), computed once per step instead of once per document.
    prefix = common_prefix(train_set) if tc.get("shared_prefix", False) else []
    if prefix:
        print(f"shared prompt prefix: {len(prefix)} tokens, computed once per step of {accum * bs} documents", flush=True)
    rng = random.Random(seed)
    queue: list[list[int]] = []
    epoch = 0
    metrics: list[dict[str, Any]] = []
    metrics_path = out_dir / "metrics.jsonl"
    metrics_file = open(metrics_path, "w", encoding="utf-8")

    def record(m: dict[str, Any]) -> None:
        metrics.append(m)
        metrics_file.write(json.dumps(m) + "\n")
        metrics_file.flush()

    if eval_every and val_set:
        v = eval_loss(model, val_set, 1, pad_id)
        record({"step": 0, "val_loss": v, "elapsed_s": time.time() - t0})
        print(f"step 0/{max_steps} val_loss {v:.4f}", flush=True)

    model.train()
    t_train = time.time()
    tokens_seen = 0
    for step in range(max_steps):
        for g in opt.param_groups:
            g["lr"] = lr_at(step, tc)
        step_loss, step_tokens = 0.0, 0
        if prefix:
            chunk = []
            for _ in range(accum * bs):
                if not queue:
                    queue = batches_for_epoch(lengths, 1, rng)
                    epoch += 1
                chunk.append(train_set[queue.pop()[0]])
            loss = shared_prefix_loss(model, chunk, prefix)
            loss.backward()
            step_loss = loss.item()
            step_tokens = len(prefix) + sum(len(e["prompt_tokens"]) + len(e["target_tokens"]) - 1 - len(prefix) for e in chunk)
        for _ in range(0 if prefix else accum):
            if not queue:
                queue = batches_for_epoch(lengths, bs, rng)
                epoch += 1
            batch = collate([train_set[i] for i in queue.pop()], pad_id)
            loss = target_loss(model, batch)
            (loss / accum).backward()
            step_loss += loss.item() / accum
            step_tokens += int(batch["attention_mask"].sum())
        grad_norm = float(torch.nn.utils.clip_grad_norm_(params, float(tc.get("max_grad_norm", 1.0))))
        opt.step()
        opt.zero_grad(set_to_none=True)
        tokens_seen += step_tokens
        done = step + 1
        elapsed = time.time() - t_train
        m = {"step": done, "epoch": epoch, "loss": step_loss, "lr": opt.param_groups[0]["lr"], "grad_norm": grad_norm,
             "tokens": tokens_seen, "elapsed_s": elapsed}
        if eval_every and val_set and (done % eval_every == 0 or done == max_steps):
            m["val_loss"] = eval_loss(model, val_set, 1, pad_id)
        record(m)
        if done % log_every == 0 or "val_loss" in m or done == max_steps:
            eta = elapsed / done * (max_steps - done)
            extra = f" val_loss {m['val_loss']:.4f}" if "val_loss" in m else ""
            print(f"step {done}/{max_steps} epoch {epoch} loss {step_loss:.4f}{extra} lr {m['lr']:.2e} "
                  f"{tokens_seen / elapsed:.0f} tok/s elapsed {elapsed / 60:.1f}m eta {eta / 60:.1f}m", flush=True)
        if int(tc.get("save_every", 0)) and done % int(tc["save_every"]) == 0 and done != max_steps:
            model.save_pretrained(str(out_dir / "checkpoint"))
    metrics_file.close()
    duration = time.time() - t_train

    adapter_dir = out_dir / "adapter"
    model.save_pretrained(str(adapter_dir))
    rank = model.peft_config["default"].r
    stage = f", continuing {Path(lc['init_adapter']).parent.name}" if lc.get("init_adapter") else ""
    title = f"LoRA r={rank} on SmolLM2-135M-Instruct (Q4_1 base){stage}, {max_steps} steps x {bs * accum}"
    plot_losses(metrics, out_dir / "loss.png", title)
    losses = [m["loss"] for m in metrics if "loss" in m]
    vals = [m["val_loss"] for m in metrics if "val_loss" in m]
    stats_path = data_dir / "stats.json"
    run = {
        "config_path": cfg["_path"],
        "config": {k: v for k, v in cfg.items() if not k.startswith("_")},
        "seed": seed,
        "git_commit": git_commit(),
        "versions": package_versions(),
        "machine": {"platform": platform.platform(), "processor": platform.processor(), "torch_threads": threads, "device": "cpu"},
        "base_model": {"path": str(base_path), "sha256": sha256_file(base_path)},
        "dataset": json.loads(stats_path.read_text()) if stats_path.exists() else None,
        "train_examples": len(train_set),
        "examples_seen": max_steps * bs * accum,
        "epochs": max_steps * bs * accum / len(train_set),
        "trainable_parameters": trainable,
        "duration_s": round(duration, 1),
        "first_loss": losses[0] if losses else None,
        "final_loss_mean_last10": float(np.mean(losses[-10:])) if losses else None,
        "val_loss_initial": vals[0] if vals else None,
        "val_loss_final": vals[-1] if vals else None,
        "adapter_dir": str(adapter_dir),
    }
    (out_dir / "run.json").write_text(json.dumps(run, indent=2) + "\n", encoding="utf-8")
    print(f"done in {duration / 60:.1f} min: adapter {adapter_dir}, loss curve {out_dir / 'loss.png'}, run record {out_dir / 'run.json'}", flush=True)
    return run


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(prog="train", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--config", default="training/configs/lora-v1.yaml")
    ap.add_argument("--max-steps", type=int, help="overrides train.max_steps")
    ap.add_argument("--output-dir", help="overrides train.output_dir")
    args = ap.parse_args(argv)
    cfg = load_config(repo_path(args.config))
    if args.max_steps:
        cfg["train"]["max_steps"] = args.max_steps
    if args.output_dir:
        cfg["train"]["output_dir"] = args.output_dir
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    train(cfg)


if __name__ == "__main__":
    sys.exit(main())
