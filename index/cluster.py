"""Serve one collection from shards on a Ray cluster, with the single machine's answers."""

# Ray is imported here only, and only when a cluster is used (`pip install sanad[cluster]`,
# `uv sync --extra cluster`): without it nothing changes.

from __future__ import annotations

import itertools
import logging
import os
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from index.config import ClusterSettings
from index.documents import Document, DocumentError
from index.engine import BM25Params, Engine, Layout, PartedScorer
from index.readers import Limits
from index.segments import IndexFiles, gram_stats
from index.shards import (
    KEEP_GENERATIONS,
    BuildJob,
    Manifest,
    build_shard,
    collection_idf,
    load_shard,
    load_shard_vectors,
    read_manifest,
    shard_ids,
    write_generation,
)
from index.store import Store
from index.vectors import Dense, Embedding, mean_vector

log = logging.getLogger(__name__)
SHARD_MEMORY = 64 * 2**20  # what a shard reserves on its node (Ray's logical memory)
REPLICA_WAIT = 20.0  # seconds one replica of several may take before the next is asked


class ClusterUnavailable(RuntimeError):
    """Ray is not installed, or its cluster cannot be reached; the message says which."""


class Shard:
    """One shard, as a Ray actor: it reads its own files (postings memory-mapped, and the
    whole collection's statistics) from ``root``, for each generation it is asked about,
    keeping the newest KEEP_GENERATIONS loaded. It is built from a path alone, so Ray can
    start it again anywhere (after a crash, or on another node when its node leaves) and
    it scores as before."""

    def __init__(self, root: str, index: int, params: BM25Params) -> None:
        self.root = Path(root)
        self.index = index
        self.params = params
        # per generation loaded: its engine, and its vectors when it keeps them
        self.engines: dict[int, tuple[Engine, Dense | None]] = {}

    def _loaded(self, generation: int) -> tuple[Engine, Dense | None]:
        loaded = self.engines.get(generation)
        if loaded is None:
            engine = load_shard(self.root, generation, self.index, self.params)
            matrix = load_shard_vectors(self.root, generation, self.index)  # memory-mapped
            loaded = engine, Dense(matrix) if matrix is not None else None
            self.engines[generation] = loaded
            for old in sorted(self.engines)[:-KEEP_GENERATIONS]:
                del self.engines[old]
        return loaded

    def _at(self, generation: int) -> Engine:
        return self._loaded(generation)[0]

    def prepare(self, generation: int) -> int:
        """Load a generation ahead of the questions that will use it; its size."""
        return self._at(generation).size

    def call(self, generation: int, method: str, args: tuple) -> Any:
        """One of the engine's part methods (see :class:`index.engine.PartedScorer`) on
        the given generation."""
        return getattr(self._at(generation), method)(*args)

    def _dense_at(self, generation: int) -> Dense | None:
        return self._loaded(generation)[1]

    def vector_total(self, generation: int) -> tuple[np.ndarray, int] | None:
        """The sum of this shard's vectors (float64) and their count, in a generation;
        None when the shard keeps none."""
        dense = self._dense_at(generation)
        return None if dense is None else (dense.total, dense.size)

    def nearest(self, generation: int, method: str, args: tuple) -> Any:
        """``top`` or ``cosines`` of this shard's vectors (see :class:`index.vectors.Dense`),
        in its own numbering, in a generation."""
        dense = self._dense_at(generation)
        if dense is None or method not in ("top", "cosines"):
            raise ValueError(f"shard {self.index}: no vectors to answer {method}")
        return getattr(dense, method)(*args)

    def info(self) -> dict[str, Any]:
        """Where this shard runs and what it holds: its node, process, the generations it
        has loaded and its resident memory in MB (for operators and bench/cluster.py)."""
        import ray

        with open("/proc/self/status", encoding="ascii") as status:
            line = next(line for line in status if line.startswith("VmRSS:"))
        return {
            "node": ray.get_runtime_context().get_node_id(),
            "pid": os.getpid(),
            "generations": sorted(self.engines),
            "memory_mb": int(line.split()[1]) / 1024,
        }


