"""The engine's files beside the store: saved postings segments and gram statistics."""

from __future__ import annotations

import hashlib
import json
import logging
from array import array
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from index.retrieval.parts import SegmentedEngine
from index.retrieval.scoring import BM25Params, Engine, Scorer
from index.storage.files import numbered, replace_generation, write_file_atomically
from index.storage.store import Store
from index.text.grams import SAMPLE_SIZE, GramStats

if TYPE_CHECKING:
    from index.retrieval.vectors import Nearest

log = logging.getLogger(__name__)

DELTA_SHARE = 0.1  # added sentences beyond this share of the saved segment: rebuild
STATS_STALE_SHARE = 0.1  # sentences added or removed beyond this share: new gram statistics
GRAMS_FILE = "grams.json"
SET_GRAMS_FOLDER = "set-grams"  # a set of documents' gram statistics, a file per set's contents
SET_GRAMS_KEPT = 256  # the newest kept; older ones are counted again if asked for
SEGMENT_PREFIX = "g"  # g<generation>: the engine saved for a generation


@dataclass(frozen=True, slots=True)
class IndexFiles:
    """What answering needs beyond the store, for one generation of it: the engine, the
    store's sentence id behind each engine document number, and the gram statistics."""

    engine: Scorer
    ids: np.ndarray
    stats: GramStats
    dense: Nearest | None = None  # the sentences' vectors, when held beside the engine (shards)


def ensure_index_files(store: Store, params: BM25Params) -> IndexFiles:
    """The engine and gram statistics for the store as it is now: read from the saved
    files (postings memory-mapped, no re-analysis) when they fit the store's generation,
    else built from the stored terms and written there for the next start.

    When only documents were added since the newest saved segment, that segment is used
    with a small one built from the new sentences (exact all the same), and nothing is
    written."""
    found = read_engine_files(store, params)
    if found is None:
        built, ids = build_engine(store, params)
        write_engine_files(store, built, ids)
        found = built, ids
    engine, ids = found
    return IndexFiles(engine, ids, gram_stats(store, ids))


def gram_stats(store: Store, ids: np.ndarray) -> GramStats:
    """The gram statistics for the collection of sentences ``ids``: the saved ones while
    they hold (see :func:`read_gram_stats`), else counted and saved."""
    stats = read_gram_stats(store, len(ids))
    if stats is None:
        stats = count_gram_stats(store, ids)
        write_gram_stats(store, stats)
    return stats


def read_engine_files(store: Store, params: BM25Params) -> tuple[Scorer, np.ndarray] | None:
    """The saved engine for the store's generation, or the newest saved one plus a small
    segment of the sentences added since; None when no saved one fits."""
    root = store.engine_folder
    if root is None:
        return None
    found = _saved_segment(root, store.generation, store.deletions)
    if found is None:
        return None
    folder, info = found
    try:
        main = Engine.load(folder, params)
        main_ids = np.load(folder / "ids.npy")
    except (OSError, ValueError) as exc:  # damaged files: the caller rebuilds
        log.warning("engine files in %s unusable (%s); rebuilding", folder, exc)
        return None
    if info["generation"] == store.generation:
        return main, main_ids
    new = list(store.corpus(info["max_id"]))
    if len(new) > DELTA_SHARE * max(1, main.size):
        return None
    delta = Engine([terms for _, terms in new], params)
    new_ids = np.asarray([i for i, _ in new], dtype=np.int64)
    return SegmentedEngine([main, delta], params), np.concatenate([main_ids, new_ids])


def build_engine(store: Store, params: BM25Params) -> tuple[Engine, np.ndarray]:
    """An engine over every stored sentence, streamed from the store, and the sentence ids
    in engine order."""
    ids = array("q")

    def terms() -> Iterator[list[str]]:
        for sentence_id, sentence_terms in store.corpus():
            ids.append(sentence_id)
            yield sentence_terms

    engine = Engine(terms(), params)
    return engine, np.frombuffer(ids, dtype=np.int64).copy() if ids else np.zeros(0, np.int64)


