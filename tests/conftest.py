"""Shared fixtures: the project's seed documents, a store built from them, an analyzer."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from index.analysis import Analyzer, LightSegmenter
from index.build import build_index
from index.search import Searcher
from index.store import Store

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
SEED_DOC = SEEDS / "000_4df2e2abeb755126.txt"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
CAMEL_DATA = Path(__file__).resolve().parent / "data" / "camel"
SANAD = str(Path(sys.executable).parent / "sanad")  # the installed console script


def run_sanad(
    *args: str, cwd: Path, env: dict[str, str], timeout: float = 60
) -> subprocess.CompletedProcess[str]:
    """Run ``sanad`` as a user would, in its own process."""
    return subprocess.run(
        [SANAD, *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


@pytest.fixture
def analyzer() -> Analyzer:
    return Analyzer(LightSegmenter())


@pytest.fixture
def seed_store(tmp_path: Path, analyzer: Analyzer) -> Store:
    store = Store(tmp_path / "index.sqlite3")
    build_index(store, analyzer, [SEEDS])
    yield store
    store.close()


@pytest.fixture
def searcher(seed_store: Store, analyzer: Analyzer) -> Searcher:
    return Searcher(seed_store, analyzer)


def seed_examples() -> list[dict]:
    with (FIXTURES / "seed-examples.jsonl").open(encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]
