"""Exact BM25Okapi scoring (rank-bm25's formula) from postings, and its best k by MaxScore."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import numpy as np

from index.ranges import ranged
from index.retrieval.postings import Postings

# Candidate sets larger than this share of the collection are scored into a dense array.
DENSE_SHARE = 0.05


@dataclass(frozen=True, slots=True)
class BM25Params:
    """BM25Okapi's parameters; k1 0.9 and b 0.4 suit short Arabic sentences."""

    k1: float = ranged(0.9, 1e-9, None, "more than 0")
    b: float = ranged(0.4, 0, 1, "between 0 and 1")
    epsilon: float = ranged(0.25, 0, None, "0 or more")


class Scorer(Protocol):
    """What ranking needs of an engine, whether one segment (:class:`Engine`) or several
    scored as one collection (:class:`SegmentedEngine`). Documents are sentences, numbered
    0..size-1; every method is exact BM25Okapi over the whole collection."""

    params: BM25Params
    avgdl: float

    @property
    def size(self) -> int:
        """How many documents (sentences) are scored."""
        ...

    def top_k(
        self, query: Sequence[str], k: int, matched_only: bool = False
    ) -> list[tuple[int, float]]:
        """The ``k`` best documents as (doc, score), by score then document number."""
        ...

    def scores(self, query: Sequence[str]) -> np.ndarray:
        """Every document's score."""
        ...

    def score_docs(self, query: Sequence[str], docs: np.ndarray) -> np.ndarray:
        """The scores of the given documents (sorted, unique)."""
        ...

    def idf_of(self, term: str) -> float | None:
        """The term's idf; None when no document has it."""
        ...

    def term_matrix(self, terms: Sequence[str], docs: np.ndarray) -> np.ndarray:
        """terms × docs: how often each term occurs in each of the given documents
        (sorted, unique); one call for all of a question's terms."""
        ...

    def lengths(self, docs: np.ndarray) -> np.ndarray:
        """Term counts of the given documents."""
        ...

    def counts(self, terms: Sequence[str], docs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """:meth:`term_matrix` and :meth:`lengths` of the same documents, in one call."""
        ...

    def matched(self, query: Sequence[str]) -> np.ndarray:
        """The documents holding a query term, ascending."""
        ...

    def frequencies(self, inside: np.ndarray) -> dict[str, int]:
        """Per term, how many of the documents marked ``inside`` hold it."""
        ...


class Engine(Postings):
    """Scores sentences exactly as ``rank_bm25.BM25Okapi`` would, from postings.

    Documents are numbered 0..n-1 in the order given. Per term, the postings hold the
    documents that contain it (ascending) and the term's frequency in each. :meth:`top_k`
    is exact and fast: it scores the documents of the rarest query terms first, and adds
    the postings of more common terms only while their score upper bounds could still
    lift a document into the top k (the MaxScore idea).

    >>> e = Engine([["روس", "اوزبكست"], ["روس"], ["كازاخست", "روس"]])
    >>> [(doc, round(score, 4)) for doc, score in e.top_k(["اوزبكست"], 2)]
    [(0, 0.4922), (1, 0.0)]
    >>> e.top_k(["اوزبكست"], 2, matched_only=True)[0][0]
    0
    """

    def __init__(
        self, documents: Iterable[Sequence[str]], params: BM25Params | None = None
    ) -> None:
        super().__init__(documents)
        self._derive(params)

    @classmethod
    def from_arrays(
        cls,
        terms: list[str],
        doc_len: np.ndarray,
        indptr: np.ndarray,
        docs: np.ndarray,
        tf: np.ndarray,
        params: BM25Params | None = None,
        maxpart: np.ndarray | None = None,
    ) -> Engine:
        """An engine over postings built (or saved) before: no re-analysis."""
        engine = cls.__new__(cls)
        engine._hold(terms, doc_len, indptr, docs, tf)
        engine._derive(params, maxpart)
        return engine

    def _derive(self, params: BM25Params | None, maxpart: np.ndarray | None = None) -> None:
        """Derive what scoring needs: idf with rank-bm25's floor, per-document norms and
        each term's score upper bound (``maxpart``, when saved with the same parameters,
        spares a pass over all postings)."""
        self.params = p = params or BM25Params()
        doc_len, indptr, docs, tf = self.doc_len, self.indptr, self.postings_docs, self.postings_tf
        n = len(doc_len)
        self.avgdl = float(np.sum(doc_len, dtype=np.int64)) / n if n else 0.0
        doc_freq = np.diff(indptr)
        # rank-bm25 sums idf in first-seen term order with Python floats; so do we.
        idf = [math.log(n - df + 0.5) - math.log(df + 0.5) for df in doc_freq.tolist()]
        average_idf = sum(idf) / len(idf) if idf else 0.0
        eps = p.epsilon * average_idf
        self.idf = np.asarray([eps if v < 0 else v for v in idf], dtype=np.float64)
        if n and self.avgdl:
            self.norm = p.k1 * (1 - p.b + p.b * doc_len / self.avgdl)
        else:
            self.norm = np.full(n, p.k1 * (1 - p.b + p.b), dtype=np.float64)
        self.all_positive = bool(np.all(self.idf > 0))
        self.own_avgdl = self.avgdl
        self.bound_scale = 1.0
        if maxpart is not None and len(maxpart) == len(self.terms):
            self.maxpart = maxpart
        elif len(docs):  # best tf part of each term (bounds a document's score for the term)
            tfp = tf.astype(np.float64)
            part = tfp * (p.k1 + 1) / (tfp + self.norm[docs])
            self.maxpart = np.maximum.reduceat(part, indptr[:-1])
        else:
            self.maxpart = np.zeros(len(self.terms))

    def use_stats(self, idf: np.ndarray, avgdl: float) -> None:
        """Score as part of a larger collection: its idf (aligned with this segment's
        terms) and its average length. The score bounds stay valid: a term's best tf part
        grows at most by the ratio of the new average length to this segment's own."""
        p = self.params
        self.idf = idf
        self.avgdl = avgdl
        self.norm = p.k1 * (1 - p.b + p.b * self.doc_len / avgdl)
        self.all_positive = bool(np.all(idf > 0))
        self.bound_scale = max(1.0, avgdl / self.own_avgdl) if self.own_avgdl else 1.0

    def upper(self, term_id: int) -> float:
        """An upper bound of any document's score for one occurrence of the term."""
        return float(self.idf[term_id] * self.maxpart[term_id] * self.bound_scale)

    def save(self, folder: Path) -> None:
        """The postings (see :meth:`Postings.save`) and, for this segment's own statistics,
        each term's score bound."""
        super().save(folder)
        if self.bound_scale == 1.0:
            np.save(folder / f"maxpart-{self.params.k1}-{self.params.b}.npy", self.maxpart)

    @classmethod
    def load(cls, folder: Path, params: BM25Params | None = None) -> Engine:
        """Open saved postings, memory-mapped, with their bounds when saved for ``params``."""
        p = params or BM25Params()
        saved = folder / f"maxpart-{p.k1}-{p.b}.npy"
        return cls.from_arrays(*cls.read(folder), p, np.load(saved) if saved.is_file() else None)

    def _part(self, tf: np.ndarray, docs: np.ndarray) -> np.ndarray:
        tf = tf.astype(np.float64)
        return tf * (self.params.k1 + 1) / (tf + self.norm[docs])

    def scores(self, query: Sequence[str]) -> np.ndarray:
        """Every document's score: equal to ``BM25Okapi.get_scores(query)``."""
        scores = np.zeros(self.size, dtype=np.float64)
        for term_id in self.term_ids(query):
            docs, tf = self.postings(term_id)
            scores[docs] += self.idf[term_id] * self._part(tf, docs)
        return scores

    def _score_candidates(self, candidates: np.ndarray, counts: Counter[int]) -> np.ndarray:
        """Exact scores of sorted candidate documents, term by term."""
        scores = np.zeros(len(candidates), dtype=np.float64)
        for term_id, count in counts.items():
            docs, tf = self.postings(term_id)
            at = np.searchsorted(docs, candidates)
            inside = at < len(docs)
            found = np.zeros(len(candidates), dtype=bool)
            found[inside] = docs[at[inside]] == candidates[inside]
            if not found.any():
                continue
            hit = candidates[found]
            contribution = self.idf[term_id] * self._part(tf[at[found]], hit)
            for _ in range(count):  # BM25Okapi adds a repeated query term once per occurrence
                scores[found] += contribution
        return scores

    def idf_of(self, term: str) -> float | None:
        """The term's idf in this collection; None when no document has it."""
        at = self.vocabulary.get(term)
        return None if at is None else float(self.idf[at])

    def score_docs(self, query: Sequence[str], docs: np.ndarray) -> np.ndarray:
        """Exact BM25Okapi scores of the given documents (sorted, unique) for ``query``."""
        return self._score_candidates(np.asarray(docs), Counter(self.term_ids(query)))

    def top(self, query: Sequence[str], k: int) -> tuple[bool, list[tuple[int, float]]]:
        """(whether some query term's idf is not positive, so that only dense scoring is
        exact; else the exact top k among the documents holding a query term)."""
        counts = Counter(self.term_ids(query))
        if not counts:
            return False, []
        if self.unbounded(counts):
            return True, []
        return False, self.top_k_matched(counts, k)

    def top_k(
        self, query: Sequence[str], k: int, matched_only: bool = False
    ) -> list[tuple[int, float]]:
        """The ``k`` best documents as (doc, score), by score then document number.

        With ``matched_only`` only documents sharing a term with the query are returned.
        """
        if k <= 0 or self.size == 0:
            return []
        counts = Counter(self.term_ids(query))
        if not counts:
            return [] if matched_only else [(d, 0.0) for d in range(min(k, self.size))]
        if self.unbounded(counts):
            return self._top_k_dense(query, k, matched_only)
        ranked = self.top_k_matched(counts, k)
        return ranked if matched_only else fill_unmatched(ranked, k, self.size)

    def unbounded(self, term_ids: Iterable[int]) -> bool:
        """Whether some of these terms have an idf that is not positive (rank-bm25's floor
        can make it so), where score bounds do not hold and scoring must be dense."""
        return not self.all_positive and any(self.idf[t] <= 0 for t in term_ids)

    def top_k_matched(self, counts: Counter[int], k: int) -> list[tuple[int, float]]:
        """Exact top k among documents with a query term (every idf positive)."""
        terms = sorted(counts, key=lambda t: self.indptr[t + 1] - self.indptr[t])
        bounds = np.asarray([self.upper(t) * counts[t] for t in terms])
        # bound of what the terms after position j can add to a document missing j's lists
        rest = np.concatenate([np.cumsum(bounds[::-1])[::-1][1:], [0.0]])
        lengths = np.asarray([self.indptr[t + 1] - self.indptr[t] for t in terms])
        first = int(np.searchsorted(np.cumsum(lengths), k))  # enough postings for k
        first = min(first, len(terms) - 1)
        candidates = self.candidates(terms[: first + 1])
        scores = self._score(candidates, counts)
        threshold = _kth_best(scores, k)
        # Documents only in later lists score at most rest[j]; stop once that cannot reach
        # the current k-th best (strictly: equal scores would tie on document number).
        last = first
        while last < len(terms) - 1 and rest[last] >= threshold:
            last += 1
        if last > first:
            candidates = self.candidates(terms[: last + 1])
            scores = self._score(candidates, counts)
        return ranked_top(candidates, scores, k)

    def _score(self, candidates: np.ndarray, counts: Counter[int]) -> np.ndarray:
        if len(candidates) > DENSE_SHARE * self.size:
            dense = np.zeros(self.size, dtype=np.float64)
            for term_id, count in counts.items():
                docs, tf = self.postings(term_id)
                contribution = self.idf[term_id] * self._part(tf, docs)
                for _ in range(count):
                    dense[docs] += contribution
            return dense[candidates]
        return self._score_candidates(candidates, counts)

    def _top_k_dense(
        self, query: Sequence[str], k: int, matched_only: bool
    ) -> list[tuple[int, float]]:
        """The plain way, for the rare collections where some idf is not positive."""
        scores = self.scores(query)
        every = np.arange(self.size)
        candidates = self.candidates(self.term_ids(query)) if matched_only else every
        return ranked_top(candidates, scores[candidates], k)


def ranked_top(candidates: np.ndarray, scores: np.ndarray, k: int) -> list[tuple[int, float]]:
    """The k best (document, score) pairs: by score, then document number.

    >>> ranked_top(np.array([4, 2, 9]), np.array([1.0, 3.0, 1.0]), 2)
    [(2, 3.0), (4, 1.0)]
    """
    order = np.lexsort((candidates, -scores))[:k]
    return [(int(candidates[i]), float(scores[i])) for i in order]


def _kth_best(scores: np.ndarray, k: int) -> float:
    if len(scores) < k:
        return -math.inf
    return float(np.partition(scores, len(scores) - k)[len(scores) - k])


def fill_unmatched(ranked: list[tuple[int, float]], k: int, size: int) -> list[tuple[int, float]]:
    """Fewer matches than k: unmatched documents follow, score 0, in document order."""
    if len(ranked) >= k:
        return ranked
    matched = {d for d, _ in ranked}
    filler = (d for d in range(size) if d not in matched)
    return ranked + [(d, 0.0) for d, _ in zip(filler, range(k - len(ranked)), strict=False)]
