"""Exact BM25Okapi scoring (rank-bm25's formula) over a postings index."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True, slots=True)
class BM25Params:
    """BM25Okapi's parameters; k1 0.9 and b 0.4 suit short Arabic sentences."""

    k1: float = 0.9
    b: float = 0.4
    epsilon: float = 0.25


class Engine:
    """Scores every sentence exactly as ``rank_bm25.BM25Okapi`` would, from postings.

    Documents are numbered 0..n-1 in the order given. Per term, the postings hold the
    documents that contain it (ascending) and the term's frequency in each, so a query
    touches only the documents that share a term with it.

    >>> e = Engine([["روس", "اوزبكست"], ["روس"], ["كازاخست", "روس"]])
    >>> [(doc, round(score, 4)) for doc, score in e.top_k(["اوزبكست"], 2)]
    [(0, 0.4922), (1, 0.0)]
    >>> e.top_k(["اوزبكست"], 2, matched_only=True)[0][0]
    0
    """

    def __init__(self, documents: Iterable[Sequence[str]], params: BM25Params | None = None):
        self.params = params or BM25Params()
        vocabulary: dict[str, int] = {}
        doc_len: list[int] = []
        rows: list[int] = []
        cols: list[int] = []
        tfs: list[int] = []
        for doc_id, terms in enumerate(documents):
            doc_len.append(len(terms))
            counts: dict[int, int] = {}
            for term in terms:
                term_id = vocabulary.setdefault(term, len(vocabulary))
                counts[term_id] = counts.get(term_id, 0) + 1
            for term_id, tf in counts.items():
                rows.append(term_id)
                cols.append(doc_id)
                tfs.append(tf)
        self.vocabulary = vocabulary
        self.doc_len = np.asarray(doc_len, dtype=np.int64)
        term_ids = np.asarray(rows, dtype=np.int64)
        order = np.argsort(term_ids, kind="stable")  # keeps documents ascending per term
        self.postings_docs = np.asarray(cols, dtype=np.int32)[order]
        self.postings_tf = np.asarray(tfs, dtype=np.float64)[order]
        counts_per_term = np.bincount(term_ids, minlength=len(vocabulary))
        self.indptr = np.zeros(len(vocabulary) + 1, dtype=np.int64)
        np.cumsum(counts_per_term, out=self.indptr[1:])
        self._finish(counts_per_term)

    def _finish(self, doc_freq: np.ndarray) -> None:
        """Derive what scoring needs: idf with rank-bm25's floor, per-document norms."""
        n = len(self.doc_len)
        p = self.params
        self.avgdl = float(self.doc_len.sum()) / n if n else 0.0
        # rank-bm25 sums idf in first-seen term order with Python floats; so do we.
        idf = [math.log(n - df + 0.5) - math.log(df + 0.5) for df in doc_freq.tolist()]
        average_idf = sum(idf) / len(idf) if idf else 0.0
        eps = p.epsilon * average_idf
        self.idf = np.asarray([eps if v < 0 else v for v in idf], dtype=np.float64)
        if n and self.avgdl:
            self.norm = p.k1 * (1 - p.b + p.b * self.doc_len / self.avgdl)
        else:
            self.norm = np.full(n, p.k1 * (1 - p.b + p.b), dtype=np.float64)

    @property
    def size(self) -> int:
        """How many documents (sentences) the engine scores."""
        return len(self.doc_len)

    def _query_ids(self, query: Sequence[str]) -> list[int]:
        return [t for t in (self.vocabulary.get(q) for q in query) if t is not None]

    def scores(self, query: Sequence[str]) -> np.ndarray:
        """Every document's score: equal to ``BM25Okapi.get_scores(query)``."""
        scores = np.zeros(self.size, dtype=np.float64)
        for term_id in self._query_ids(query):
            docs, weights = self._term_weights(term_id)
            scores[docs] += weights
        return scores

    def _term_weights(self, term_id: int) -> tuple[np.ndarray, np.ndarray]:
        lo, hi = self.indptr[term_id], self.indptr[term_id + 1]
        docs = self.postings_docs[lo:hi]
        tf = self.postings_tf[lo:hi]
        k1 = self.params.k1
        return docs, self.idf[term_id] * (tf * (k1 + 1) / (tf + self.norm[docs]))

    def top_k(
        self, query: Sequence[str], k: int, matched_only: bool = False
    ) -> list[tuple[int, float]]:
        """The ``k`` best documents as (doc, score), by score then document number.

        With ``matched_only`` only documents sharing a term with the query are returned.
        """
        term_ids = self._query_ids(query)
        if k <= 0 or self.size == 0:
            return []
        scores = np.zeros(self.size, dtype=np.float64)
        touched = []
        for term_id in term_ids:
            docs, weights = self._term_weights(term_id)
            scores[docs] += weights
            touched.append(docs)
        candidates = np.unique(np.concatenate(touched)) if touched else np.empty(0, np.int32)
        cand_scores = scores[candidates]
        ranked = candidates[np.lexsort((candidates, -cand_scores))][:k]
        if matched_only or (len(ranked) == k and scores[ranked[-1]] > 0):
            return [(int(d), float(scores[d])) for d in ranked]
        # Unmatched documents score 0 and may outrank or fill in: order everything.
        everything = np.lexsort((np.arange(self.size), -scores))[:k]
        return [(int(d), float(scores[d])) for d in everything]
