"""One collection scored in parts (segments here, shards elsewhere), exactly as one engine."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from index.retrieval.scoring import BM25Params, Engine, Scorer, fill_unmatched, ranked_top


def collection_stats(
    parts: Sequence[tuple[Sequence[str], np.ndarray, int, float]], params: BM25Params
) -> tuple[list[np.ndarray], float]:
    """Collection-wide BM25Okapi statistics from parts of it (segments, shards), each
    given as (its terms, their document frequencies, its document count, its total
    length): every part's terms' idf over the whole collection (rank-bm25's floor for
    terms in most documents included) and the average document length.

    >>> first = (["روس", "اوزبكست"], np.array([1, 1]), 2, 3.0)  # two documents
    >>> second = (["كازاخست", "روس"], np.array([1, 1]), 2, 2.0)  # two more
    >>> idfs, avgdl = collection_stats([first, second], BM25Params())
    >>> [i.round(3).tolist() for i in idfs], avgdl
    ([[0.0, 0.847], [0.847, 0.0]], 1.25)
    """
    n = sum(size for _, _, size, _ in parts)
    avgdl = sum(length for _, _, _, length in parts) / n if n else 0.0
    df: dict[str, int] = {}
    for terms, counts, _, _ in parts:
        for term, count in zip(terms, counts.tolist(), strict=True):
            df[term] = df.get(term, 0) + int(count)
    all_df = np.fromiter(df.values(), np.int64, len(df))
    idf = np.log(n - all_df + 0.5) - np.log(all_df + 0.5)
    eps = params.epsilon * float(idf.mean()) if len(idf) else 0.0
    idf = np.where(idf < 0, eps, idf)
    of_term = dict(zip(df, idf.tolist(), strict=True))
    return [np.asarray([of_term[t] for t in terms], np.float64) for terms, _, _, _ in parts], avgdl


@dataclass(frozen=True, slots=True)
class Layout:
    """Where the documents of a collection scored in parts lie. The collection numbers
    its documents 0..n-1; each part numbers its own. A run is a stretch of consecutive
    collection numbers held at consecutive numbers of one part.

    Segments are one run each, in order (:meth:`consecutive`). Shards that received
    documents as the collection changed hold several runs (:meth:`of_keys`), numbered by
    sentence id across shards, as one machine numbers them.

    >>> layout, keys = Layout.of_keys([np.array([10, 11, 30]), np.array([20, 21])])
    >>> keys.tolist(), layout.starts.tolist(), layout.parts.tolist()
    ([10, 11, 20, 21, 30], [0, 2, 4], [0, 1, 0])
    >>> [(part, local.tolist()) for part, _, local in layout.split(np.array([1, 3, 4]))]
    [(0, [1, 2]), (1, [1])]
    >>> layout.numbers(0, np.array([0, 1, 2])).tolist()
    [0, 1, 4]
    """

    starts: np.ndarray  # each run's first collection number (ascending, from 0)
    parts: np.ndarray  # the part holding each run
    local: np.ndarray  # the run's first number within its part
    sizes: tuple[int, ...]  # documents per part

    @classmethod
    def consecutive(cls, sizes: Sequence[int]) -> Layout:
        """Parts one after another, each one run."""
        starts = np.cumsum([0, *sizes])[:-1].astype(np.int64)
        parts = np.arange(len(sizes), dtype=np.int64)
        return cls(starts, parts, np.zeros(len(sizes), np.int64), tuple(int(s) for s in sizes))

    @classmethod
    def of_keys(cls, keys: Sequence[np.ndarray]) -> tuple[Layout, np.ndarray]:
        """The layout of parts whose documents carry ascending keys (sentence ids), the
        collection numbering them by key; and the collection's keys in order."""
        if not keys:
            return cls.consecutive([]), np.zeros(0, np.int64)
        sizes = [len(k) for k in keys]
        every = np.concatenate([np.asarray(k, np.int64) for k in keys])
        part = np.repeat(np.arange(len(keys), dtype=np.int64), sizes)
        local = np.concatenate([np.arange(n, dtype=np.int64) for n in sizes])
        order = np.argsort(every, kind="stable")
        part, local = part[order], local[order]
        new_run = np.ones(len(order), dtype=bool)
        new_run[1:] = (part[1:] != part[:-1]) | (local[1:] != local[:-1] + 1)
        starts = np.flatnonzero(new_run).astype(np.int64)
        layout = cls(starts, part[starts], local[starts], tuple(sizes))
        return layout, every[order].astype(np.int64)

    @property
    def size(self) -> int:
        return sum(self.sizes)

    def split(self, docs: np.ndarray) -> list[tuple[int, np.ndarray, np.ndarray]]:
        """(part, where in ``docs``, the part's own numbers) for each part holding some of
        ``docs`` (collection numbers, sorted)."""
        docs = np.asarray(docs, dtype=np.int64)
        run = np.searchsorted(self.starts, docs, side="right") - 1
        part = self.parts[run]
        local = self.local[run] + docs - self.starts[run]
        found = []
        for p in np.unique(part).tolist():
            mask = part == p
            found.append((int(p), mask, local[mask]))
        return found

    def numbers(self, part: int, local: np.ndarray) -> np.ndarray:
        """The collection numbers of a part's documents (given by its own numbers)."""
        runs = np.flatnonzero(self.parts == part)
        first = self.local[runs]
        at = np.searchsorted(first, local, side="right") - 1
        return self.starts[runs][at] + np.asarray(local, np.int64) - first[at]


