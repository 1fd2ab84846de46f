"""The seed article and collections built from it, configured as a test or bench needs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from index.config import AnalysisSettings, Config, IndexSettings

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
SEED_DOC = SEEDS / "000_4df2e2abeb755126.txt"


def seed_config(folder: Path, seeds: Path = SEEDS, **sections: Any) -> Config:
    """A config for a collection in ``folder`` (``index.sqlite3``, uploads under
    ``uploads/``) built from ``seeds``, light segmentation; ``sections`` replace others
    (``search=SearchSettings(...)``).

    >>> seed_config(Path("/tmp/x")).index_path
    PosixPath('/tmp/x/index.sqlite3')
    """
    index = IndexSettings(path="index.sqlite3", seeds=str(seeds), uploads="uploads")
    return Config(index=index, analysis=AnalysisSettings("light"), base=folder, **sections)
