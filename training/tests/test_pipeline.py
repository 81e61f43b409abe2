"""The whole chain on CPU, tiny: build the dataset, train a few steps, export GGUF, load it in llama.cpp.

Also checks the exporter's arithmetic, which a few training steps cannot: an adapter with large
random B matrices (so that it changes the model's output a lot) is exported, and llama.cpp
(node-llama-cpp, base GGUF + adapter GGUF) must predict the next token as the model does in
Python at every position of a fixed sequence (teacher forcing), within the tolerance of
quantized arithmetic. A wrong tensor name, orientation, scale or Q/K permutation breaks that.

Needs training/.venv (training/setup.sh), node_modules (npm ci) and the base model
(infra/models/fetch-base-model.sh); about two minutes on two cores.
"""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import torch
import yaml

from liability_training import build_dataset, export_gguf, parity, train
from liability_training.common import REPO_ROOT, load_config, read_jsonl, repo_path

TINY = REPO_ROOT / "training" / "configs" / "tiny-test.yaml"


@pytest.fixture(scope="module")
def cfg(tmp_path_factory: pytest.TempPathFactory) -> dict:
    base = repo_path(load_config(TINY)["base_model"])
    if not base.exists():
        pytest.fail(f"{base} missing: run infra/models/fetch-base-model.sh")
    tmp = tmp_path_factory.mktemp("tiny")
    raw = yaml.safe_load(TINY.read_text())
    raw["data"]["out_dir"] = str(tmp / "dataset")
    raw["train"]["output_dir"] = str(tmp / "run")
    raw["export"]["out"] = str(tmp / "adapter.gguf")
    path = tmp / "config.yaml"
    path.write_text(yaml.safe_dump(raw))
    torch.set_num_threads(2)
    return load_config(path)


@pytest.fixture(scope="module")
def built(cfg: dict) -> dict:
    return build_dataset.build(cfg)


def test_dataset_dedupes_keeps_splits_and_uses_the_sidecar_prompt(cfg: dict, built: dict) -> None:
    splits = built["splits"]
    assert splits["train"]["examples"] == 2  # ex-001 once, ex-003 as the reviewer corrected it
    assert splits["train"]["source"] == {"generator": 1, "reviewed": 1}
    assert splits["validation"]["examples"] == 0  # its only document is also in test
    assert splits["test"]["examples"] == 1
    assert built["dropped"]["train: duplicate"] == 1
    assert not built["family_overlap"]
    rows = list(read_jsonl(Path(cfg["data"]["out_dir"]) / "train.jsonl"))
    for r in rows:
        assert r["prompt_text"].startswith("<|im_start|>system\nYou extract one liability record")
        assert r["prompt_text"].endswith("</document><|im_end|>\n<|im_start|>assistant\n")
        assert r["target_tokens"][-1] == 2  # <|im_end|>
        keys = list(json.loads(r["target_text"]))
        assert keys[0] == "liability_type" and keys[-1] == "as_of_date" and len(keys) == 11
    card = next(r for r in rows if r["source"] == "reviewed")
    assert '"monthly_payment":46,' in card["target_text"]  # JavaScript number formatting, as the grammar


def test_train_export_and_load_in_llama_cpp(cfg: dict, built: dict) -> None:
    run = train.train(cfg)
    adapter_dir = Path(run["adapter_dir"])
    assert (adapter_dir / "adapter_model.safetensors").exists()
    assert (Path(cfg["train"]["output_dir"]) / "loss.png").stat().st_size > 1000
    assert run["first_loss"] is not None and np.isfinite(run["first_loss"])

    out = Path(cfg["export"]["out"])
    info = export_gguf.export(adapter_dir, repo_path(cfg["base_model"]), out, "f16")
    assert info["tensors"] == 30 * 7 * 2
    assert out.with_name(out.name + ".sha256").read_text().split()[0] == info["sha256"]

    docs = list(read_jsonl(Path(cfg["data"]["out_dir"]) / "test.jsonl"))
    # The sidecar's engine (LlamaEngine) loads base + adapter and answers with a complete record.
    [result] = parity.sidecar_generate(repo_path(cfg["base_model"]), out, docs[:1], 200, raw=False, threads=2)
    record = json.loads(result["text"])
    assert list(record)[0] == "liability_type" and len(record) == 11


