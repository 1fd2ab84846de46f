"""Serve one collection from shards on a Ray cluster, with the single machine's answers."""

# Ray is imported here only, and only when a cluster is used (`pip install sanad[cluster]`,
# `uv sync --extra cluster`): without it nothing changes.

from __future__ import annotations

import itertools
import logging
import os
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from index.cluster.shards import (
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
from index.config import ClusterSettings
from index.retrieval.parts import Call, Layout, PartedScorer
from index.retrieval.scoring import BM25Params, Engine
from index.retrieval.segments import IndexFiles, gram_stats
from index.retrieval.vectors import Dense, Embedding, mean_vector
from index.storage.store import Store

log = logging.getLogger(__name__)
SHARD_MEMORY = 64 * 2**20  # what a shard reserves on its node (Ray's logical memory)
REPLICA_WAIT = 20.0  # seconds one replica of several may take before the next is asked
# seconds the shards may take to answer one fan-out in all (Ray starting a lost lone
# replica again included); past it the question fails with a message, no thread hangs
FAN_OUT_DEADLINE = 60.0
PLACEMENT_WAIT = 60.0  # seconds a shard's replicas may wait for room on the cluster
Scored = tuple[int, float]  # (a sentence's number, its score or cosine)


class ClusterUnavailable(RuntimeError):
    """Ray is not installed, or its cluster cannot be reached; the message says which."""


class Shard:
    """One shard, as a Ray actor: it reads its own files (postings memory-mapped, and the
    whole collection's statistics) from ``root``, for each generation it is asked about,
    keeping the newest KEEP_GENERATIONS loaded. It is built from a path alone, so Ray can
    start it again anywhere (after a crash, or on another node when its node leaves) and
    it scores as before. Its methods are :class:`Engine`'s and :class:`Dense`'s, each
    asked of one generation (named first, so that one question reads one generation)."""

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

    def _dense(self, generation: int) -> Dense:
        dense = self._loaded(generation)[1]
        if dense is None:
            raise ValueError(f"shard {self.index} keeps no vectors")
        return dense

    def prepare(self, generation: int) -> int:
        """Load a generation ahead of the questions that will use it; its size."""
        return self._at(generation).size

    # -- Engine's methods, on a generation (see index.retrieval.parts.PartedScorer) -------
    def scores(self, generation: int, query: list[str]) -> np.ndarray:
        return self._at(generation).scores(query)

    def score_docs(self, generation: int, query: list[str], docs: np.ndarray) -> np.ndarray:
        return self._at(generation).score_docs(query, docs)

    def term_matrix(self, generation: int, terms: list[str], docs: np.ndarray) -> np.ndarray:
        return self._at(generation).term_matrix(terms, docs)

    def lengths(self, generation: int, docs: np.ndarray) -> np.ndarray:
        return self._at(generation).lengths(docs)

    def stacked_counts(self, generation: int, terms: list[str], docs: np.ndarray) -> np.ndarray:
        return self._at(generation).stacked_counts(terms, docs)

    def top(self, generation: int, query: list[str], k: int) -> tuple[bool, list[Scored]]:
        return self._at(generation).top(query, k)

    def matched(self, generation: int, query: list[str]) -> np.ndarray:
        return self._at(generation).matched(query)

    def frequencies(self, generation: int, inside: np.ndarray) -> dict[str, int]:
        return self._at(generation).frequencies(inside)

    # -- Dense's methods, in this shard's own numbering -----------------------------------
    def nearest(self, generation: int, query: np.ndarray, k: int) -> list[Scored]:
        """This shard's ``k`` sentences nearest to ``query`` (:meth:`Dense.top`)."""
        return self._dense(generation).top(query, k)

    def cosines(self, generation: int, query: np.ndarray, numbers: list[int]) -> np.ndarray:
        """The cosines of some of this shard's sentences (:meth:`Dense.cosines`)."""
        return self._dense(generation).cosines(query, numbers)

    def vector_total(self, generation: int) -> tuple[np.ndarray, int] | None:
        """The sum of this shard's vectors (float64) and their count, in a generation;
        None when the shard keeps none."""
        dense = self._loaded(generation)[1]
        return None if dense is None else (dense.total, dense.size)

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

    def _run(self, calls: Sequence[Call]) -> list:
        """Each call sent to one replica of its shard (in turn, to share the load), all at
        once, as the :class:`Shard` method of the same name, and waited for together
        until FAN_OUT_DEADLINE. A replica that dies meanwhile, or one of several that has
        not answered in REPLICA_WAIT, is replaced by the next one for that call (a lone
        replica is started again by Ray, which then retries the call)."""
        import ray
        from ray.exceptions import ActorUnavailableError, RayActorError

        turn = next(self._turns)
        started = time.monotonic()
        tries = [0] * len(calls)
        sent = [(self._send(call, turn), started) for call in calls]
        results: list[Any] = [None] * len(calls)
        waiting = dict(enumerate(sent))  # call -> (its pending result, when it was sent)
        while waiting:
            left = started + FAN_OUT_DEADLINE - time.monotonic()
            if left <= 0:
                raise ClusterUnavailable(
                    f"{len(waiting)} of {len(calls)} shard calls not answered in"
                    f" {FAN_OUT_DEADLINE:.0f} s"
                )
            refs = [ref for ref, _ in waiting.values()]
            done, _ = ray.wait(refs, num_returns=len(refs), timeout=min(left, REPLICA_WAIT))
            ready, now = set(done), time.monotonic()
            for i, (ref, since) in list(waiting.items()):
                part = calls[i][0]
                replicas = len(self.actors[part])
                if ref in ready:
                    try:
                        results[i] = ray.get(ref)
                        del waiting[i]
                        continue
                    except (RayActorError, ActorUnavailableError):
                        lost = "was lost"
                elif replicas > 1 and now - since >= REPLICA_WAIT:
                    lost = f"did not answer in {REPLICA_WAIT:.0f} s"
                else:
                    continue
                tries[i] += 1
                if tries[i] >= 2 * replicas:
                    raise ClusterUnavailable(f"shard {part}: every replica {lost}")
                log.warning("shard %d: a replica %s; asking another", part, lost)
                waiting[i] = (self._send(calls[i], turn + tries[i]), now)
        return results

    def _send(self, call: Call, turn: int) -> Any:
        part, method, args = call
        replica = self.actors[part][turn % len(self.actors[part])]
        return getattr(replica, method.__name__).remote(self.generation, *args)


class ClusterDense:
    """The shards' vectors searched by cosine, with one machine's answers (see
    :class:`index.retrieval.vectors.Dense`): each shard's nearest merged (ties: collection
    order), cosines asked of the shards holding the sentences, the collection's mean
    vector from the shards' sums."""

    def __init__(self, engine: ClusterEngine, total: np.ndarray, size: int) -> None:
        self.engine = engine  # its shard actors, their replicas and the layout
        self.size = size
        self.centroid = mean_vector(total, size)

    def baseline(self, query: np.ndarray) -> float:
        return float(self.centroid @ query) if self.size else 0.0

    def top(self, query: np.ndarray, k: int) -> list[Scored]:
        if not self.size or k <= 0:
            return []
        parts = range(len(self.engine.actors))
        found: list[Scored] = []
        calls: list[Call] = [(p, Shard.nearest, (query, k)) for p in parts]
        for part, hits in zip(parts, self.engine._run(calls), strict=True):
            local = np.asarray([n for n, _ in hits], dtype=np.int64)
            numbers = self.engine.layout.numbers(part, local).tolist()
            found.extend(zip(numbers, (c for _, c in hits), strict=True))
        found.sort(key=lambda hit: (-hit[1], hit[0]))
        return found[:k]

    def cosines(self, query: np.ndarray, numbers: Sequence[int] | np.ndarray) -> np.ndarray:
        wanted = np.asarray(numbers, np.int64)
        order = np.argsort(wanted, kind="stable")
        split = self.engine.layout.split(wanted[order])
        calls: list[Call] = [
            (part, Shard.cosines, (query, local.tolist())) for part, _, local in split
        ]
        out = np.empty(len(wanted), dtype=np.float64)
        for (_, where, _), values in zip(split, self.engine._run(calls), strict=True):
            out[order[where]] = values
        return out


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
        self._groups: list[Any] = []  # the replicas' placement groups, one per shard

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
                    self._groups.append(group)
                    self._placed(group, i, nodes)
                    where = [PlacementGroupSchedulingStrategy(group, r) for r in range(replicas)]
                self._actors.append(
                    [
                        shard.options(scheduling_strategy=w).remote(str(self.root), i, self.params)
                        for w in where
                    ]
                )
        return self._actors

    def _placed(self, group: Any, shard: int, nodes: int) -> None:
        """Wait up to PLACEMENT_WAIT for a shard's replicas to find room; else release
        every actor and group started so far and say why."""
        import ray
        from ray.exceptions import GetTimeoutError

        try:
            ray.get(group.ready(), timeout=PLACEMENT_WAIT)
        except GetTimeoutError:
            self.close()
            raise ClusterUnavailable(
                f"no room on the cluster for {self.settings.replicas} replicas of shard"
                f" {shard} in {PLACEMENT_WAIT:.0f} s ({nodes} nodes alive): add nodes or"
                " lower cluster.replicas"
            ) from None

    def close(self) -> None:
        """Stop the shard actors and release their placement groups (the cluster's memory
        they reserved); the next question would start them again."""
        import ray
        from ray.util.placement_group import remove_placement_group

        for replicas in self._actors or []:
            for actor in replicas:
                ray.kill(actor, no_restart=True)
        for group in self._groups:
            remove_placement_group(group)
        self._actors, self._groups = None, []

    def write(self, store: Store) -> Manifest:
        """The store's generation as shard files, the changed shards built as tasks on the
        cluster (see :func:`index.cluster.shards.write_generation`)."""
        embedding = self.embedding
        vectors = None if embedding is None else (lambda ids: embedding.vectors(store, ids))
        return write_generation(
            store, self.params, self.root, self.settings.shards, _build, vectors
        )

    def files(self, store: Store, params: BM25Params) -> IndexFiles:
        """The index files of the store's generation (see
        :func:`index.retrieval.segments.ensure_index_files`), its engine the shard actors: every
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
