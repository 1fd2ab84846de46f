"""The seed article and collections built from it, configured as a test or bench needs."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from index.config import AnalysisSettings, Config, IndexSettings
from index.retrieval.settings import SemanticSettings

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
SEED_DOC = SEEDS / "000_4df2e2abeb755126.txt"
SANAD = str(Path(sys.executable).parent / "sanad")  # the installed console script


# Sentence vectors shared by every collection the tests and benches build with matching by
# meaning on (kept by their texts: the seed article is encoded once, not once per test).
VECTOR_CACHE = Path(tempfile.gettempdir()) / "sanad-test-vectors.sqlite3"
# The tests that pin the lexical engine's answers build without it (test_meaning.py and
# the bot's tests of it turn it on).
LEXICAL = SemanticSettings(enabled=False)


def sanad_free_environ() -> dict[str, str]:
    """This process's environment without Sanad's settings, for a ``sanad`` started as a
    user would (its defaults), but for the shared file of sentence vectors where one is set
    (the tests': a started process does not encode the seed again)."""
    return {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("SANAD_") or k == "SANAD_SEMANTIC_CACHE"
    }


def seeded_project(folder: Path) -> dict[str, str]:
    """A copy of the seeds in ``folder`` with its index built (``sanad build``, as a user
    would); the environment to run ``sanad`` there."""
    shutil.copytree(SEEDS, folder / "seeds")
    environ = sanad_free_environ()
    subprocess.run([SANAD, "build"], cwd=folder, env=environ, check=True, capture_output=True)
    return environ


def timed_sanad(
    args: list[str], cwd: Path, environ: dict[str, str], timeout: float = 600
) -> tuple[float, str]:
    """``sanad ARGS`` run in ``cwd``: the seconds it took and what it printed."""
    start = time.perf_counter()
    done = subprocess.run(
        [SANAD, *args], cwd=cwd, env=environ, capture_output=True, text=True, timeout=timeout
    )
    return time.perf_counter() - start, done.stdout


def seed_config(folder: Path, seeds: Path = SEEDS, **sections: Any) -> Config:
    """A config for a collection in ``folder`` (``index.sqlite3``, uploads under
    ``uploads/``) built from ``seeds``, light segmentation, lexical matching alone (see
    LEXICAL); ``sections`` replace others (``search=SearchSettings(...)``).

    >>> seed_config(Path("/tmp/x")).index_path
    PosixPath('/tmp/x/index.sqlite3')
    """
    index = IndexSettings(path="index.sqlite3", seeds=str(seeds), uploads="uploads")
    sections.setdefault("semantic", LEXICAL)
    return Config(index=index, analysis=AnalysisSettings("light"), base=folder, **sections)