def test_exported_adapter_matches_python(cfg: dict, built: dict, tmp_path: Path) -> None:
    """Teacher-forced parity: llama.cpp (base GGUF + exported adapter) predicts the next token as PyTorch does.

    Both read the same sequence (a training prompt and its target, some 570 positions). Greedy text
    is not compared: a near-tie that 8-bit activations flip on one CPU and not on another would send
    the rest of the generation elsewhere. The criteria are parity.teacher_forced_compare's. The
    adapter is loud (random B, std 0.3) so that it changes PyTorch's top token at most positions;
    llama.cpp without the adapter must fail the same criteria, or the check could not fail at all.
    On a Xeon, an export without the Q/K permutation gave top-1 agreement 0.82 where PyTorch leads
    by 1 nat and a mean |log p difference| of 0.73 nat; the correct export 1.0 and 0.075.
    """
    from safetensors.numpy import load_file, save_file

    from liability_training.model import load_trained

    adapter_dir = Path(cfg["train"]["output_dir"]) / "adapter"
    if not adapter_dir.exists():
        pytest.skip("needs the adapter trained by the previous test")
    rng = np.random.default_rng(0)
    tensors = load_file(str(adapter_dir / "adapter_model.safetensors"))
    loud = {k: (rng.standard_normal(v.shape).astype(np.float32) * 0.3 if ".lora_B." in k else v) for k, v in tensors.items()}
    loud_dir = tmp_path / "loud"
    loud_dir.mkdir()
    save_file(loud, str(loud_dir / "adapter_model.safetensors"))
    (loud_dir / "adapter_config.json").write_text((adapter_dir / "adapter_config.json").read_text())
    gguf_path = tmp_path / "loud.gguf"
    export_gguf.export(loud_dir, repo_path(cfg["base_model"]), gguf_path, "f32")

    base = repo_path(cfg["base_model"])
    [doc] = list(read_jsonl(Path(cfg["data"]["out_dir"]) / "train.jsonl"))[:1]
    tokens = doc["prompt_tokens"] + doc["target_tokens"]
    assert len(tokens) >= 300
    model = load_trained(base, loud_dir)
    reference = parity.python_next_logprobs(model, tokens)
    with model.disable_adapter():
        plain = parity.python_next_logprobs(model, tokens)
    changed = float((reference.argmax(-1) != plain.argmax(-1)).float().mean())
    assert changed >= 0.3, f"the random adapter should change PyTorch's top token at most positions, changed {changed:.3f}"

    row = {"key": "0", "tokens": tokens, "score": reference.argmax(-1).tolist()}
    [with_adapter] = parity.sidecar_next_tokens(base, gguf_path, [row], 5, threads=2)
    [without] = parity.sidecar_next_tokens(base, None, [row], 5, threads=2)
    report = parity.teacher_forced_compare(reference, with_adapter)
    control = parity.teacher_forced_compare(reference, without)
    summary = {k: report[k] for k in ("positions", "top1_agreement", "confident_positions", "confident_agreement", "mean_abs_logprob_diff")}
    print(f"teacher-forced parity, exported adapter: {summary}; llama.cpp without the adapter: "
          f"confident_agreement {control['confident_agreement']}, mean_abs_logprob_diff {control['mean_abs_logprob_diff']}; "
          f"the adapter changes PyTorch's top token at {changed:.3f} of positions")
    assert report["failed"] == [], (report["failed"], report)
    assert control["failed"], f"llama.cpp without the adapter passes too, so the check cannot fail: {control}"


