"""Postings: per term, the sentences that hold it and how often; saved as memory-mappable files."""

from __future__ import annotations

from array import array
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Self

import numpy as np

ARRAYS = ("doc_len", "indptr", "postings_docs", "postings_tf")


def sorted_unique(values: np.ndarray) -> np.ndarray:
    """``np.unique`` of integers, without the first call's import of ``numpy.ma`` (a
    tenth of a second of every ``sanad ask``).

    >>> sorted_unique(np.array([5, 1, 5, 3, 1])).tolist()
    [1, 3, 5]
    """
    ordered = np.sort(values)
    if len(ordered) < 2:
        return ordered
    return ordered[np.concatenate(([True], ordered[1:] != ordered[:-1]))]


class Postings:
    """Per term, the documents (sentences) that hold it, ascending, and the term's frequency
    in each; each document's length. Documents are numbered 0..n-1 in the order given.

    >>> p = Postings([["روس", "روس"], ["طشقند"], ["روس"]])
    >>> p.size, p.term_counts("روس", np.array([0, 1, 2])).tolist(), p.matched(["طشقند"]).tolist()
    (3, [2, 0, 1], [1])
    """

    terms: list[str]
    vocabulary: dict[str, int]
    doc_len: np.ndarray
    indptr: np.ndarray
    postings_docs: np.ndarray
    postings_tf: np.ndarray

    def __init__(self, documents: Iterable[Sequence[str]]) -> None:
        vocabulary: dict[str, int] = {}
        lengths = array("q")
        flat = array("i")  # every token's term id, documents one after another
        for terms in documents:
            lengths.append(len(terms))
            flat.extend([vocabulary.setdefault(t, len(vocabulary)) for t in terms])
        n = len(lengths)
        doc_len = (
            np.frombuffer(lengths, dtype=np.int64).astype(np.int32) if n else np.zeros(0, np.int32)
        )
        term_ids = np.frombuffer(flat, dtype=np.int32) if len(flat) else np.zeros(0, np.int32)
        # one key per token, (term, document); sorted unique keys are the postings in order
        keys = term_ids.astype(np.int64) * max(n, 1) + np.repeat(
            np.arange(n, dtype=np.int64), doc_len
        )
        keys, tf = np.unique(keys, return_counts=True)
        terms_of = keys // max(n, 1)
        indptr = np.zeros(len(vocabulary) + 1, dtype=np.int64)
        np.cumsum(np.bincount(terms_of, minlength=len(vocabulary)), out=indptr[1:])
        self._hold(
            list(vocabulary),
            doc_len,
            indptr,
            (keys % max(n, 1)).astype(np.int32),
            np.minimum(tf, 65535).astype(np.uint16),
        )

    def _hold(
        self,
        terms: list[str],
        doc_len: np.ndarray,
        indptr: np.ndarray,
        docs: np.ndarray,
        tf: np.ndarray,
    ) -> None:
        self.terms = terms
        self.vocabulary = {t: i for i, t in enumerate(terms)}
        self.doc_len, self.indptr, self.postings_docs, self.postings_tf = doc_len, indptr, docs, tf

    def save(self, folder: Path) -> None:
        """Write the postings as .npy files (memory-mappable) and the terms as text."""
        folder.mkdir(parents=True, exist_ok=True)
        for name in ARRAYS:
            np.save(folder / f"{name}.npy", getattr(self, name))
        (folder / "terms.txt").write_text("\n".join(self.terms), encoding="utf-8")

    @staticmethod
    def read(folder: Path) -> tuple[list[str], np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Saved postings, memory-mapped (pages load as queries touch them): the terms,
        the lengths, where each term's postings start, their documents and frequencies."""
        arrays = {name: np.load(folder / f"{name}.npy", mmap_mode="r") for name in ARRAYS}
        text = (folder / "terms.txt").read_text(encoding="utf-8")
        return (
            text.split("\n") if text else [],
            arrays["doc_len"],
            np.asarray(arrays["indptr"]),
            arrays["postings_docs"],
            arrays["postings_tf"],
        )

    @classmethod
    def load(cls, folder: Path) -> Self:
        """Open saved postings (see :meth:`read`)."""
        postings = cls.__new__(cls)
        postings._hold(*cls.read(folder))
        return postings

    @property
    def size(self) -> int:
        """How many documents (sentences) there are."""
        return len(self.doc_len)

    @property
    def total_length(self) -> float:
        """The total term count of the documents."""
        return float(np.sum(self.doc_len, dtype=np.int64))

    def term_ids(self, query: Sequence[str]) -> list[int]:
        """The ids of the query's terms these postings know (repeats kept)."""
        return [t for t in (self.vocabulary.get(q) for q in query) if t is not None]

    def postings(self, term_id: int) -> tuple[np.ndarray, np.ndarray]:
        """The documents holding a term (ascending) and its frequency in each."""
        lo, hi = self.indptr[term_id], self.indptr[term_id + 1]
        return self.postings_docs[lo:hi], self.postings_tf[lo:hi]

    def candidates(self, term_ids: Sequence[int]) -> np.ndarray:
        """The documents holding any of these terms, ascending."""
        lists = [self.postings(t)[0] for t in term_ids]
        if len(lists) == 1:
            return np.asarray(lists[0])
        return sorted_unique(np.concatenate(lists))

    def matched(self, query: Sequence[str]) -> np.ndarray:
        """The documents holding a query term, ascending."""
        ids = self.term_ids(query)
        return self.candidates(ids) if ids else np.empty(0, np.int64)

    def lengths(self, docs: np.ndarray) -> np.ndarray:
        """Term counts of the given documents."""
        return np.asarray(self.doc_len[docs], dtype=np.int64)

    def term_counts(self, term: str, docs: np.ndarray) -> np.ndarray:
        """How often ``term`` occurs in each of the given documents (sorted, unique)."""
        out = np.zeros(len(docs), dtype=np.int64)
        at = self.vocabulary.get(term)
        if at is None or not len(docs):
            return out
        have, tf = self.postings(at)
        where = np.minimum(np.searchsorted(have, docs), max(len(have) - 1, 0))
        found = have[where] == docs
        out[found] = tf[where[found]]
        return out

    def term_matrix(self, terms: Sequence[str], docs: np.ndarray) -> np.ndarray:
        """:meth:`term_counts` of each term, as rows.

        >>> Postings([["روس", "روس"], ["طشقند"]]).term_matrix(["روس", "طشقند"], np.array([0, 1]))
        array([[2, 0],
               [0, 1]])
        """
        out = np.zeros((len(terms), len(docs)), dtype=np.int64)
        for row, term in enumerate(terms):
            out[row] = self.term_counts(term, docs)
        return out

    def counts(self, terms: Sequence[str], docs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """:meth:`term_matrix` and :meth:`lengths`, together."""
        return self.term_matrix(terms, docs), self.lengths(docs)

    def stacked_counts(self, terms: Sequence[str], docs: np.ndarray) -> np.ndarray:
        """:meth:`counts` as one array, the lengths as its last row (one part's answer)."""
        return np.vstack([self.term_matrix(terms, docs), self.lengths(docs)])

    def frequencies(self, inside: np.ndarray) -> dict[str, int]:
        """Per term, how many of the documents marked ``inside`` hold it (terms none of
        them holds left out): one pass over the postings.

        >>> Postings([["روس", "روس"], ["طشقند"], ["روس"]]).frequencies(np.array([1, 1, 0], bool))
        {'روس': 1, 'طشقند': 1}
        """
        if not len(self.postings_docs):
            return {}
        held = np.asarray(inside, dtype=bool)[np.asarray(self.postings_docs)].astype(np.int64)
        sums = np.concatenate([[0], np.cumsum(held)])
        per_term = sums[self.indptr[1:]] - sums[self.indptr[:-1]]
        return {self.terms[i]: int(per_term[i]) for i in np.flatnonzero(per_term).tolist()}

    def part(self) -> tuple[list[str], np.ndarray, int, float]:
        """What collection-wide statistics need of this part of a collection: its terms,
        their document frequencies, its document count and total length."""
        return list(self.terms), np.diff(self.indptr), self.size, self.total_length