class ClusterEngine(PartedScorer):
    """One generation of the collection scored by shard actors: every call goes to a
    replica of each shard concerned at once, and their answers are merged at the front,
    exactly as one engine would score. Every call names the generation, so one question
    is answered by every shard from the same one."""

    def __init__(
        self,
        actors: list[list[Any]],
        generation: int,
        layout: Layout,
        params: BM25Params,
        idf: dict[str, float],
        avgdl: float,
    ) -> None:
        self.actors = actors  # per part, its replicas
        self.generation = generation
        self.layout = layout
        self.params = params
        self._idf = idf
        self.avgdl = avgdl
        self._turns = itertools.count()

    def _run(self, calls: Sequence[tuple[int, str, tuple]], via: str = "call") -> list:
        """Each call sent to one replica of its shard (in turn, to share the load), all at
        once, through the shard's ``via`` method (``call``: its engine; ``nearest``: its
        vectors). A replica that dies meanwhile (with more than one, Ray does not retry
        it) is replaced by the next one for that call, while Ray starts it again."""
        import ray
        from ray.exceptions import ActorUnavailableError, GetTimeoutError, RayActorError

        turn = next(self._turns)
        sent = [self._send(part, turn, method, args, via) for part, method, args in calls]
        results = []
        for (part, method, args), ref in zip(calls, sent, strict=True):
            replicas = len(self.actors[part])
            for attempt in range(1, 2 * replicas + 1):
                try:  # one replica of several may wait for a node: the next one answers
                    results.append(ray.get(ref, timeout=REPLICA_WAIT if replicas > 1 else None))
                    break
                except (RayActorError, ActorUnavailableError, GetTimeoutError):
                    if attempt == 2 * replicas:
                        raise
                    log.warning("shard %d: a replica was lost; asking another", part)
                    ref = self._send(part, turn + attempt, method, args, via)
        return results

    def _send(self, part: int, turn: int, method: str, args: tuple, via: str) -> Any:
        replica = self.actors[part][turn % len(self.actors[part])]
        return getattr(replica, via).remote(self.generation, method, args)


class ClusterDense:
    """The shards' vectors searched by cosine, with one machine's answers (see
    :class:`index.vectors.Dense`): each shard's nearest merged (ties: collection order),
    cosines asked of the shards holding the sentences, the collection's mean vector from
    the shards' sums."""

    def __init__(self, engine: ClusterEngine, total: np.ndarray, size: int) -> None:
        self.engine = engine  # its shard actors, their replicas and the layout
        self.size = size
        self.centroid = mean_vector(total, size)

    def baseline(self, query: np.ndarray) -> float:
        return float(self.centroid @ query) if self.size else 0.0

    def top(self, query: np.ndarray, k: int) -> list[tuple[int, float]]:
        if not self.size or k <= 0:
            return []
        parts = range(len(self.engine.actors))
        found: list[tuple[int, float]] = []
        for part, hits in zip(
            parts, self.engine._run([(p, "top", (query, k)) for p in parts], "nearest"), strict=True
        ):
            local = np.asarray([n for n, _ in hits], dtype=np.int64)
            numbers = self.engine.layout.numbers(part, local).tolist()
            found.extend(zip(numbers, (c for _, c in hits), strict=True))
        found.sort(key=lambda hit: (-hit[1], hit[0]))
        return found[:k]

    def cosines(self, query: np.ndarray, numbers: Sequence[int] | np.ndarray) -> np.ndarray:
        wanted = np.asarray(numbers, np.int64)
        order = np.argsort(wanted, kind="stable")
        split = self.engine.layout.split(wanted[order])
        calls = [(part, "cosines", (query, local.tolist())) for part, _, local in split]
        out = np.empty(len(wanted), dtype=np.float64)
        for (_, where, _), values in zip(split, self.engine._run(calls, "nearest"), strict=True):
            out[order[where]] = values
        return out


def analyse_on_cluster(chunks: list[list[Document]], segmenter: str) -> list[tuple[str, ...]]:
    """Every chunk of documents analysed as a Ray task (on whichever node has a free
    core), each sentence's terms in document order."""
    import ray

    from index.build import analyse_chunk_with

    task = ray.remote(analyse_chunk_with)
    results = ray.get([task.remote(segmenter, chunk) for chunk in chunks])
    return [terms for result in results for terms in result]


ENCODE_TASK = 128  # sentences one encoding task is given (a few seconds of a core's work)
ENCODE_CHUNK = 64 * ENCODE_TASK  # sentences sent out at once (and kept) by the build


def encode_on_cluster(texts: list[str]) -> np.ndarray:
    """Passages' vectors computed by Ray tasks, ENCODE_TASK sentences each, on whichever
    nodes have a free core (Ray gives each task one thread); in order."""
    import ray

    from index.encoder import encode_passages

    task = ray.remote(encode_passages)
    parts = [texts[i : i + ENCODE_TASK] for i in range(0, len(texts), ENCODE_TASK)]
    vectors = ray.get([task.remote(part) for part in parts])
    return np.concatenate(vectors) if vectors else np.zeros((0, 0), dtype=np.float32)


PARSE_BATCH_BYTES = 8 * 2**20  # files sent to one parsing task