PartMethod = Callable[..., Any]  # one of Engine's methods, called on a part
Call = tuple[int, PartMethod, tuple]  # (part, method, its arguments after the engine)


class PartedScorer:
    """One collection scored in parts (segments of one engine here, shards on other
    machines in :mod:`index.cluster.actors`), exactly as one engine would score it: the parts'
    document frequencies and lengths are merged into collection-wide statistics that
    every part scores with, and their top k are merged. Documents are numbered across
    the parts as :attr:`layout` says. Subclasses say how a call reaches every part
    (:meth:`_run`)."""

    params: BM25Params
    avgdl: float
    layout: Layout
    _idf: dict[str, float]

    def _run(self, calls: Sequence[Call]) -> list:
        """Each call (part, one of :class:`Engine`'s methods, its arguments) made, all at
        once where the parts are elsewhere; their results in order."""
        raise NotImplementedError

    def _each(self, method: PartMethod, args: Sequence[tuple]) -> list:
        """``method(*args[i])`` on every part i."""
        return self._run([(i, method, a) for i, a in enumerate(args)])

    @property
    def parts(self) -> int:
        return len(self.layout.sizes)

    @property
    def size(self) -> int:
        return self.layout.size

    def idf_of(self, term: str) -> float | None:
        """The term's idf in the whole collection; None when no document has it."""
        return self._idf.get(term)

    def scores(self, query: Sequence[str]) -> np.ndarray:
        """Every document's score, as ``BM25Okapi.get_scores`` over the whole collection."""
        out = np.zeros(self.size, dtype=np.float64)
        for part, found in enumerate(self._each(Engine.scores, [(list(query),)] * self.parts)):
            out[self.layout.numbers(part, np.arange(len(found)))] = found
        return out

    def _per_part(
        self, method: PartMethod, head: tuple, docs: np.ndarray, out: np.ndarray
    ) -> np.ndarray:
        """``method(*head, its documents)`` on each part holding some of ``docs`` (sorted,
        collection numbers), written into ``out``'s last axis."""
        used = self.layout.split(docs)
        calls = [(part, method, (*head, local)) for part, _, local in used]
        for (_, mask, _), result in zip(used, self._run(calls), strict=True):
            out[..., mask] = result
        return out

    def frequencies(self, inside: np.ndarray) -> dict[str, int]:
        """Per term, how many of the documents marked ``inside`` (collection numbers) hold
        it, from every part at once."""
        masks = [
            np.asarray(inside, dtype=bool)[self.layout.numbers(p, np.arange(size))]
            for p, size in enumerate(self.layout.sizes)
        ]
        merged: dict[str, int] = {}
        for found in self._each(Engine.frequencies, [(mask,) for mask in masks]):
            for term, count in found.items():
                merged[term] = merged.get(term, 0) + count
        return merged

    def matched(self, query: Sequence[str]) -> np.ndarray:
        """The documents holding a query term, ascending (collection numbers)."""
        lists = self._each(Engine.matched, [(list(query),)] * self.parts)
        found = [self.layout.numbers(p, np.asarray(local)) for p, local in enumerate(lists)]
        return np.sort(np.concatenate(found)) if found else np.zeros(0, np.int64)

    def score_docs(self, query: Sequence[str], docs: np.ndarray) -> np.ndarray:
        """Exact scores of the given documents (sorted, unique, collection numbers)."""
        out = np.zeros(len(docs), dtype=np.float64)
        return self._per_part(Engine.score_docs, (list(query),), docs, out)

    def term_matrix(self, terms: Sequence[str], docs: np.ndarray) -> np.ndarray:
        """terms × docs term frequencies (collection numbers)."""
        out = np.zeros((len(terms), len(docs)), dtype=np.int64)
        return self._per_part(Engine.term_matrix, (list(terms),), docs, out)

    def lengths(self, docs: np.ndarray) -> np.ndarray:
        """Term counts of the given documents (collection numbers)."""
        return self._per_part(Engine.lengths, (), docs, np.zeros(len(docs), dtype=np.int64))

    def counts(self, terms: Sequence[str], docs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """:meth:`term_matrix` and :meth:`lengths`, from one call to each part concerned."""
        out = np.zeros((len(terms) + 1, len(docs)), dtype=np.int64)  # the lengths last
        self._per_part(Engine.stacked_counts, (list(terms),), docs, out)
        return out[:-1], out[-1]

    def top_k(
        self, query: Sequence[str], k: int, matched_only: bool = False
    ) -> list[tuple[int, float]]:
        """The ``k`` best documents across parts (see :meth:`Engine.top_k`)."""
        if k <= 0 or self.size == 0:
            return []
        tops = self._each(Engine.top, [(list(query), k)] * self.parts)
        if any(unbounded for unbounded, _ in tops):
            scores = self.scores(query)  # the plain way (some idf not positive)
            candidates = self.matched(query) if matched_only else np.arange(self.size)
            return ranked_top(candidates, scores[candidates], k)
        merged: list[tuple[int, float]] = []
        for part, (_, hits) in enumerate(tops):
            numbers = self.layout.numbers(part, np.asarray([d for d, _ in hits], np.int64))
            merged += zip(numbers.tolist(), [score for _, score in hits], strict=True)
        merged.sort(key=lambda hit: (-hit[1], hit[0]))
        ranked = merged[:k]
        return ranked if matched_only else fill_unmatched(ranked, k, self.size)


class SegmentedEngine(PartedScorer):
    """Several engines scored as one collection, exactly as ``BM25Okapi`` over all their
    documents in order: a big saved segment plus small ones added since (a document added
    to a million-sentence index must not rebuild everything).

    Collection statistics (document count, average length, each term's document frequency
    and so idf with rank-bm25's floor) are recomputed over the union; each segment scores
    with them; the per-segment top k are merged. Documents are numbered across segments.

    >>> a = Engine([["روس", "اوزبكست"], ["روس"]])
    >>> b = Engine([["كازاخست", "روس"]])
    >>> whole = Engine([["روس", "اوزبكست"], ["روس"], ["كازاخست", "روس"]])
    >>> SegmentedEngine([a, b]).top_k(["كازاخست", "روس"], 3) == whole.top_k(["كازاخست", "روس"], 3)
    True
    """

    def __init__(self, segments: list[Engine], params: BM25Params | None = None) -> None:
        self.params = params or segments[0].params
        self.segments = segments
        self.layout = Layout.consecutive([s.size for s in segments])
        self._share_stats()

    def _share_stats(self) -> None:
        """Merge the parts' statistics and give every part the collection's."""
        parts = self._each(Engine.part, [()] * self.parts)
        idfs, self.avgdl = collection_stats(parts, self.params)
        self._each(Engine.use_stats, [(idf, self.avgdl or 1.0) for idf in idfs])
        self._idf = {
            t: i
            for (terms, _, _, _), idf in zip(parts, idfs, strict=True)
            for t, i in zip(terms, idf.tolist(), strict=True)
        }

    def _run(self, calls: Sequence[Call]) -> list:
        return [method(self.segments[i], *args) for i, method, args in calls]


class Prefetched:
    """An engine with one question's term counts and sentence lengths fetched in one call
    (one round trip to shards elsewhere); everything else goes to the engine."""

    def __init__(self, engine: Scorer, terms: Sequence[str], docs: Sequence[int]) -> None:
        self.engine = engine
        self.params = engine.params
        self.avgdl = engine.avgdl
        self._row = {t: i for i, t in enumerate(terms)}
        self._col = {d: j for j, d in enumerate(docs)}
        self._tf, self._len = engine.counts(list(terms), np.asarray(docs, dtype=np.int64))

    @property
    def size(self) -> int:
        return self.engine.size

    def _columns(self, docs: np.ndarray) -> list[int] | None:
        found = [self._col.get(int(d)) for d in docs]
        return None if None in found else found  # type: ignore[return-value]

    def term_matrix(self, terms: Sequence[str], docs: np.ndarray) -> np.ndarray:
        columns = self._columns(docs)
        if columns is None or any(t not in self._row for t in terms):
            return self.engine.term_matrix(terms, docs)
        return self._tf[[self._row[t] for t in terms]][:, columns]

    def lengths(self, docs: np.ndarray) -> np.ndarray:
        columns = self._columns(docs)
        return self.engine.lengths(docs) if columns is None else self._len[columns]

    def counts(self, terms: Sequence[str], docs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return self.term_matrix(terms, docs), self.lengths(docs)

    def top_k(
        self, query: Sequence[str], k: int, matched_only: bool = False
    ) -> list[tuple[int, float]]:
        return self.engine.top_k(query, k, matched_only)

    def scores(self, query: Sequence[str]) -> np.ndarray:
        return self.engine.scores(query)

    def score_docs(self, query: Sequence[str], docs: np.ndarray) -> np.ndarray:
        return self.engine.score_docs(query, docs)

    def idf_of(self, term: str) -> float | None:
        return self.engine.idf_of(term)

    def matched(self, query: Sequence[str]) -> np.ndarray:
        return self.engine.matched(query)

    def frequencies(self, inside: np.ndarray) -> dict[str, int]:
        return self.engine.frequencies(inside)
