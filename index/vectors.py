"""Sentence vectors: kept by text (never encoded twice), and searched by cosine."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from tqdm import tqdm

from index.encoder import BATCH, Encoder, text_key
from index.files import numbered, replace_generation
from index.sqlite import Database

if TYPE_CHECKING:
    from index.store import Store

log = logging.getLogger(__name__)

SCHEMA = """
CREATE TABLE IF NOT EXISTS vectors (
    key    BLOB PRIMARY KEY,
    vector BLOB NOT NULL
) WITHOUT ROWID
"""
STORED = np.float16  # half the bytes, and cosines equal to 1e-3
LOOKUP_BATCH = 500  # keys asked of SQLite in one statement


class VectorCache:
    """Vectors by :func:`index.encoder.text_key`, in one SQLite table (the store's own, or
    a file of its own shared by collections: ``semantic.cache``)."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self.db.execute(SCHEMA)

    @classmethod
    def file(cls, path: Path) -> VectorCache:
        return cls(Database(path))

    def get(self, keys: Sequence[bytes]) -> dict[bytes, np.ndarray]:
        """The kept vectors of these keys (as float32); absent keys are left out."""
        found: dict[bytes, np.ndarray] = {}
        unique = list(dict.fromkeys(keys))
        for start in range(0, len(unique), LOOKUP_BATCH):
            part = unique[start : start + LOOKUP_BATCH]
            marks = ",".join("?" * len(part))
            for key, blob in self.db.query(
                f"SELECT key, vector FROM vectors WHERE key IN ({marks})", part
            ):
                found[bytes(key)] = np.frombuffer(blob, dtype=STORED).astype(np.float32)
        return found

    def put(self, items: Iterable[tuple[bytes, np.ndarray]]) -> None:
        """Keep these vectors (one transaction)."""
        rows = [(key, np.asarray(v, dtype=STORED).tobytes()) for key, v in items]
        if not rows:
            return
        with self.db.transaction() as db:
            db.executemany("INSERT OR REPLACE INTO vectors(key, vector) VALUES (?, ?)", rows)

    def close(self) -> None:
        self.db.close()


def sentence_vectors(
    texts: Sequence[str],
    encoder: Encoder,
    caches: Sequence[VectorCache],
    progress: bool = False,
) -> tuple[np.ndarray, int]:
    """The vectors of ``texts`` (rows in order, float32): each read from the first cache
    that keeps it, else encoded and kept in every cache. Returns them and how many texts
    were encoded.
    """
    keys = [text_key(encoder.name, t) for t in texts]
    found: dict[bytes, np.ndarray] = {}
    for cache in caches:
        missing = [k for k in keys if k not in found]
        if not missing:
            break
        got = cache.get(missing)
        if got and cache is not caches[0]:
            caches[0].put(got.items())  # the store keeps what a shared cache gave it
        found.update(got)
    todo = list(dict.fromkeys((k, t) for k, t in zip(keys, texts, strict=True) if k not in found))
    with tqdm(
        total=len(todo), unit="sentence", desc="encoding", disable=not progress or None, leave=False
    ) as bar:
        for start in range(0, len(todo), BATCH * 8):
            part = todo[start : start + BATCH * 8]
            encoded = encoder.passages([t for _, t in part])
            items = [(k, v) for (k, _), v in zip(part, encoded, strict=True)]
            for cache in caches:
                cache.put(items)
            found.update((k, v.astype(STORED).astype(np.float32)) for k, v in items)
            bar.update(len(part))
    if not keys:
        return np.zeros((0, encoder.dim), dtype=np.float32), 0
    return np.stack([found[k] for k in keys]), len(todo)


EXACT_UP_TO = 200_000  # sentences; beyond, a bit-code pass picks the ones scored exactly
RESCORED = 2_000  # sentences the bit-code pass keeps for exact cosines (at least)