def parse_on_cluster(
    files: Iterable[tuple[str, bytes, str]], limits: Limits | None
) -> list[Document | DocumentError]:
    """Files (name, bytes, source) parsed by Ray tasks, in batches of about
    PARSE_BATCH_BYTES sent as they are read; each file's document or why it cannot be
    read, in order."""
    import ray

    from index.build import parse_batch

    task = ray.remote(parse_batch)
    pending = []
    batch: list[tuple[str, bytes, str]] = []
    size = 0
    for item in files:
        batch.append(item)
        size += len(item[1])
        if size >= PARSE_BATCH_BYTES:
            pending.append(task.remote(batch, limits))
            batch, size = [], 0
    if batch:
        pending.append(task.remote(batch, limits))
    return [result for results in ray.get(pending) for result in results]


def connect(address: str) -> None:
    """Join the Ray cluster at ``address`` ("" starts a local one), once per process."""
    if not address:  # a local instance: its workers run in this environment, as it is
        os.environ.setdefault("RAY_ENABLE_UV_RUN_RUNTIME_ENV", "0")  # (read at import)
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


class ShardSet:
    """A collection's shard actors on the cluster (``settings.replicas`` per shard, spread
    over the nodes) and the files they serve from, under ``root``. :meth:`files` gives
    the engine of the store's generation, written first when it is not yet."""

    def __init__(
        self,
        settings: ClusterSettings,
        root: Path,
        params: BM25Params,
        embedding: Embedding | None = None,
    ) -> None:
        connect(settings.address)
        self.settings = settings
        self.root = root
        self.params = params
        self.embedding = embedding  # matching by meaning on: the shards keep vectors too
        self._actors: list[list[Any]] | None = None

    @property
    def actors(self) -> list[list[Any]]:
        """Per shard, its replicas (started on first use). A shard's replicas are one
        placement group, each on a different node while the cluster has enough (Ray
        places a replica again when its node leaves, once another can take it); a lone
        replica goes wherever the cluster spreads it."""
        if self._actors is None:
            import ray
            from ray.util.placement_group import placement_group
            from ray.util.scheduling_strategies import PlacementGroupSchedulingStrategy

            replicas = self.settings.replicas
            nodes = sum(1 for node in ray.nodes() if node["Alive"])
            spread = "STRICT_SPREAD" if nodes >= replicas else "SPREAD"
            shard = ray.remote(
                num_cpus=0,  # a shard waits on questions more than it computes
                memory=SHARD_MEMORY,
                max_restarts=-1,
                max_task_retries=-1 if replicas == 1 else 0,  # else the next replica answers
            )(Shard)
            self._actors = []
            for i in range(self.settings.shards):
                where: list[Any] = ["SPREAD"]
                if replicas > 1:
                    group = placement_group([{"memory": SHARD_MEMORY}] * replicas, strategy=spread)
                    ray.get(group.ready())
                    where = [PlacementGroupSchedulingStrategy(group, r) for r in range(replicas)]
                self._actors.append(
                    [
                        shard.options(scheduling_strategy=w).remote(str(self.root), i, self.params)
                        for w in where
                    ]
                )
        return self._actors

    def write(self, store: Store) -> Manifest:
        """The store's generation as shard files, the changed shards built as tasks on the
        cluster (see :func:`index.shards.write_generation`)."""
        embedding = self.embedding
        vectors = None if embedding is None else (lambda ids: embedding.vectors(store, ids))
        return write_generation(
            store, self.params, self.root, self.settings.shards, _build, vectors
        )

    def files(self, store: Store, params: BM25Params) -> IndexFiles:
        """The index files of the store's generation (see
        :func:`index.segments.ensure_index_files`), its engine the shard actors: every
        replica loads the generation before the front answers from it."""
        import ray

        manifest = read_manifest(self.root, store.generation) or self.write(store)
        used = manifest.used
        ray.get([a.prepare.remote(manifest.generation) for i in used for a in self.actors[i]])
        layout, ids = Layout.of_keys(shard_ids(self.root, manifest))
        engine = ClusterEngine(
            [self.actors[i] for i in used],
            manifest.generation,
            layout,
            params,
            collection_idf(self.root, manifest),
            manifest.avgdl,
        )
        dense = None
        if self.embedding is not None:  # shards written before it was on keep none
            generation = manifest.generation
            totals = ray.get([self.actors[i][0].vector_total.remote(generation) for i in used])
            kept = [t for t in totals if t is not None]
            if len(kept) == len(totals):
                total = np.add.reduce([t for t, _ in kept], dtype=np.float64)
                dense = ClusterDense(engine, np.asarray(total), sum(n for _, n in kept))
        return IndexFiles(engine, ids, gram_stats(store, ids), dense)


def _build(jobs: list[BuildJob]) -> None:
    """Shards built as Ray tasks, on whichever nodes have a free core."""
    import ray

    task = ray.remote(build_shard)
    ray.get([task.remote(*job) for job in jobs])
