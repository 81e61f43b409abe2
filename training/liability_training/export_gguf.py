"""Exports a peft LoRA adapter (safetensors) as a GGUF LoRA adapter for llama.cpp / node-llama-cpp.

What llama.cpp expects from an adapter file (facts of the format, implemented here from scratch):
- metadata: general.architecture equal to the base model's ("llama"), general.type = "adapter",
  adapter.type = "lora", adapter.lora.alpha = alpha; llama.cpp scales B·A by alpha / rank,
  as peft does (no rsLoRA);
- per adapted weight `blk.N.<tensor>.weight` two tensors `blk.N.<tensor>.weight.lora_a` with numpy
  shape (rank, in) and `...lora_b` with shape (out, rank), i.e. peft's lora_A / lora_B as they are;
- llama.cpp's converter stores q_proj and k_proj with their output rows permuted (so that its
  rotary embedding can work on interleaved pairs). The base GGUF is stored that way, so the
  adapter's delta must be too: permuting the rows of B·A is permuting the rows of B, with the
  attention-head count for q and the key/value-head count for k.
"""
from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path
from typing import Any

import numpy as np

from .common import load_config, repo_path, sha256_file

MODULE_TO_GGUF = {
    "self_attn.q_proj": "attn_q",
    "self_attn.k_proj": "attn_k",
    "self_attn.v_proj": "attn_v",
    "self_attn.o_proj": "attn_output",
    "mlp.gate_proj": "ffn_gate",
    "mlp.up_proj": "ffn_up",
    "mlp.down_proj": "ffn_down",
}
KEY_RE = re.compile(r"(?:^|\.)layers\.(\d+)\.((?:self_attn|mlp)\.[a-z_]+)\.lora_([AB])\.weight$")


def rope_permute(rows: np.ndarray, n_head: int) -> np.ndarray:
    """The row order llama.cpp's converter gives q/k weights: per head, [even dims..., odd dims...] → interleaved.

    Row r = h*D + half*(D/2) + i  (Hugging Face order) moves to  h*D + 2*i + half  (GGUF order).
    """
    out_dim = rows.shape[0]
    head_dim = out_dim // n_head
    return rows.reshape(n_head, 2, head_dim // 2, *rows.shape[1:]).swapaxes(1, 2).reshape(rows.shape)


def base_gguf_info(base_gguf: Path) -> dict[str, Any]:
    import gguf

    reader = gguf.GGUFReader(str(base_gguf))

    def field(name: str) -> Any:
        f = reader.fields.get(name)
        if f is None:
            return None
        v = f.parts[f.data[0]]
        if f.types and f.types[0] == gguf.GGUFValueType.STRING:
            return bytes(v).decode("utf-8")
        return v.tolist()[0]

    arch = field("general.architecture")
    return {
        "arch": arch,
        "n_head": int(field(f"{arch}.attention.head_count")),
        "n_head_kv": int(field(f"{arch}.attention.head_count_kv") or field(f"{arch}.attention.head_count")),
        "tensors": {t.name: tuple(int(x) for x in t.shape) for t in reader.tensors},
    }


def export(adapter_dir: Path, base_gguf: Path, out_path: Path, dtype: str = "f16", name: str | None = None) -> dict[str, Any]:
    import gguf
    from safetensors.numpy import load_file

    acfg = json.loads((adapter_dir / "adapter_config.json").read_text())
    if acfg.get("use_rslora") or acfg.get("use_dora"):
        raise SystemExit("rsLoRA/DoRA adapters are not supported by this exporter")
    rank, alpha = int(acfg["r"]), float(acfg["lora_alpha"])
    if acfg.get("rank_pattern") or acfg.get("alpha_pattern"):
        raise SystemExit("per-module rank/alpha patterns are not supported by this exporter")
    info = base_gguf_info(base_gguf)
    if info["arch"] != "llama":
        raise SystemExit(f"base architecture {info['arch']!r}: this exporter knows llama's tensor names only")

    weights = load_file(str(adapter_dir / "adapter_model.safetensors"))
    pairs: dict[tuple[int, str], dict[str, np.ndarray]] = {}
    for key, value in weights.items():
        m = KEY_RE.search(key)
        if not m:
            raise SystemExit(f"unexpected adapter tensor {key}")
        layer, module, ab = int(m.group(1)), m.group(2), m.group(3)
        if module not in MODULE_TO_GGUF:
            raise SystemExit(f"no GGUF name for module {module}")
        pairs.setdefault((layer, module), {})[ab] = value.astype(np.float32)

    np_dtype, qtype = (np.float16, gguf.GGMLQuantizationType.F16) if dtype == "f16" else (np.float32, gguf.GGMLQuantizationType.F32)
    writer = gguf.GGUFWriter(str(out_path), arch=info["arch"])
    writer.add_string("general.type", "adapter")
    writer.add_string("general.name", name or out_path.stem)
    writer.add_string("adapter.type", "lora")
    writer.add_float32("adapter.lora.alpha", alpha)
    count = 0
    for (layer, module), ab in sorted(pairs.items()):
        if set(ab) != {"A", "B"}:
            raise SystemExit(f"layer {layer} {module}: lora_A or lora_B missing")
        a, b = ab["A"], ab["B"]
        if module == "self_attn.q_proj":
            b = rope_permute(b, info["n_head"])
        elif module == "self_attn.k_proj":
            b = rope_permute(b, info["n_head_kv"])
        base_name = f"blk.{layer}.{MODULE_TO_GGUF[module]}.weight"
        shape = info["tensors"].get(base_name)
        if shape is None:
            raise SystemExit(f"the base model has no tensor {base_name}")
        # GGUFReader reports shapes in ggml order (ne0 = input features, ne1 = output features).
        if a.shape != (rank, shape[0]) or b.shape != (shape[1], rank):
            raise SystemExit(f"{base_name}: A {a.shape} / B {b.shape} do not fit base {shape} at rank {rank}")
        writer.add_tensor(f"{base_name}.lora_a", np.ascontiguousarray(a.astype(np_dtype)), raw_dtype=qtype)
        writer.add_tensor(f"{base_name}.lora_b", np.ascontiguousarray(b.astype(np_dtype)), raw_dtype=qtype)
        count += 2
    out_path.parent.mkdir(parents=True, exist_ok=True)
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    digest = sha256_file(out_path)
    out_path.with_name(out_path.name + ".sha256").write_text(f"{digest}  {out_path.name}\n", encoding="utf-8")
    return {"path": str(out_path), "sha256": digest, "bytes": out_path.stat().st_size, "tensors": count, "rank": rank, "alpha": alpha, "dtype": dtype}


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(prog="export", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--config", default="training/configs/lora-v1.yaml")
    ap.add_argument("--adapter-dir", help="peft adapter folder (default: <train.output_dir>/adapter)")
    ap.add_argument("--out", help="GGUF file to write (default: export.out)")
    ap.add_argument("--dtype", choices=("f16", "f32"), help="tensor type (default: export.dtype)")
    args = ap.parse_args(argv)
    cfg = load_config(repo_path(args.config))
    adapter_dir = repo_path(args.adapter_dir) if args.adapter_dir else repo_path(cfg["train"]["output_dir"]) / "adapter"
    out = repo_path(args.out or cfg["export"]["out"])
    result = export(adapter_dir, repo_path(cfg["base_model"]), out, args.dtype or cfg["export"].get("dtype", "f16"))
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    sys.exit(main())
