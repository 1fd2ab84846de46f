"""Sentence vectors: kept by text (never encoded twice), and searched by cosine."""

from __future__ import annotations

import logging
import shutil
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

import numpy as np
from tqdm import tqdm

from index.retrieval.encoder import BATCH, PASSAGE_FORM, Encoder, passage, text_key
from index.storage.files import numbered, replace_generation
from index.storage.vector_cache import LOOKUP_BATCH, STORED, VectorCache

if TYPE_CHECKING:
    from index.reading.documents import Document
    from index.storage.store import Store

log = logging.getLogger(__name__)

# What encodes passages, if not the encoder here (``sanad build --cluster``: Ray tasks),
# and how many texts it is given at once.
Encode = Callable[[list[str]], np.ndarray]
CHUNK = BATCH * 8


def sentence_vectors(
    texts: Sequence[str],
    encoder: Encoder,
    caches: Sequence[VectorCache],
    progress: bool = False,
    encode: tuple[Encode, int] | None = None,
) -> tuple[np.ndarray, int]:
    """The vectors of ``texts`` (rows in order, float32): each read from the first cache
    that keeps it, else encoded (by ``encode``'s function, that many at a time, when
    given) and kept in every cache. Returns them and how many texts were encoded.
    """
    run, chunk = encode or (encoder.passages, CHUNK)
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
        for start in range(0, len(todo), chunk):
            part = todo[start : start + chunk]
            encoded = run([t for _, t in part])
            items = [(k, v) for (k, _), v in zip(part, encoded, strict=True)]
            for cache in caches:
                cache.put(items)
            found.update((k, v.astype(STORED).astype(np.float32)) for k, v in items)
            bar.update(len(part))
    if not keys:
        return np.zeros((0, encoder.dim), dtype=np.float32), 0
    return np.stack([found[k] for k in keys]), len(todo)


EXACT_UP_TO = 50_000  # sentences; beyond, a bit-code pass picks the ones scored exactly
RESCORED = 2_000  # sentences the bit-code pass keeps for exact cosines (at least)


PICKED_MORE = 8  # sentences beyond k taken by the matrix product, then ordered exactly


