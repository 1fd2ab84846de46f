"""Shared fixtures: the seed collection, collections of a test's own documents, an analyzer."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from harness.fake_telegram import FakeTelegram
from harness.seeds import ROOT, SANAD, SEED_DOC, SEEDS, VECTOR_CACHE, seed_config
from index.build import build_index
from index.collection import Collection
from index.storage.store import Store
from index.text.analysis import Analyzer, LightSegmenter

__all__ = ["ROOT", "SEEDS", "SEED_DOC", "seed_config"]

# The many processes the tests start (sanad, bots, Ray's workers) reuse compiled modules,
# even where the environment forbids writing them (PYTHONDONTWRITEBYTECODE): else each
# start compiles the whole of numpy, telegram and Sanad anew.
os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
sys.dont_write_bytecode = False
# The sanad processes the tests start share one file of sentence vectors (by text), so the
# seed article is encoded once in a run, not once per process.
os.environ.setdefault("SANAD_SEMANTIC_CACHE", str(VECTOR_CACHE))

FIXTURES = Path(__file__).resolve().parent / "fixtures"
CAMEL_DATA = Path(__file__).resolve().parent / "data" / "camel"


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
def fake() -> Iterator[FakeTelegram]:
    """The fake Bot API on 127.0.0.1, strict: after the test, the fake itself never failed
    and every button press was answered (the client's spinner stopped)."""
    server = FakeTelegram().start()
    yield server
    server.stop()
    assert not server.internal_errors
    assert not server.unanswered_callbacks()


@pytest.fixture
def analyzer() -> Analyzer:
    return Analyzer(LightSegmenter())


@pytest.fixture
def seed_store(tmp_path: Path, analyzer: Analyzer) -> Iterator[Store]:
    store = Store(tmp_path / "index.sqlite3")
    build_index(store, analyzer, [SEEDS])
    yield store
    store.close()


@pytest.fixture
def collection(tmp_path: Path) -> Iterator[Collection]:
    """The seed article's collection, built in a fresh folder."""
    with Collection.open(seed_config(tmp_path / "seed")) as built:
        yield built


@pytest.fixture
def make_collection(tmp_path: Path):
    """Build a collection from named texts (or a folder) in a fresh folder: the set-up of
    every test that asks questions of its own documents."""
    opened: list[Collection] = []

    def make(documents: dict[str, str] | Path, **sections: object) -> Collection:
        folder = tmp_path / f"collection{len(opened)}"
        if isinstance(documents, Path):
            source = documents
        else:
            source = folder / "docs"
            source.mkdir(parents=True)
            for name, text in documents.items():
                (source / name).write_text(text, encoding="utf-8")
        collection = Collection.open(seed_config(folder, source, **sections))
        opened.append(collection)
        return collection

    yield make
    for collection in opened:
        collection.close()


def seed_examples() -> list[dict]:
    with (FIXTURES / "seed-examples.jsonl").open(encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]
