"""A collection narrowed to some of its documents (a chat's sets), scored as if they were all."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence

import numpy as np

from index.retrieval.scoring import BM25Params, Scorer, ranked_top
from index.retrieval.vectors import Nearest


class ScopedScorer:
    """``engine``'s documents narrowed to ``members`` (a mask over its numbering), scored
    exactly as ``BM25Okapi`` over those documents alone: their number, their average
    length and each term's document frequency among them (so idf, with rank-bm25's floor
    over their vocabulary). Documents outside score nothing and are never returned; the
    numbering stays the engine's.

    >>> from index.retrieval.scoring import Engine
    >>> engine = Engine([["روس", "اوزبكست"], ["روس"], ["كازاخست", "روس"], ["روس"]])
    >>> scope = ScopedScorer(engine, np.array([True, True, False, False]))
    >>> [d for d, _ in scope.top_k(["روس", "اوزبكست"], 3)]
    [0, 1]
    """

    def __init__(self, engine: Scorer, members: np.ndarray) -> None:
        self.engine = engine
        self.params: BM25Params = engine.params
        self.members = np.asarray(members, dtype=bool)
        self.numbers = np.flatnonzero(self.members)
        lengths = engine.lengths(self.numbers) if len(self.numbers) else np.zeros(0)
        self.avgdl = float(lengths.sum()) / len(lengths) if len(lengths) else 0.0
        df = engine.frequencies(self.members)  # one engine, or its parts at once
        n = len(self.numbers)
        # rank-bm25: idf summed in first-seen order with Python floats, its floor from the mean
        idf = {t: math.log(n - f + 0.5) - math.log(f + 0.5) for t, f in df.items()}
        floor = self.params.epsilon * (sum(idf.values()) / len(idf)) if idf else 0.0
        self._idf = {t: floor if v < 0 else v for t, v in idf.items()}

    @property
    def size(self) -> int:
        return self.engine.size

    def frequencies(self, inside: np.ndarray) -> dict[str, int]:
        return self.engine.frequencies(np.asarray(inside, dtype=bool) & self.members)

    def within(self, numbers: Sequence[int]) -> list[int]:
        """The member documents among ``numbers``, in order."""
        return [n for n in numbers if self.members[n]]

    def idf_of(self, term: str) -> float | None:
        return self._idf.get(term)

    def term_matrix(self, terms: Sequence[str], docs: np.ndarray) -> np.ndarray:
        return self.engine.term_matrix(terms, docs)

    def lengths(self, docs: np.ndarray) -> np.ndarray:
        return self.engine.lengths(docs)

    def counts(self, terms: Sequence[str], docs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return self.engine.counts(terms, docs)

    def matched(self, query: Sequence[str]) -> np.ndarray:
        """The member documents holding a query term, ascending."""
        found = self.engine.matched(query)
        return found[self.members[found]] if len(found) else found

    def score_docs(self, query: Sequence[str], docs: np.ndarray) -> np.ndarray:
        """Exact scores of the given documents (sorted, unique); 0 outside the scope."""
        docs = np.asarray(docs, dtype=np.int64)
        known = [t for t in dict.fromkeys(query) if t in self._idf]
        if not known or not len(docs):
            return np.zeros(len(docs), dtype=np.float64)
        tf, length = self.engine.counts(known, docs)
        p = self.params
        norm = p.k1 * (1 - p.b + p.b * length / (self.avgdl or 1.0))
        repeats = Counter(query)
        scores = np.zeros(len(docs), dtype=np.float64)
        for row, term in enumerate(known):
            part = tf[row] * (p.k1 + 1) / (tf[row] + norm)
            scores += repeats[term] * self._idf[term] * part
        return np.where(self.members[docs], scores, 0.0)

    def scores(self, query: Sequence[str]) -> np.ndarray:
        out = np.zeros(self.size, dtype=np.float64)
        out[self.numbers] = self.score_docs(query, self.numbers)
        return out

    def top_k(
        self, query: Sequence[str], k: int, matched_only: bool = False
    ) -> list[tuple[int, float]]:
        """The ``k`` best member documents as (doc, score), by score then number."""
        if k <= 0 or not len(self.numbers):
            return []
        matched = self.matched(list(query))
        if not len(matched):
            return [] if matched_only else [(int(d), 0.0) for d in self.numbers[:k]]
        known = [t for t in dict.fromkeys(query) if t in self._idf]
        if matched_only or min(self._idf[t] for t in known) > 0:
            ranked = ranked_top(matched, self.score_docs(query, matched), k)
            if matched_only or len(ranked) >= k:
                return ranked
            scored = set(matched.tolist())  # fewer matches than k: the rest follow, score 0
            rest = (int(d) for d in self.numbers if int(d) not in scored)
            return ranked + [(d, 0.0) for d, _ in zip(rest, range(k - len(ranked)), strict=False)]
        return ranked_top(self.numbers, self.score_docs(query, self.numbers), k)


SCAN_MEMBERS = 50_000  # up to this many members, their cosines are all computed


class ScopedDense:
    """Cosine search (a :class:`index.retrieval.vectors.Nearest`) narrowed to ``members``:
    a small scope's sentences are all compared with the question; a large one's are the
    collection's nearest that belong to it."""

    def __init__(self, dense: Nearest, members: np.ndarray) -> None:
        self.dense = dense
        self.members = np.asarray(members, dtype=bool)
        self.numbers = np.flatnonzero(self.members)
        self.size = len(self.numbers)

    def baseline(self, query: np.ndarray) -> float:
        """The question's mean cosine over the members (a small scope's exactly; a large
        one's as the whole collection's)."""
        if not self.size or self.size > SCAN_MEMBERS:
            return self.dense.baseline(query)
        return float(self.dense.cosines(query, self.numbers).mean())

    def cosines(self, query: np.ndarray, numbers: Sequence[int] | np.ndarray) -> np.ndarray:
        return self.dense.cosines(query, numbers)

    def top(self, query: np.ndarray, k: int) -> list[tuple[int, float]]:
        if not self.size or k <= 0:
            return []
        if self.size <= SCAN_MEMBERS:
            return ranked_top(self.numbers, self.dense.cosines(query, self.numbers), k)
        near = self.dense.top(query, 8 * k)
        return [(n, c) for n, c in near if self.members[n]][:k]
