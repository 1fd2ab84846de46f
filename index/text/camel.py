"""Clitic segmentation with camel-tools' MLE disambiguator (d3tok), when its data is installed."""

from __future__ import annotations

import json
import logging
import os
from dataclasses import dataclass
from pathlib import Path

from index.text.analysis import LightSegmenter, Segmenter, fold_letters

log = logging.getLogger(__name__)

MODEL = "calima-msa-r13"


class CamelUnavailable(RuntimeError):
    """camel-tools' morphology data is missing or unusable; the message says which."""


@dataclass(frozen=True, slots=True)
class CamelData:
    """Where camel-tools' data lives and the two files the MLE disambiguator needs."""

    root: Path
    mle_model: Path
    morphology_db: Path


def camel_data_root() -> Path:
    """``$CAMELTOOLS_DATA``, else ``~/.camel_tools`` (camel-tools' own rule)."""
    env = os.environ.get("CAMELTOOLS_DATA")
    return Path(env).expanduser().absolute() if env else Path.home() / ".camel_tools"


def find_camel_data(root: Path | None = None, model: str = MODEL) -> CamelData | None:
    """The installed MLE model and morphology DB, read from camel-tools' catalogue.

    Reading the catalogue ourselves avoids importing ``camel_tools.data``, which tries
    to download a catalogue (and fails offline) when none is installed.
    """
    root = root or camel_data_root()
    try:
        catalogue = json.loads((root / "catalogue.json").read_text(encoding="utf-8"))
        components = catalogue["components"]
        mle = root / "data" / components["DisambigMLE"]["datasets"][model]["path"]
        db = root / "data" / components["MorphologyDB"]["datasets"][model]["path"]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    found = CamelData(root, mle / "model.json", db / "morphology.db")
    if found.mle_model.is_file() and found.morphology_db.is_file():
        return found
    return None


def _is_clitic(piece: str) -> bool:
    return piece.startswith("+") or piece.endswith("+")


class CamelSegmenter:
    """camel-tools ``MorphologicalTokenizer`` (d3tok) over ``MLEDisambiguator``.

    Clitics (``و+``, ``ال+``, ``+ه`` …) are dropped; the base words are letter-folded.
    """

    name = "camel"

    def __init__(self, data: CamelData) -> None:
        # camel_tools.data reads this once, at import, and downloads a catalogue when
        # it finds none there: point it at the data we found before the first import.
        os.environ["CAMELTOOLS_DATA"] = str(data.root)
        try:
            from camel_tools.disambig.mle import MLEDisambiguator
            from camel_tools.morphology.analyzer import Analyzer
            from camel_tools.morphology.database import MorphologyDB
            from camel_tools.tokenizers.morphological import MorphologicalTokenizer

            analyzer = Analyzer(MorphologyDB(str(data.morphology_db), "a"), "NOAN_PROP")
            disambiguator = MLEDisambiguator(analyzer, str(data.mle_model), cache_size=100_000)
        except Exception as exc:  # camel-tools raises DownloaderError, ValueError, OSError…
            raise CamelUnavailable(f"camel-tools data in {data.root} is unusable: {exc}") from exc
        self._tokenizer = MorphologicalTokenizer(disambiguator, scheme="d3tok", split=True)

    def segment(self, word: str) -> tuple[str, ...]:
        pieces = self._tokenizer.tokenize([word])
        return tuple(fold_letters(p) for p in pieces if p and not _is_clitic(p))


def make_segmenter(choice: str) -> Segmenter:
    """The segmenter for ``analysis.segmenter``: ``light``, ``camel`` or ``auto``.

    ``auto`` takes camel-tools when its data is installed and works, else ``light``
    (saying so in one log line); ``camel`` insists and raises CamelUnavailable.
    """
    if choice == "light":
        return LightSegmenter()
    data = find_camel_data()
    if data is None:
        if choice == "camel":
            raise CamelUnavailable(
                f"camel-tools data not found in {camel_data_root()} "
                f"(install it with: camel_data -i disambig-mle-{MODEL})"
            )
        log.info("camel-tools data not installed; using the light segmenter")
        return LightSegmenter()
    try:
        return CamelSegmenter(data)
    except CamelUnavailable as exc:
        if choice == "camel":
            raise
        log.warning("%s; using the light segmenter", exc)
        return LightSegmenter()
