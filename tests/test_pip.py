"""pip users install Sanad without torch, transformers or CUDA: requirements.txt pins the
whole locked set (torch and company marked off, as uv's overrides drop them), installed
with --no-deps."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from packaging.requirements import Requirement

from tests.conftest import ROOT

UV = os.environ.get("UV") or shutil.which("uv") or "uv"
EXPORT = ["export", "--frozen", "--no-dev", "--no-hashes", "--no-emit-project", "--no-header"]
HEAVY = ("torch", "transformers", "nvidia", "triton")
# Machines a pip user may have: pip --no-deps -r installs a line whose marker holds there.
MACHINES = [
    {"sys_platform": "linux", "platform_machine": "x86_64", "python_version": "3.11"},
    {"sys_platform": "linux", "platform_machine": "aarch64", "python_version": "3.12"},
    {"sys_platform": "darwin", "platform_machine": "arm64", "python_version": "3.13"},
    {"sys_platform": "win32", "platform_machine": "AMD64", "python_version": "3.12"},
]


def uv(*args: str, cwd: Path = ROOT) -> str:
    done = subprocess.run([UV, *args], cwd=cwd, capture_output=True, text=True, check=True)
    return done.stdout + done.stderr


def test_requirements_txt_is_the_lock_as_uv_exports_it() -> None:
    exported = uv(*EXPORT, "--quiet")
    assert (ROOT / "requirements.txt").read_text(encoding="utf-8") == exported, (
        "requirements.txt is out of date: uv " + " ".join(EXPORT) + " -o requirements.txt"
    )


def planned(machine: dict[str, str]) -> set[str]:
    """The packages ``pip install --no-deps -r requirements.txt`` installs on ``machine``:
    every pinned line whose environment marker holds there (what pip itself evaluates, read
    offline: no index is asked)."""
    names = set()
    for line in (ROOT / "requirements.txt").read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith(("#", "-")):
            continue
        requirement = Requirement(line)
        if requirement.marker is None or requirement.marker.evaluate(machine):
            names.add(requirement.name.lower())
    return names


@pytest.mark.parametrize("machine", MACHINES, ids=lambda m: m["sys_platform"])
def test_pip_installs_no_torch_transformers_or_cuda(machine: dict[str, str]) -> None:
    names = planned(machine)
    assert {"camel-tools", "python-telegram-bot", "rank-bm25", "numpy"} <= names
    assert not [n for n in names if n.startswith(HEAVY)], names
