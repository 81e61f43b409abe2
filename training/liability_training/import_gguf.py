"""Reads a GGUF LoRA adapter (as export_gguf writes it) back into a peft adapter folder, so that a
shipped adapter can be trained further when its peft checkpoint is gone (a new machine keeps only
what the repository holds). The exact inverse of export_gguf: the q/k rows are un-permuted and the
tensors keep their values (f16 files come back as the f16 values, widened to f32).

    training/run.sh import --gguf training/artifacts/extraction-lora-v1.gguf --out DIR
"""
from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path
from typing import Any

import numpy as np

from .common import load_config, repo_path
from .export_gguf import MODULE_TO_GGUF, base_gguf_info

GGUF_TO_MODULE = {v: k for k, v in MODULE_TO_GGUF.items()}
TENSOR_RE = re.compile(r"^blk\.(\d+)\.([a-z_]+)\.weight\.lora_([ab])$")


def rope_unpermute(rows: np.ndarray, n_head: int) -> np.ndarray:
    """Inverse of export_gguf.rope_permute: GGUF's interleaved row order back to Hugging Face's."""
    head_dim = rows.shape[0] // n_head
    return rows.reshape(n_head, head_dim // 2, 2, *rows.shape[1:]).swapaxes(1, 2).reshape(rows.shape)


def read_adapter(path: Path) -> tuple[float, dict[tuple[int, str], dict[str, np.ndarray]]]:
    import gguf

    reader = gguf.GGUFReader(str(path))
    alpha_field = reader.fields.get("adapter.lora.alpha")
    if alpha_field is None or reader.fields.get("adapter.type") is None:
        raise SystemExit(f"{path}: not a GGUF LoRA adapter (no adapter.type / adapter.lora.alpha)")
    alpha = float(alpha_field.parts[alpha_field.data[0]].tolist()[0])
    pairs: dict[tuple[int, str], dict[str, np.ndarray]] = {}
    for t in reader.tensors:
        m = TENSOR_RE.match(t.name)
        if not m or m.group(2) not in GGUF_TO_MODULE:
            raise SystemExit(f"{path}: unexpected tensor {t.name}")
        # GGUFReader gives the data in numpy (row-major) order: lora_a (rank, in), lora_b (out, rank).
        pairs.setdefault((int(m.group(1)), GGUF_TO_MODULE[m.group(2)]), {})[m.group(3)] = np.array(t.data, dtype=np.float32)
    return alpha, pairs


def import_adapter(gguf_path: Path, base_gguf: Path, out_dir: Path, dropout: float = 0.0) -> dict[str, Any]:
    from safetensors.numpy import save_file

    info = base_gguf_info(base_gguf)
    alpha, pairs = read_adapter(gguf_path)
    tensors: dict[str, np.ndarray] = {}
    ranks = set()
    for (layer, module), ab in sorted(pairs.items()):
        if set(ab) != {"a", "b"}:
            raise SystemExit(f"layer {layer} {module}: lora_a or lora_b missing")
        a, b = ab["a"], ab["b"]
        if module == "self_attn.q_proj":
            b = rope_unpermute(b, info["n_head"])
        elif module == "self_attn.k_proj":
            b = rope_unpermute(b, info["n_head_kv"])
        ranks.add(a.shape[0])
        prefix = f"base_model.model.model.layers.{layer}.{module}"
        tensors[f"{prefix}.lora_A.weight"] = np.ascontiguousarray(a)
        tensors[f"{prefix}.lora_B.weight"] = np.ascontiguousarray(b)
    if len(ranks) != 1:
        raise SystemExit(f"{gguf_path}: mixed ranks {sorted(ranks)}")
    rank = ranks.pop()
    out_dir.mkdir(parents=True, exist_ok=True)
    save_file(tensors, str(out_dir / "adapter_model.safetensors"))
    config = {
        "peft_type": "LORA",
        "task_type": "CAUSAL_LM",
        "r": rank,
        "lora_alpha": alpha,
        "lora_dropout": dropout,
        "bias": "none",
        "fan_in_fan_out": False,
        "target_modules": sorted({module.split(".")[-1] for _, module in pairs}),
        "base_model_name_or_path": None,
        "inference_mode": False,
    }
    (out_dir / "adapter_config.json").write_text(json.dumps(config, indent=2) + "\n", encoding="utf-8")
    return {"out_dir": str(out_dir), "rank": rank, "alpha": alpha, "tensors": len(tensors)}


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(prog="import", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--config", default="training/configs/lora-v1.yaml", help="for base_model")
    ap.add_argument("--gguf", required=True)
    ap.add_argument("--out", required=True, help="peft adapter folder to write")
    ap.add_argument("--dropout", type=float, default=0.05, help="lora_dropout for further training")
    args = ap.parse_args(argv)
    cfg = load_config(repo_path(args.config))
    print(json.dumps(import_adapter(repo_path(args.gguf), repo_path(cfg["base_model"]), repo_path(args.out), args.dropout), indent=2))


if __name__ == "__main__":
    sys.exit(main())
