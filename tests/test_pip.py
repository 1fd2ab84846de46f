"""pip users install Sanad without torch, transformers or CUDA: requirements.txt pins the
whole locked set (torch and company marked off, as uv's overrides drop them), installed
with --no-deps."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from tests.conftest import ROOT

UV = os.environ.get("UV") or shutil.which("uv") or "uv"
EXPORT = ["export", "--frozen", "--no-dev", "--no-hashes", "--no-emit-project", "--no-header"]
HEAVY = ("torch", "transformers", "nvidia", "triton")


def uv(*args: str, cwd: Path = ROOT) -> str:
    done = subprocess.run([UV, *args], cwd=cwd, capture_output=True, text=True, check=True)
    return done.stdout + done.stderr


def test_requirements_txt_is_the_lock_as_uv_exports_it() -> None:
    exported = uv(*EXPORT, "--quiet")
    assert (ROOT / "requirements.txt").read_text(encoding="utf-8") == exported, (
        "requirements.txt is out of date: uv " + " ".join(EXPORT) + " -o requirements.txt"
    )


def test_pip_installs_no_torch_transformers_or_cuda(tmp_path: Path) -> None:
    uv("venv", "--quiet", str(tmp_path / "venv"))
    plan = uv(
        "pip", "install", "--dry-run", "--offline", "--no-deps",
        "-r", str(ROOT / "requirements.txt"),
        "--python", str(tmp_path / "venv" / "bin" / "python"),
    )  # fmt: skip
    planned = [line.split()[-1] for line in plan.splitlines() if line.startswith(" + ")]
    names = {p.split("==")[0].lower() for p in planned}
    assert {"camel-tools", "python-telegram-bot", "rank-bm25", "numpy"} <= names
    assert not [n for n in names if n.startswith(HEAVY)], names
