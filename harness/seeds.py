"""The seed article and collections built from it, configured as a test or bench needs."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

from index.config import AnalysisSettings, Config, IndexSettings
from index.retrieval.settings import SemanticSettings

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
SEED_DOC = SEEDS / "000_4df2e2abeb755126.txt"


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
