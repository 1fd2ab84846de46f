"""Serve one collection from shards on a Ray cluster, with the single machine's answers."""

# Ray is imported here only, and only when a cluster is used (`pip install sanad[cluster]`,
# `uv sync --extra cluster`): without it nothing changes.

from __future__ import annotations

import bisect
from collections import Counter
from collections.abc import Sequence
from typing import Any

import numpy as np

from index.documents import Document
from index.engine import BM25Params, Engine, PartedScorer, collection_stats
from index.segments import IndexFiles, count_gram_stats, read_gram_stats, write_gram_stats
from index.store import Store


class ClusterUnavailable(RuntimeError):
    """Ray is not installed, or its cluster cannot be reached; the message says which."""


def shard_starts(documents: Sequence[int], shards: int) -> list[int]:
    """Where each shard starts among sentences in engine order (their documents given),
    about equal in size and cutting only between documents, so that a sentence's
    neighbours, paragraph and document stay in its shard.

    >>> shard_starts([1, 1, 1, 2, 2, 3, 3, 3, 4], 3)
    [0, 3, 5]
    >>> shard_starts([7, 7, 7], 2)  # one document: one shard
    [0]
    """
    cuts = [i for i in range(1, len(documents)) if documents[i] != documents[i - 1]]
    starts = [0]
    for s in range(1, shards):
        target = s * len(documents) / shards
        at = bisect.bisect_left(cuts, target)
        near = [c for c in cuts[max(at - 1, 0) : at + 1] if c > starts[-1]]
        if not near:  # every cut near the target is taken: the next one after the last
            near = cuts[bisect.bisect_right(cuts, starts[-1]) :][:1]
        if near:
            starts.append(min(near, key=lambda c: (abs(c - target), c)))
    return starts


class Shard:
    """One shard, as a Ray actor: the engine over a run of whole documents, scoring with
    the whole collection's statistics (``idf`` of its terms, ``avgdl``). Everything it
    needs comes with its construction, so an actor Ray restarts after a crash scores as
    before."""

    def __init__(
        self, terms: list[list[str]], params: BM25Params, idf: dict[str, float], avgdl: float
    ) -> None:
        self.engine = Engine(terms, params)
        self.engine.use_stats(np.asarray([idf[t] for t in self.engine.terms]), avgdl)

    def call(self, method: str, args: tuple) -> Any:
        """One of the engine's part methods (see :class:`index.engine.PartedScorer`)."""
        return getattr(self.engine, method)(*args)

    def memory_mb(self) -> float:
        """This shard's process resident memory (for bench/cluster.py)."""
        with open("/proc/self/status", encoding="ascii") as status:
            line = next(line for line in status if line.startswith("VmRSS:"))
        return int(line.split()[1]) / 1024


class ClusterEngine(PartedScorer):
    """The collection scored by shard actors: every call goes to the shards at once and
    their answers are merged at the front, exactly as one engine would score."""

    def __init__(
        self,
        shards: list[Any],
        sizes: Sequence[int],
        params: BM25Params,
        idf: dict[str, float],
        avgdl: float,
    ) -> None:
        self.params = params
        self.shards = shards
        self.offsets = np.cumsum([0, *sizes])
        self._idf = idf
        self.avgdl = avgdl

    def _run(self, calls: Sequence[tuple[int, str, tuple]]) -> list:
        import ray

        return ray.get([self.shards[i].call.remote(method, args) for i, method, args in calls])


def _part(terms: list[list[str]]) -> tuple[list[str], np.ndarray, int, float]:
    """A shard's share of the collection's statistics, from its sentences' terms (see
    :func:`index.engine.collection_stats`)."""
    df = Counter(t for sentence in terms for t in set(sentence))
    total = float(sum(len(sentence) for sentence in terms))
    return list(df), np.fromiter(df.values(), np.int64, len(df)), len(terms), total


def analyse_on_cluster(chunks: list[list[Document]], segmenter: str) -> list[tuple[str, ...]]:
    """Every chunk of documents analysed as a Ray task (on whichever node has a free
    core), each sentence's terms in document order."""
    import ray

    from index.build import analyse_chunk_with

    task = ray.remote(analyse_chunk_with)
    results = ray.get([task.remote(segmenter, chunk) for chunk in chunks])
    return [terms for result in results for terms in result]


def connect(address: str) -> None:
    """Join the Ray cluster at ``address`` ("" starts a local one), once per process."""
    try:
        import ray
    except ImportError:
        raise ClusterUnavailable(
            "Ray is not installed: uv sync --extra cluster (or pip install sanad[cluster])"
        ) from None
    if not ray.is_initialized():
        try:
            ray.init(address=address or None, log_to_driver=False, include_dashboard=False)
        except ConnectionError as exc:
            raise ClusterUnavailable(f"cannot reach the Ray cluster at {address}: {exc}") from None


def cluster_files(store: Store, params: BM25Params, shards: int, address: str = "") -> IndexFiles:
    """The index files of :func:`index.segments.ensure_index_files`, with the engine
    spread over ``shards`` actors of the Ray cluster (whole documents per shard). The
    front reads the store, merges the collection's statistics once, and gives each shard
    its sentences' terms with them (so a restarted shard scores as before)."""
    connect(address)
    import ray

    ids: list[int] = []
    documents: list[int] = []
    terms: list[list[str]] = []
    for sentence_id, document, sentence_terms in store.corpus_by_document():
        ids.append(sentence_id)
        documents.append(document)
        terms.append(sentence_terms)
    starts = shard_starts(documents, shards) if ids else [0]
    runs = list(zip(starts, [*starts[1:], len(ids)], strict=True))
    parts = [_part(terms[lo:hi]) for lo, hi in runs]
    idfs, avgdl = collection_stats(parts, params)
    shard_idf = [
        dict(zip(part[0], idf.tolist(), strict=True)) for part, idf in zip(parts, idfs, strict=True)
    ]
    actor = ray.remote(Shard).options(max_restarts=-1, max_task_retries=-1)
    handles = [
        actor.remote(terms[lo:hi], params, known, avgdl or 1.0)
        for (lo, hi), known in zip(runs, shard_idf, strict=True)
    ]
    every = {t: i for known in shard_idf for t, i in known.items()}
    engine = ClusterEngine(handles, [hi - lo for lo, hi in runs], params, every, avgdl)
    id_array = np.asarray(ids, dtype=np.int64)
    stats = read_gram_stats(store, len(ids))
    if stats is None:
        stats = count_gram_stats(store, id_array)
        write_gram_stats(store, stats)
    return IndexFiles(engine, id_array, stats)
