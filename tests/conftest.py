"""Shared fixtures: the project's seed documents, a store built from them, an analyzer."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from index.analysis import Analyzer, LightSegmenter
from index.build import build_index
from index.collection import Collection
from index.config import AnalysisSettings, Config, IndexSettings
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
def collection(tmp_path: Path) -> Collection:
    """The seed article's collection, built in a fresh folder."""
    with Collection.open(seed_config(tmp_path / "seed")) as built:
        yield built


def seed_config(folder: Path, seeds: Path = SEEDS, **sections: object) -> Config:
    """A config for a collection in ``folder`` (``index.sqlite3``, uploads under
    ``uploads/``) built from ``seeds``, light segmentation; ``sections`` replace others
    (``search=SearchSettings(...)``)."""
    index = IndexSettings(path="index.sqlite3", seeds=str(seeds), uploads="uploads")
    return Config(index=index, analysis=AnalysisSettings("light"), base=folder, **sections)


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
