"""Loads the base model from the same GGUF file that the sidecar serves.

transformers reads GGUF through the `gguf` package: the Q4_1 tensors are dequantized to float32
(exactly the values the quantized file represents) and the Q/K rows that llama.cpp's converter
permuted are put back in Hugging Face order. Training and serving therefore start from the same
weights; the GGUF exporter permutes the LoRA B matrices of q_proj/k_proj the other way.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

import torch


def load_base(gguf_path: Path, dtype: torch.dtype = torch.float32) -> Any:
    from transformers import AutoModelForCausalLM

    if not gguf_path.exists():
        raise SystemExit(f"{gguf_path} not found: run infra/models/fetch-base-model.sh first")
    model = AutoModelForCausalLM.from_pretrained(
        str(gguf_path.parent), gguf_file=gguf_path.name, dtype=dtype, attn_implementation="sdpa"
    )
    model.config.use_cache = False
    return model


def load_tokenizer(gguf_path: Path) -> Any:
    from transformers import AutoTokenizer

    return AutoTokenizer.from_pretrained(str(gguf_path.parent), gguf_file=gguf_path.name)


def load_trained(gguf_path: Path, adapter_dir: Path) -> Any:
    from peft import PeftModel

    model = PeftModel.from_pretrained(load_base(gguf_path), str(adapter_dir))
    model.eval()
    return model


@torch.no_grad()
def greedy(model: Any, prompt_tokens: list[int], eos_ids: set[int], max_new_tokens: int = 256) -> list[int]:
    """Greedy decoding with a KV cache; returns the generated tokens, the end token included."""
    ids = torch.tensor([prompt_tokens])
    out: list[int] = []
    past = None
    step_input = ids
    for _ in range(max_new_tokens):
        res = model(input_ids=step_input, past_key_values=past, use_cache=True)
        past = res.past_key_values
        nxt = int(res.logits[0, -1].argmax())
        out.append(nxt)
        if nxt in eos_ids:
            break
        step_input = torch.tensor([[nxt]])
    return out