class Dense:
    """Unit vectors of a collection's sentences, in engine order, searched by cosine.

    Up to EXACT_UP_TO sentences, by one matrix product. Beyond, each vector is also kept as
    384 bits (the sign of each coordinate from the collection's mean vector, 48 bytes): the
    sentences whose bits differ least from the question's are scored exactly, the
    RESCORED nearest at least (``bench/meaning.py`` measures the recall of the top 10
    against exact search)."""

    def __init__(
        self, matrix: np.ndarray, exact_up_to: int = EXACT_UP_TO, rescored: int = RESCORED
    ) -> None:
        self.rescored = rescored
        self.matrix = matrix if matrix.dtype == np.float32 else matrix.astype(np.float32)
        self.size = len(self.matrix)
        # a question's mean cosine over the collection is its cosine with the mean vector
        # (summed in float64: shards' sums add up to the same one)
        self.total = self.matrix.sum(axis=0, dtype=np.float64)
        self.centroid = mean_vector(self.total, self.size)
        self.codes: list[np.ndarray] | None = None
        if self.size > exact_up_to:
            self.codes = bit_codes(self.matrix, self.centroid)

    def cosines(self, query: np.ndarray, numbers: Sequence[int] | np.ndarray) -> np.ndarray:
        """The question's cosine with the sentences ``numbers``: in float64, each summed on
        its own, so that it is the same number whatever else the matrix holds (a shard's
        matrix product rounds differently from one machine's).

        >>> Dense(np.eye(3, dtype=np.float32)).cosines(np.array([0.0, 0.6, 0.8]), [2, 0])
        array([0.8, 0. ])
        """
        rows = self.matrix[np.asarray(numbers, dtype=np.int64)].astype(np.float64)
        return (rows * np.asarray(query, dtype=np.float64)).sum(axis=1)

    def baseline(self, query: np.ndarray) -> float:
        """The question's mean cosine over the collection: what no particular sentence
        shares with it."""
        return float(self.centroid @ query) if self.size else 0.0

    def top(self, query: np.ndarray, k: int) -> list[tuple[int, float]]:
        """The ``k`` sentences nearest the question, best first (ties: collection order).

        >>> d = Dense(np.eye(3, dtype=np.float32))
        >>> d.top(np.array([0.0, 0.6, 0.8], dtype=np.float32), 2)
        [(2, 0.800000011920929), (1, 0.6000000238418579)]
        >>> d.top(np.array([0.0, 0.6, 0.6], dtype=np.float32), 3)  # a tie: collection order
        [(1, 0.6000000238418579), (2, 0.6000000238418579), (0, 0.0)]
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
            numbers = nearest_by_bits(self.codes, bits_of(query, self.centroid), self.rescored + k)
            scores = self.matrix[numbers] @ query
        # the nearest few by the matrix product, ordered by their exact cosines
        picked = min(k + PICKED_MORE, len(numbers))
        part = numbers[np.argpartition(-scores, picked - 1)[:picked]]
        exact = self.cosines(query, part)
        order = np.lexsort((part, -exact))[:k]
        return [(int(part[i]), float(exact[i])) for i in order]


def mean_vector(total: np.ndarray, size: int) -> np.ndarray:
    """The collection's mean vector from the sum of its vectors (float64) and their count.

    >>> mean_vector(np.array([1.0, 3.0]), 2).tolist()
    [0.5, 1.5]
    """
    return (total / size).astype(np.float32) if size else np.zeros(0, np.float32)


class Nearest(Protocol):
    """Cosine search over a collection's sentences (a :class:`Dense` here, or its shards'
    vectors on a cluster: :class:`index.cluster.actors.ClusterDense`)."""

    size: int

    def cosines(self, query: np.ndarray, numbers: Sequence[int] | np.ndarray) -> np.ndarray: ...

    def baseline(self, query: np.ndarray) -> float: ...

    def top(self, query: np.ndarray, k: int) -> list[tuple[int, float]]: ...


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

    def keep(
        self,
        store: Store,
        documents: Sequence[Document],
        progress: bool = False,
        encode: tuple[Encode, int] | None = None,
    ) -> int:
        """Make sure the store keeps a vector for each sentence of these documents (encoding
        only those no cache has, by ``encode`` when given: see :func:`sentence_vectors`);
        how many were encoded."""
        texts = [passage(d.title, s.text) for d in documents for s in d.sentences]
        caches = [store.vectors, *self.caches]
        _, encoded = sentence_vectors(texts, self.encoder, caches, progress, encode)
        return encoded

    def dense(self, store: Store, ids: np.ndarray) -> Dense:
        """The vectors of the sentences ``ids`` (engine order) as a :class:`Dense`: the
        saved file when it lists these sentences (memory-mapped), or a saved one for the
        first of them with the rest read from the store's vectors; else read from the store
        (see :meth:`vectors`), and saved for the next start."""
        root = store.engine_folder
        made_by = f"{self.encoder.name} {PASSAGE_FORM}"
        saved = _saved_dense(root / "dense", ids, made_by) if root is not None else None
        if saved is not None and len(saved) == len(ids):
            return Dense(saved)
        rest = self.vectors(store, ids[0 if saved is None else len(saved) :])
        matrix = rest if saved is None else np.concatenate([saved, rest])
        if root is not None and (saved is None or len(rest) > RESAVE_SHARE * max(1, len(saved))):
            _save_dense(root / "dense", store.generation, ids, matrix, made_by)
        return Dense(matrix)

    def vectors(self, store: Store, ids: np.ndarray) -> np.ndarray:
        """The vectors of the sentences ``ids``, in that order (float32), read from the
        store (any it lacks encoded and kept)."""
        caches = [store.vectors, *self.caches]
        return sentence_vectors(_texts(store, ids), self.encoder, caches)[0]


DENSE_PREFIX = "v"  # dense/v<generation>: the vectors saved for a generation, in engine order
RESAVE_SHARE = 0.1  # sentences added since the saved vectors beyond this share: save anew
MADE_BY = "made-by.txt"  # beside them: the encoder and the passages' form they were made with


def _texts(store: Store, ids: np.ndarray) -> list[str]:
    """What the encoder reads for each sentence ``ids``
    (:func:`index.retrieval.encoder.passage`)."""
    titles = {d.id: d.title for d in store.documents()} if len(ids) else {}
    texts: list[str] = []
    for start in range(0, len(ids), LOOKUP_BATCH):
        part = [int(i) for i in ids[start : start + LOOKUP_BATCH]]
        found = store.sentences(part)
        texts.extend(passage(titles[found[i].document], found[i].text) for i in part)
    return texts


def _saved_dense(folder: Path, ids: np.ndarray, made_by: str) -> np.ndarray | None:
    """The newest saved vectors whose sentences are the first of ``ids``, memory-mapped,
    when they were made as they are now (the same encoder, reading the same passages)."""
    saved = numbered(folder, DENSE_PREFIX)
    if not saved:
        return None
    newest = saved[-1][1]
    if _made_by(newest) != made_by:
        return None
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


def _made_by(saved: Path) -> str:
    try:
        return (saved / MADE_BY).read_text(encoding="utf-8")
    except OSError:  # saved before vectors named what made them
        return ""


def _save_dense(
    folder: Path, generation: int, ids: np.ndarray, matrix: np.ndarray, made_by: str
) -> None:
    """Save the vectors for a generation, then drop the older ones (see
    :func:`index.storage.files.replace_generation`)."""
    target = folder / f"{DENSE_PREFIX}{generation}"
    if target.exists():
        if _made_by(target) == made_by:
            return
        shutil.rmtree(target, ignore_errors=True)  # made otherwise: made again

    def fill(tmp: Path) -> None:
        np.save(tmp / "ids.npy", np.asarray(ids, dtype=np.int64))
        np.save(tmp / "vectors.npy", np.asarray(matrix, dtype=np.float32))
        (tmp / MADE_BY).write_text(made_by, encoding="utf-8")

    replace_generation(folder, DENSE_PREFIX, generation, fill)
