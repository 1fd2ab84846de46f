"""Exact BM25Okapi scoring (rank-bm25's formula) over a compact postings index."""

from __future__ import annotations

import math
from array import array
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import numpy as np

from index.ranges import ranged

# Candidate sets larger than this share of the collection are scored into a dense array.
DENSE_SHARE = 0.05


@dataclass(frozen=True, slots=True)
class BM25Params:
    """BM25Okapi's parameters; k1 0.9 and b 0.4 suit short Arabic sentences."""

    k1: float = ranged(0.9, 1e-9, None, "more than 0")
    b: float = ranged(0.4, 0, 1, "between 0 and 1")
    epsilon: float = ranged(0.25, 0, None, "0 or more")


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


class Engine:
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

    def __init__(self, documents: Iterable[Sequence[str]], params: BM25Params | None = None):
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
        self._setup(
            list(vocabulary),
            doc_len,
            indptr,
            (keys % max(n, 1)).astype(np.int32),
            np.minimum(tf, 65535).astype(np.uint16),
            params,
        )

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
        engine._setup(terms, doc_len, indptr, docs, tf, params, maxpart)
        return engine

    def _setup(
        self,
        terms: list[str],
        doc_len: np.ndarray,
        indptr: np.ndarray,
        docs: np.ndarray,
        tf: np.ndarray,
        params: BM25Params | None,
        maxpart: np.ndarray | None = None,
    ) -> None:
        """Derive what scoring needs: idf with rank-bm25's floor, per-document norms and
        each term's score upper bound (``maxpart``, when saved with the same parameters,
        spares a pass over all postings)."""
        self.params = p = params or BM25Params()
        self.terms = terms
        self.vocabulary = {t: i for i, t in enumerate(terms)}
        self.doc_len, self.indptr, self.postings_docs, self.postings_tf = (
            doc_len,
            indptr,
            docs,
            tf,
        )
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
        if maxpart is not None and len(maxpart) == len(terms):
            self.maxpart = maxpart
        elif len(docs):  # best tf part of each term (bounds a document's score for the term)
            tfp = tf.astype(np.float64)
            part = tfp * (p.k1 + 1) / (tfp + self.norm[docs])
            self.maxpart = np.maximum.reduceat(part, indptr[:-1])
        else:
            self.maxpart = np.zeros(len(terms))

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

    # -- persistence --------------------------------------------------------------------
    def save(self, folder: Path) -> None:
        """Write the postings as .npy files (memory-mappable) and the terms as text."""
        folder.mkdir(parents=True, exist_ok=True)
        for name in ("doc_len", "indptr", "postings_docs", "postings_tf"):
            np.save(folder / f"{name}.npy", getattr(self, name))
        (folder / "terms.txt").write_text("\n".join(self.terms), encoding="utf-8")
        if self.bound_scale == 1.0:  # bounds for this segment's own statistics
            np.save(folder / f"maxpart-{self.params.k1}-{self.params.b}.npy", self.maxpart)

    @classmethod
    def load(cls, folder: Path, params: BM25Params | None = None) -> Engine:
        """Open saved postings, memory-mapped (pages load as queries touch them)."""
        arrays = {
            name: np.load(folder / f"{name}.npy", mmap_mode="r")
            for name in ("doc_len", "indptr", "postings_docs", "postings_tf")
        }
        text = (folder / "terms.txt").read_text(encoding="utf-8")
        terms = text.split("\n") if text else []
        p = params or BM25Params()
        saved = folder / f"maxpart-{p.k1}-{p.b}.npy"
        return cls.from_arrays(
            terms,
            arrays["doc_len"],
            np.asarray(arrays["indptr"]),
            arrays["postings_docs"],
            arrays["postings_tf"],
            p,
            np.load(saved) if saved.is_file() else None,
        )

    # -- scoring ------------------------------------------------------------------------
    @property
    def size(self) -> int:
        """How many documents (sentences) the engine scores."""
        return len(self.doc_len)

    def term_ids(self, query: Sequence[str]) -> list[int]:
        """The ids of the query's terms this segment knows (repeats kept)."""
        return [t for t in (self.vocabulary.get(q) for q in query) if t is not None]

    def _postings(self, term_id: int) -> tuple[np.ndarray, np.ndarray]:
        lo, hi = self.indptr[term_id], self.indptr[term_id + 1]
        return self.postings_docs[lo:hi], self.postings_tf[lo:hi]

    def _part(self, tf: np.ndarray, docs: np.ndarray) -> np.ndarray:
        tf = tf.astype(np.float64)
        return tf * (self.params.k1 + 1) / (tf + self.norm[docs])

    def scores(self, query: Sequence[str]) -> np.ndarray:
        """Every document's score: equal to ``BM25Okapi.get_scores(query)``."""
        scores = np.zeros(self.size, dtype=np.float64)
        for term_id in self.term_ids(query):
            docs, tf = self._postings(term_id)
            scores[docs] += self.idf[term_id] * self._part(tf, docs)
        return scores

    def _score_candidates(self, candidates: np.ndarray, counts: Counter[int]) -> np.ndarray:
        """Exact scores of sorted candidate documents, term by term."""
        scores = np.zeros(len(candidates), dtype=np.float64)
        for term_id, count in counts.items():
            docs, tf = self._postings(term_id)
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

    def lengths(self, docs: np.ndarray) -> np.ndarray:
        """Term counts of the given documents."""
        return np.asarray(self.doc_len[docs], dtype=np.int64)

    def term_counts(self, term: str, docs: np.ndarray) -> np.ndarray:
        """How often ``term`` occurs in each of the given documents (sorted, unique).

        >>> Engine([["روس", "روس"], ["طشقند"], ["روس"]]).term_counts("روس", np.array([0, 1, 2]))
        array([2, 0, 1])
        """
        out = np.zeros(len(docs), dtype=np.int64)
        at = self.vocabulary.get(term)
        if at is None or not len(docs):
            return out
        have, tf = self._postings(at)
        where = np.minimum(np.searchsorted(have, docs), max(len(have) - 1, 0))
        found = have[where] == docs
        out[found] = tf[where[found]]
        return out

    # -- as one part of a collection (index.engine.PartedScorer, index.cluster) -----------
    def part(self) -> tuple[list[str], np.ndarray, int, float]:
        """What collection-wide statistics need of this part: its terms, their document
        frequencies, its document count and total length."""
        return list(self.terms), np.diff(self.indptr), self.size, seg_length(self)

    def top(self, query: Sequence[str], k: int) -> tuple[bool, list[tuple[int, float]]]:
        """(whether some query term's idf is not positive, so that only dense scoring is
        exact; else the exact top k among the documents holding a query term)."""
        counts = Counter(self.term_ids(query))
        if not counts:
            return False, []
        if self.unbounded(counts):
            return True, []
        return False, self.top_k_matched(counts, k)

    def matched(self, query: Sequence[str]) -> np.ndarray:
        """The documents holding a query term, ascending."""
        ids = self.term_ids(query)
        return self.candidates(ids) if ids else np.empty(0, np.int64)

    def term_matrix(self, terms: Sequence[str], docs: np.ndarray) -> np.ndarray:
        """:meth:`term_counts` of each term, as rows.

        >>> Engine([["روس", "روس"], ["طشقند"]]).term_matrix(["روس", "طشقند"], np.array([0, 1]))
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

    def candidates(self, term_ids: Sequence[int]) -> np.ndarray:
        """The documents holding any of these terms, ascending."""
        lists = [self._postings(t)[0] for t in term_ids]
        if len(lists) == 1:
            return np.asarray(lists[0])
        return sorted_unique(np.concatenate(lists))

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
        return ranked if matched_only else _fill_unmatched(ranked, k, self.size)

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
        return _ranked(candidates, scores, k)

    def _score(self, candidates: np.ndarray, counts: Counter[int]) -> np.ndarray:
        if len(candidates) > DENSE_SHARE * self.size:
            dense = np.zeros(self.size, dtype=np.float64)
            for term_id, count in counts.items():
                docs, tf = self._postings(term_id)
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
        return _ranked(candidates, scores[candidates], k)


def _ranked(candidates: np.ndarray, scores: np.ndarray, k: int) -> list[tuple[int, float]]:
    """The k best (document, score) pairs: by score, then document number.

    >>> _ranked(np.array([4, 2, 9]), np.array([1.0, 3.0, 1.0]), 2)
    [(2, 3.0), (4, 1.0)]
    """
    order = np.lexsort((candidates, -scores))[:k]
    return [(int(candidates[i]), float(scores[i])) for i in order]


def _kth_best(scores: np.ndarray, k: int) -> float:
    if len(scores) < k:
        return -math.inf
    return float(np.partition(scores, len(scores) - k)[len(scores) - k])


def seg_length(engine: Engine) -> float:
    """The total term count of a segment's documents."""
    return float(np.sum(engine.doc_len, dtype=np.int64))


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


