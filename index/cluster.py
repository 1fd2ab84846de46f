"""Serve one collection from shards on a Ray cluster, with the single machine's answers."""

# Ray is imported here only, and only when a cluster is used (`pip install sanad[cluster]`,
# `uv sync --extra cluster`): without it nothing changes.

from __future__ import annotations

import itertools
import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from index.config import ClusterSettings
from index.documents import Document
from index.engine import BM25Params, Engine, Layout, PartedScorer
from index.segments import IndexFiles, gram_stats
from index.shards import (
    KEEP_GENERATIONS,
    BuildJob,
    Manifest,
    build_shard,
    collection_idf,
    load_shard,
    read_manifest,
    shard_ids,
    write_generation,
)
from index.store import Store

log = logging.getLogger(__name__)


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
        self.engines: dict[int, Engine] = {}

    def _at(self, generation: int) -> Engine:
        engine = self.engines.get(generation)
        if engine is None:
            engine = load_shard(self.root, generation, self.index, self.params)
            self.engines[generation] = engine
            for old in sorted(self.engines)[:-KEEP_GENERATIONS]:
                del self.engines[old]
        return engine

    def prepare(self, generation: int) -> int:
        """Load a generation ahead of the questions that will use it; its size."""
        return self._at(generation).size

    def call(self, generation: int, method: str, args: tuple) -> Any:
        """One of the engine's part methods (see :class:`index.engine.PartedScorer`) on
        the given generation."""
        return getattr(self._at(generation), method)(*args)

    def memory_mb(self) -> float:
        """This shard's process resident memory (for bench/cluster.py)."""
        with open("/proc/self/status", encoding="ascii") as status:
            line = next(line for line in status if line.startswith("VmRSS:"))
        return int(line.split()[1]) / 1024


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

    def _run(self, calls: Sequence[tuple[int, str, tuple]]) -> list:
        """Each call sent to one replica of its shard (in turn, to share the load), all at
        once. A replica that dies meanwhile (with more than one, Ray does not retry it) is
        replaced by the next one for that call, while Ray starts it again."""
        import ray
        from ray.exceptions import ActorUnavailableError, RayActorError

        turn = next(self._turns)
        sent = [self._send(part, turn, method, args) for part, method, args in calls]
        results = []
        for (part, method, args), ref in zip(calls, sent, strict=True):
            replicas = len(self.actors[part])
            for attempt in range(1, 2 * replicas + 1):
                try:
                    results.append(ray.get(ref))
                    break
                except (RayActorError, ActorUnavailableError):
                    if attempt == 2 * replicas:
                        raise
                    log.warning("shard %d: a replica was lost; asking another", part)
                    ref = self._send(part, turn + attempt, method, args)
        return results

    def _send(self, part: int, turn: int, method: str, args: tuple) -> Any:
        replicas = self.actors[part]
        return replicas[turn % len(replicas)].call.remote(self.generation, method, args)


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


class ShardSet:
    """A collection's shard actors on the cluster (``settings.replicas`` per shard, spread
    over the nodes) and the files they serve from, under ``root``. :meth:`files` gives
    the engine of the store's generation, written first when it is not yet."""

    def __init__(self, settings: ClusterSettings, root: Path, params: BM25Params) -> None:
        connect(settings.address)
        self.settings = settings
        self.root = root
        self.params = params
        self._actors: list[list[Any]] | None = None

    @property
    def actors(self) -> list[list[Any]]:
        """Per shard, its replicas (started on first use)."""
        if self._actors is None:
            import ray

            retries = -1 if self.settings.replicas == 1 else 0  # else the next replica
            shard = ray.remote(Shard).options(
                max_restarts=-1, max_task_retries=retries, scheduling_strategy="SPREAD"
            )
            self._actors = [
                [shard.remote(str(self.root), i, self.params) for _ in range(self.settings.replicas)]
                for i in range(self.settings.shards)
            ]
        return self._actors

    def write(self, store: Store) -> Manifest:
        """The store's generation as shard files, the changed shards built as tasks on the
        cluster (see :func:`index.shards.write_generation`)."""
        return write_generation(store, self.params, self.root, self.settings.shards, _build)

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
        return IndexFiles(engine, ids, gram_stats(store, ids))


def _build(jobs: list[BuildJob]) -> None:
    """Shards built as Ray tasks, on whichever nodes have a free core."""
    import ray

    task = ray.remote(build_shard)
    ray.get([task.remote(*job) for job in jobs])
