"""Shared helpers: repository paths, config loading, the Node helpers, JSONL I/O."""
from __future__ import annotations

import hashlib
import json
import os
import subprocess
from pathlib import Path
from typing import Any, Iterable, Iterator

import yaml

TRAINING_DIR = Path(__file__).resolve().parent.parent
REPO_ROOT = TRAINING_DIR.parent
NODE = REPO_ROOT / "node_modules" / ".bin" / "node"


def repo_path(p: str | os.PathLike[str]) -> Path:
    """Paths in configs are relative to the repository root unless absolute."""
    path = Path(p)
    return path if path.is_absolute() else REPO_ROOT / path


def load_config(path: str | os.PathLike[str]) -> dict[str, Any]:
    with open(path, encoding="utf-8") as f:
        cfg = yaml.safe_load(f)
    if not isinstance(cfg, dict):
        raise SystemExit(f"{path}: not a YAML mapping")
    cfg["_path"] = str(Path(path).resolve())
    return cfg


def read_jsonl(path: str | os.PathLike[str]) -> Iterator[dict[str, Any]]:
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            if line.strip():
                try:
                    yield json.loads(line)
                except json.JSONDecodeError as e:
                    raise SystemExit(f"{path}:{n}: not JSON: {e}") from e


def write_jsonl(path: str | os.PathLike[str], rows: Iterable[dict[str, Any]]) -> int:
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    n = 0
    with open(path, "w", encoding="utf-8") as f:
        for row in rows:
            f.write(json.dumps(row, ensure_ascii=False) + "\n")
            n += 1
    return n


def sha256_file(path: str | os.PathLike[str]) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def sidecar_env(base_model: Path, extra: dict[str, str] | None = None) -> dict[str, str]:
    """Environment for the Node helpers: the sidecar's own config variables point at our base model."""
    env = dict(os.environ)
    env["INFERENCE_MODEL_PATH"] = str(base_model)
    # The sidecar serves the shipped adapter by default; here the base alone unless extra names one.
    env["INFERENCE_LORA_PATH"] = "none"
    env.setdefault("LOG_LEVEL", "warn")
    if extra:
        env.update(extra)
    return env


def run_node_jsonl(script: str, rows: list[dict[str, Any]], env: dict[str, str], args: list[str] | None = None) -> list[dict[str, Any]]:
    """Runs training/node/<script> with rows as JSONL on stdin and returns its JSONL stdout."""
    if not NODE.exists():
        raise SystemExit(f"{NODE} not found: run `npm ci` in the repository root first")
    payload = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows)
    proc = subprocess.run(
        [str(NODE), str(TRAINING_DIR / "node" / script), *(args or [])],
        input=payload.encode("utf-8"),
        capture_output=True,
        env=env,
        cwd=REPO_ROOT,
        check=False,
    )
    if proc.returncode != 0:
        raise SystemExit(f"node {script} failed ({proc.returncode}):\n{proc.stderr.decode(errors='replace')[-4000:]}")
    return [json.loads(line) for line in proc.stdout.decode("utf-8").splitlines() if line.strip()]