class Dense:
    """Unit vectors of a collection's sentences, in engine order, searched by cosine.

    Up to EXACT_UP_TO sentences, by one matrix product. Beyond, each vector is also kept as
    384 bits (the sign of each coordinate from the collection's mean vector, 48 bytes): the
    sentences whose bits differ least from the question's are scored exactly, the
    RESCORED nearest at least (``bench/meaning.py`` measures the recall of the top 10
    against exact search)."""

    def __init__(self, matrix: np.ndarray, exact_up_to: int = EXACT_UP_TO) -> None:
        self.matrix = matrix if matrix.dtype == np.float32 else matrix.astype(np.float32)
        self.size = len(self.matrix)
        # a question's mean cosine over the collection is its cosine with the mean vector
        self.centroid = (
            np.asarray(self.matrix.mean(axis=0), dtype=np.float32)
            if self.size
            else np.zeros(0, np.float32)
        )
        self.codes: list[np.ndarray] | None = None
        if self.size > exact_up_to:
            self.codes = bit_codes(self.matrix, self.centroid)

    def cosines(self, query: np.ndarray, numbers: Sequence[int] | None = None) -> np.ndarray:
        """The question's cosine with every sentence (or with ``numbers``)."""
        if numbers is None:
            return self.matrix @ query
        return self.matrix[np.asarray(numbers, dtype=np.int64)] @ query

    def baseline(self, query: np.ndarray) -> float:
        """The question's mean cosine over the collection: what no particular sentence
        shares with it."""
        return float(self.centroid @ query) if self.size else 0.0

    def top(self, query: np.ndarray, k: int) -> list[tuple[int, float]]:
        """The ``k`` sentences nearest the question, best first (ties: collection order).

        >>> d = Dense(np.eye(3, dtype=np.float32))
        >>> d.top(np.array([0.0, 0.6, 0.8], dtype=np.float32), 2)
        [(2, 0.800000011920929), (1, 0.6000000238418579)]
        >>> rng = np.random.default_rng(0)
        >>> m = rng.standard_normal((3000, 384)).astype(np.float32)
        >>> m /= np.linalg.norm(m, axis=1, keepdims=True)
        >>> Dense(m, exact_up_to=1000).top(m[7], 1) == Dense(m).top(m[7], 1)
        True
        """
        if not self.size or k <= 0:
            return []
        if self.codes is None:
            numbers = np.arange(self.size)
            scores = self.matrix @ query
        else:
            numbers = nearest_by_bits(self.codes, bits_of(query, self.centroid), RESCORED + k)
            scores = self.matrix[numbers] @ query
        k = min(k, len(numbers))
        part = np.argpartition(-scores, k - 1)[:k]
        order = part[np.lexsort((numbers[part], -scores[part]))]
        return [(int(numbers[i]), float(scores[i])) for i in order]


def bits_of(vectors: np.ndarray, centroid: np.ndarray) -> np.ndarray:
    """The sign bits of vectors measured from ``centroid``, packed: 64 coordinates a word.

    >>> bits_of(np.array([[1.0, -1.0] * 32]), np.zeros(64)).tolist() == [[0x5555555555555555]]
    True
    """
    signs = np.asarray(vectors) > centroid
    return np.packbits(signs, axis=-1, bitorder="little").view(np.uint64)