class PartedScorer:
    """One collection scored in parts (segments of one engine here, shards on other
    machines in :mod:`index.cluster`), exactly as one engine would score it: the parts'
    document frequencies and lengths are merged into collection-wide statistics that
    every part scores with, and their top k are merged. Documents are numbered across
    the parts as :attr:`layout` says. Subclasses say how a call reaches every part
    (:meth:`_run`)."""

    params: BM25Params
    avgdl: float
    layout: Layout
    _idf: dict[str, float]

    def _run(self, calls: Sequence[tuple[int, str, tuple]]) -> list:
        """Each call (part, method, arguments) made, all at once where the parts are
        elsewhere; their results in order."""
        raise NotImplementedError

    def _each(self, method: str, args: Sequence[tuple]) -> list:
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
        for part, found in enumerate(self._each("scores", [(list(query),)] * self.parts)):
            out[self.layout.numbers(part, np.arange(len(found)))] = found
        return out

    def _per_part(self, method: str, head: tuple, docs: np.ndarray, out: np.ndarray) -> np.ndarray:
        """``method(*head, its documents)`` on each part holding some of ``docs`` (sorted,
        collection numbers), written into ``out``'s last axis."""
        used = self.layout.split(docs)
        calls = [(part, method, (*head, local)) for part, _, local in used]
        for (_, mask, _), result in zip(used, self._run(calls), strict=True):
            out[..., mask] = result
        return out

    def score_docs(self, query: Sequence[str], docs: np.ndarray) -> np.ndarray:
        """Exact scores of the given documents (sorted, unique, collection numbers)."""
        out = np.zeros(len(docs), dtype=np.float64)
        return self._per_part("score_docs", (list(query),), docs, out)

    def term_matrix(self, terms: Sequence[str], docs: np.ndarray) -> np.ndarray:
        """terms × docs term frequencies (collection numbers)."""
        out = np.zeros((len(terms), len(docs)), dtype=np.int64)
        return self._per_part("term_matrix", (list(terms),), docs, out)

    def lengths(self, docs: np.ndarray) -> np.ndarray:
        """Term counts of the given documents (collection numbers)."""
        return self._per_part("lengths", (), docs, np.zeros(len(docs), dtype=np.int64))

    def counts(self, terms: Sequence[str], docs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """:meth:`term_matrix` and :meth:`lengths`, from one call to each part concerned."""
        out = np.zeros((len(terms) + 1, len(docs)), dtype=np.int64)  # the lengths last
        self._per_part("stacked_counts", (list(terms),), docs, out)
        return out[:-1], out[-1]

    def top_k(
        self, query: Sequence[str], k: int, matched_only: bool = False
    ) -> list[tuple[int, float]]:
        """The ``k`` best documents across parts (see :meth:`Engine.top_k`)."""
        if k <= 0 or self.size == 0:
            return []
        tops = self._each("top", [(list(query), k)] * self.parts)
        if any(unbounded for unbounded, _ in tops):
            scores = self.scores(query)  # the plain way (some idf not positive)
            if matched_only:
                lists = self._each("matched", [(list(query),)] * self.parts)
                found = [self.layout.numbers(p, local) for p, local in enumerate(lists)]
                candidates = np.sort(np.concatenate(found))
            else:
                candidates = np.arange(self.size)
            return _ranked(candidates, scores[candidates], k)
        merged: list[tuple[int, float]] = []
        for part, (_, hits) in enumerate(tops):
            numbers = self.layout.numbers(part, np.asarray([d for d, _ in hits], np.int64))
            merged += zip(numbers.tolist(), [score for _, score in hits], strict=True)
        merged.sort(key=lambda hit: (-hit[1], hit[0]))
        ranked = merged[:k]
        return ranked if matched_only else _fill_unmatched(ranked, k, self.size)


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
        parts = self._each("part", [()] * self.parts)
        idfs, self.avgdl = collection_stats(parts, self.params)
        self._each("use_stats", [(idf, self.avgdl or 1.0) for idf in idfs])
        self._idf = {
            t: i
            for (terms, _, _, _), idf in zip(parts, idfs, strict=True)
            for t, i in zip(terms, idf.tolist(), strict=True)
        }

    def _run(self, calls: Sequence[tuple[int, str, tuple]]) -> list:
        return [getattr(self.segments[i], method)(*args) for i, method, args in calls]


def _fill_unmatched(ranked: list[tuple[int, float]], k: int, size: int) -> list[tuple[int, float]]:
    """Fewer matches than k: unmatched documents follow, score 0, in document order."""
    if len(ranked) >= k:
        return ranked
    matched = {d for d, _ in ranked}
    filler = (d for d in range(size) if d not in matched)
    return ranked + [(d, 0.0) for d, _ in zip(filler, range(k - len(ranked)), strict=False)]