def test_shared_prefix_loss_equals_the_plain_loss() -> None:
    """The training step that computes the shared prompt prefix once gives the same loss and gradients."""
    from peft import LoraConfig, get_peft_model
    from transformers import LlamaConfig, LlamaForCausalLM

    torch.manual_seed(0)
    config = LlamaConfig(vocab_size=64, hidden_size=32, intermediate_size=64, num_hidden_layers=2, num_attention_heads=4,
                         num_key_value_heads=2, tie_word_embeddings=True, attn_implementation="sdpa")
    model = get_peft_model(LlamaForCausalLM(config), LoraConfig(r=2, lora_alpha=4, target_modules=["q_proj", "k_proj", "v_proj", "down_proj"]))
    for name, p in model.named_parameters():
        if "lora_B" in name:
            p.data.normal_(0, 0.1)
    prefix = [1, 5, 9, 13, 17]
    examples = [{"prompt_tokens": prefix + [3, 4, 8], "target_tokens": [10, 11, 2]},
                {"prompt_tokens": prefix + [21], "target_tokens": [30, 31, 32, 2]}]
    assert train.common_prefix(examples) == prefix
    shared = train.shared_prefix_loss(model, examples, prefix)
    shared.backward()
    g1 = [p.grad.clone() for p in model.parameters() if p.requires_grad]
    model.zero_grad()
    plain = torch.stack([train.target_loss(model, train.collate([e], 0)) for e in examples]).mean()
    plain.backward()
    g2 = [p.grad.clone() for p in model.parameters() if p.requires_grad]
    assert torch.allclose(shared, plain, atol=1e-5)
    assert all(torch.allclose(a, b, atol=1e-5) for a, b in zip(g1, g2))


def test_rope_permutation_matches_llama_cpp_layout() -> None:
    """Row h*D + half*D/2 + i (Hugging Face) goes to h*D + 2*i + half (GGUF)."""
    n_head, head_dim = 3, 8
    rows = np.arange(n_head * head_dim)[:, None].astype(np.float32)
    out = export_gguf.rope_permute(rows, n_head)[:, 0]
    for h in range(n_head):
        for half in range(2):
            for i in range(head_dim // 2):
                assert out[h * head_dim + 2 * i + half] == h * head_dim + half * head_dim // 2 + i


def test_import_reads_an_exported_adapter_back_exactly(cfg: dict, built: dict, tmp_path: Path) -> None:
    """export then import gives the peft tensors back (q/k un-permuted), so a shipped GGUF can be trained further."""
    from safetensors.numpy import load_file

    from liability_training import import_gguf

    adapter_dir = Path(cfg["train"]["output_dir"]) / "adapter"
    if not adapter_dir.exists():
        pytest.fail("needs the adapter trained by test_train_export_and_load_in_llama_cpp")
    base = repo_path(cfg["base_model"])
    rng = np.random.default_rng(1)
    original = {k: rng.standard_normal(v.shape).astype(np.float32) for k, v in load_file(str(adapter_dir / "adapter_model.safetensors")).items()}
    source = tmp_path / "source"
    source.mkdir()
    from safetensors.numpy import save_file

    save_file(original, str(source / "adapter_model.safetensors"))
    (source / "adapter_config.json").write_text((adapter_dir / "adapter_config.json").read_text())
    export_gguf.export(source, base, tmp_path / "a.gguf", "f32")
    info = import_gguf.import_adapter(tmp_path / "a.gguf", base, tmp_path / "back")
    back = load_file(str(tmp_path / "back" / "adapter_model.safetensors"))
    assert info["tensors"] == len(original)
    for key, value in original.items():
        # peft's saved keys name the wrapped model; ours are the canonical ones.
        # Match on ".layers.N." so that layer 2 is not taken for layer 12 or 22.
        suffix = "model.layers." + key.split("model.layers.", 1)[1]
        match = next(k for k in back if k.endswith(suffix))
        assert np.array_equal(back[match], value), key
    imported_cfg = json.loads((tmp_path / "back" / "adapter_config.json").read_text())
    trained_cfg = json.loads((adapter_dir / "adapter_config.json").read_text())
    assert imported_cfg["r"] == trained_cfg["r"] and imported_cfg["lora_alpha"] == trained_cfg["lora_alpha"]
    assert sorted(imported_cfg["target_modules"]) == sorted(trained_cfg["target_modules"])