def bit_codes(matrix: np.ndarray, centroid: np.ndarray, chunk: int = 100_000) -> list[np.ndarray]:
    """Every vector's bits, one contiguous array per 64-bit word (so each word of a
    question is compared with the collection's in one pass)."""
    words = -(-matrix.shape[1] // 64)
    out = [np.empty(len(matrix), dtype=np.uint64) for _ in range(words)]
    for start in range(0, len(matrix), chunk):
        part = bits_of(matrix[start : start + chunk], centroid)
        for w in range(words):
            out[w][start : start + len(part)] = part[:, w]
    return out


def nearest_by_bits(codes: list[np.ndarray], query: np.ndarray, count: int) -> np.ndarray:
    """The numbers of at least ``count`` vectors whose bits differ least from the
    question's (all of those at the cut-off distance), in collection order."""
    distance = np.zeros(len(codes[0]), dtype=np.uint16)
    for word, column in zip(query.ravel(), codes, strict=True):
        distance += np.bitwise_count(column ^ word).astype(np.uint16)
    cumulative = np.cumsum(np.bincount(distance))
    cut = int(np.searchsorted(cumulative, min(count, len(distance))))
    return np.flatnonzero(distance <= cut)


@dataclass(frozen=True, slots=True)
class Embedding:
    """How a collection gets its sentences' vectors: the encoder, and the caches shared
    beyond its store (``semantic.cache``)."""

    encoder: Encoder
    caches: tuple[VectorCache, ...] = ()

    def keep(self, store: Store, texts: Sequence[str], progress: bool = False) -> int:
        """Make sure the store keeps a vector for each text (encoding only those no cache
        has); how many were encoded."""
        _, encoded = sentence_vectors(texts, self.encoder, [store.vectors, *self.caches], progress)
        return encoded

    def dense(self, store: Store, ids: np.ndarray) -> Dense:
        """The vectors of the sentences ``ids``, in that order (see :func:`dense_for`)."""
        return dense_for(store, ids, self.encoder, self.caches)


DENSE_PREFIX = "v"  # dense/v<generation>: the vectors saved for a generation, in engine order
RESAVE_SHARE = 0.1  # sentences added since the saved vectors beyond this share: save anew


def dense_for(
    store: Store,
    ids: np.ndarray,
    encoder: Encoder,
    caches: Sequence[VectorCache] = (),
) -> Dense:
    """The vectors of the sentences ``ids`` (engine order) as a :class:`Dense`: the saved
    file when it lists these sentences (memory-mapped), or a saved one for the first of
    them with the rest read from the store's vectors; else read from the store (any vector
    it lacks encoded and kept), and saved for the next start."""
    root = store.engine_folder
    saved = _saved_dense(root / "dense", ids) if root is not None else None
    if saved is not None and len(saved) == len(ids):
        return Dense(saved)
    start = 0 if saved is None else len(saved)
    texts = _texts(store, ids[start:])
    rest, _ = sentence_vectors(texts, encoder, [store.vectors, *caches])
    matrix = rest if saved is None else np.concatenate([saved, rest])
    if root is not None and (saved is None or len(rest) > RESAVE_SHARE * max(1, len(saved))):
        _save_dense(root / "dense", store.generation, ids, matrix)
    return Dense(matrix)


def _texts(store: Store, ids: np.ndarray) -> list[str]:
    texts: list[str] = []
    for start in range(0, len(ids), LOOKUP_BATCH):
        part = [int(i) for i in ids[start : start + LOOKUP_BATCH]]
        found = store.sentences(part)
        texts.extend(found[i].text for i in part)
    return texts


def _saved_dense(folder: Path, ids: np.ndarray) -> np.ndarray | None:
    """The newest saved vectors whose sentences are the first of ``ids``, memory-mapped."""
    saved = numbered(folder, DENSE_PREFIX)
    if not saved:
        return None
    newest = saved[-1][1]
    try:
        saved_ids = np.load(newest / "ids.npy")
        matrix = np.load(newest / "vectors.npy", mmap_mode="r")
    except (OSError, ValueError) as exc:
        log.warning("saved vectors in %s unusable (%s); reading them again", newest, exc)
        return None
    n = len(saved_ids)
    if n > len(ids) or len(matrix) != n or not np.array_equal(saved_ids, ids[:n]):
        return None
    return matrix


def _save_dense(folder: Path, generation: int, ids: np.ndarray, matrix: np.ndarray) -> None:
    """Save the vectors for a generation, then drop the older ones (see
    :func:`index.files.replace_generation`)."""
    if (folder / f"{DENSE_PREFIX}{generation}").exists():
        return

    def fill(tmp: Path) -> None:
        np.save(tmp / "ids.npy", np.asarray(ids, dtype=np.int64))
        np.save(tmp / "vectors.npy", np.asarray(matrix, dtype=np.float32))

    replace_generation(folder, DENSE_PREFIX, generation, fill)