def _saved_segment(root: Path, generation: int, deletions: int) -> tuple[Path, dict] | None:
    """The newest saved segment still valid for the store: same deletions, not newer."""
    best: tuple[Path, dict] | None = None
    for _, folder in numbered(root, SEGMENT_PREFIX):
        try:
            info = json.loads((folder / "segment.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if info.get("deletions") != deletions or info.get("generation", 1 << 62) > generation:
            continue
        if best is None or info["generation"] > best[1]["generation"]:
            best = (folder, info)
    return best


def write_engine_files(store: Store, engine: Engine, ids: np.ndarray) -> None:
    """Save the engine for the store's generation (atomically: a new folder renamed into
    place), then drop older generations. A failure is logged: answering goes on."""
    root = store.engine_folder
    if root is None:
        return
    info = {
        "generation": store.generation,
        "deletions": store.deletions,
        "max_id": int(ids.max()) if len(ids) else 0,
        "count": len(ids),
    }

    def fill(tmp: Path) -> None:
        engine.save(tmp)
        np.save(tmp / "ids.npy", ids)
        (tmp / "segment.json").write_text(json.dumps(info), encoding="utf-8")

    replace_generation(root, SEGMENT_PREFIX, store.generation, fill)


def read_gram_stats(store: Store, count: int) -> GramStats | None:
    """The saved gram statistics when they still hold for a collection of ``count``
    sentences: exact ones for the same store generation only, sampled ones while the
    collection changed by less than STATS_STALE_SHARE; else None."""
    root = store.engine_folder
    stats = _load_stats(root / GRAMS_FILE) if root is not None else None
    if stats is None:
        return None
    if stats.generation == store.generation or (
        stats.sampled < stats.count and abs(stats.count - count) <= STATS_STALE_SHARE * stats.count
    ):
        return stats
    return None


def count_gram_stats(store: Store, ids: np.ndarray) -> GramStats:
    """Gram statistics of the collection, from up to SAMPLE_SIZE sentences spread evenly
    over it (so exact in smaller collections)."""
    step = max(1, -(-len(ids) // SAMPLE_SIZE))
    sample = [int(i) for i in ids[::step]]
    texts = (
        row.text
        for start in range(0, len(sample), 500)
        for row in store.sentences(sample[start : start + 500]).values()
    )
    return GramStats.from_texts(texts, len(ids), store.generation)


def set_gram_stats(store: Store, ids: np.ndarray, contents: Iterable[str]) -> GramStats:
    """The gram statistics of a set of documents' sentences (``ids``; ``contents``: the
    documents' hashes): read back when they were counted before, by any process (the bot,
    `sanad ask`, after a restart), else counted and saved beside the engine files. They
    are named for the sentences they count, the documents' contents (a rebuilt store may
    number other sentences alike) and the analysis, so they hold while those stay as
    they are; a failure to read or save them is logged and they are counted."""
    root = store.engine_folder
    if root is None:
        return count_gram_stats(store, ids)
    digest = hashlib.sha1(np.asarray(ids, dtype=np.int64).tobytes())
    digest.update(" ".join([store.signature or "", *contents]).encode("utf-8"))
    path = root / SET_GRAMS_FOLDER / f"{digest.hexdigest()[:20]}.json"
    stats = _load_stats(path)
    if stats is None:
        stats = count_gram_stats(store, ids)
        if _save_stats(path, stats):
            saved = sorted(path.parent.glob("*.json"), key=lambda p: p.stat().st_mtime)
            for old in saved[:-SET_GRAMS_KEPT]:
                old.unlink(missing_ok=True)
    return stats


def write_gram_stats(store: Store, stats: GramStats) -> None:
    """Save the gram statistics beside the engine files (a failure is logged)."""
    root = store.engine_folder
    if root is not None:
        _save_stats(root / GRAMS_FILE, stats)


def _load_stats(path: Path) -> GramStats | None:
    """Saved gram statistics, or None when there are none (or they are unusable: logged)."""
    if not path.exists():
        return None
    try:
        return GramStats.load(path)
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        log.warning("gram statistics in %s unusable (%s); recounting", path, exc)
        return None


def _save_stats(path: Path, stats: GramStats) -> bool:
    """Save gram statistics; whether they were (a failure is logged)."""
    try:
        write_file_atomically(path, stats.to_json())
    except OSError as exc:
        log.warning("could not save gram statistics in %s: %s", path.parent, exc)
        return False
    return True
