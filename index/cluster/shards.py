"""A sharded collection's files: each shard's documents, postings and statistics, per generation."""

# Layout under the root (``<index>.engine/shards-N``, or a temporary folder for a
# collection in memory):
#   s<i>-g<G>/        shard i's postings (engine files and ids.npy), built at generation G
#   g<G>/manifest.json  generation G: each shard's documents and postings folder, avgdl
#   g<G>/idf-<i>.npy    shard i's terms' idf over the whole collection at generation G
# A change rebuilds only the shards whose documents changed; every shard gets the new
# collection statistics (a small file each). Shards read their files by path, so every
# node that runs a shard must see the root at the same path.

from __future__ import annotations

import bisect
import itertools
import json
import logging
import shutil
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from index.retrieval.parts import collection_stats
from index.retrieval.scoring import BM25Params, Engine
from index.storage.files import TMP_MARK, numbered, write_folder_atomically
from index.storage.store import Store

log = logging.getLogger(__name__)

KEEP_GENERATIONS = 2  # on disk and loaded: the newest, and the one a question may still use


@dataclass(frozen=True, slots=True)
class ShardPlan:
    """One shard in one generation: its documents (ids, engine order), the folder of its
    postings and how many sentences they hold."""

    documents: list[int]
    postings: str
    size: int


@dataclass(frozen=True, slots=True)
class Manifest:
    """One generation of a sharded collection."""

    generation: int
    avgdl: float
    shards: list[ShardPlan]

    @property
    def used(self) -> list[int]:
        """The shards holding sentences (a collection of few documents leaves some empty)."""
        return used_shards(self.shards)

    def to_json(self) -> str:
        return json.dumps(asdict(self))

    @classmethod
    def from_json(cls, text: str) -> Manifest:
        data = json.loads(text)
        shards = [ShardPlan(**shard) for shard in data["shards"]]
        return cls(int(data["generation"]), float(data["avgdl"]), shards)


def used_shards(plans: Sequence[ShardPlan]) -> list[int]:
    """Which of these shards hold sentences."""
    return [i for i, shard in enumerate(plans) if shard.size]


# (each sentence's terms, space-joined; their sentence ids; parameters; the folder to write;
# their vectors, with matching by meaning on)
BuildJob = tuple[list[str], np.ndarray, BM25Params, str, np.ndarray | None]
Builder = Callable[[list[BuildJob]], None]
Vectors = Callable[[np.ndarray], np.ndarray]  # sentence ids → their vectors, in order
VECTORS_FILE = "vectors.npy"  # a shard's sentences' vectors, beside its postings


def shard_cuts(sizes: Sequence[int], shards: int) -> list[int]:
    """Where each shard's documents start, given each document's sentence count in engine
    order: about equal in sentences, cutting only between documents, so that a
    sentence's neighbours, paragraph and document stay in its shard.

    >>> shard_cuts([3, 2, 3, 1], 3)
    [0, 1, 2]
    >>> shard_cuts([3], 2)  # one document: one shard
    [0]
    """
    bounds = list(itertools.accumulate(sizes))[:-1]  # sentences before document i + 1
    total = sum(sizes)
    starts = [0]
    for s in range(1, shards):
        target = s * total / shards
        at = bisect.bisect_left(bounds, target)
        near = [i + 1 for i in (at - 1, at) if 0 <= i < len(bounds) and i + 1 > starts[-1]]
        if not near and starts[-1] < len(bounds):  # each cut near the target is taken
            near = [starts[-1] + 1]
        if near:
            starts.append(min(near, key=lambda d: (abs(bounds[d - 1] - target), d)))
    return starts


def plan_shards(
    documents: Sequence[tuple[int, int]], shards: int, before: Sequence[Sequence[int]] | None
) -> tuple[list[list[int]], set[int]]:
    """Which documents each shard holds, and which shards changed since ``before`` (the
    shards' documents in the previous generation; None: cut anew, every shard changed).
    ``documents``: (id, sentence count), engine order.

    A first cut gives each shard a run of whole documents, about equal in sentences.
    After it a document stays in its shard, a new one goes to the shard with the fewest
    sentences, and only a shard that lost or gained documents is rebuilt.

    >>> plan_shards([(1, 3), (2, 2), (3, 3), (4, 1)], 2, None)
    ([[1, 2], [3, 4]], {0, 1})
    >>> plan_shards([(1, 3), (3, 3), (4, 1), (5, 2)], 2, [[1, 2], [3, 4]])  # 2 out, 5 in
    ([[1, 5], [3, 4]], {0})
    """
    if before is None or len(before) != shards:
        starts = shard_cuts([n for _, n in documents], shards) if documents else [0]
        ids = [d for d, _ in documents]
        lists = [ids[a:b] for a, b in zip(starts, [*starts[1:], len(ids)], strict=True)]
        lists += [[] for _ in range(shards - len(lists))]
        return lists, set(range(shards))
    size = dict(documents)
    lists = [[d for d in shard if d in size] for shard in before]
    changed = {i for i, shard in enumerate(before) if len(lists[i]) != len(shard)}
    placed = {d for shard in lists for d in shard}
    load = [sum(size[d] for d in shard) for shard in lists]
    for document, count in documents:
        if document not in placed:
            smallest = min(range(shards), key=lambda i: (load[i], i))
            lists[smallest].append(document)
            load[smallest] += count
            changed.add(smallest)
    return lists, changed


def build_shard(
    terms: list[str],
    ids: np.ndarray,
    params: BM25Params,
    folder: str,
    vectors: np.ndarray | None = None,
) -> None:
    """Write one shard's postings, its sentence ids (and their vectors) into ``folder``,
    atomically."""

    def fill(tmp: Path) -> None:
        Engine((sentence.split() for sentence in terms), params).save(tmp)
        np.save(tmp / "ids.npy", ids)
        if vectors is not None:
            np.save(tmp / VECTORS_FILE, np.asarray(vectors, dtype=np.float32))

    target = Path(folder)
    if not target.exists():  # another writer may have built the same generation
        write_folder_atomically(target, fill)


def build_here(jobs: list[BuildJob]) -> None:
    """Build shards one after another in this process."""
    for job in jobs:
        build_shard(*job)


def read_manifest(root: Path, generation: int) -> Manifest | None:
    """Generation ``generation``'s manifest, or None when it was not written (or is
    damaged)."""
    try:
        return Manifest.from_json((root / f"g{generation}" / "manifest.json").read_text("utf-8"))
    except (OSError, ValueError, KeyError, TypeError):
        return None


def generations(root: Path) -> list[int]:
    """The generations written under ``root`` (their ``g<G>`` folders), oldest first."""
    return [number for number, _ in numbered(root, "g")]


def newest_manifest(root: Path, generation: int) -> Manifest | None:
    """The newest readable manifest not newer than ``generation``."""
    for number in reversed([n for n in generations(root) if n <= generation]):
        manifest = read_manifest(root, number)
        if manifest is not None:
            return manifest
    return None


def write_generation(
    store: Store,
    params: BM25Params,
    root: Path,
    shards: int,
    build: Builder = build_here,
    vectors: Vectors | None = None,
) -> Manifest:
    """Write the store's generation as ``shards`` shards under ``root``: the shards whose
    documents changed since the newest generation written are rebuilt (by ``build``, on
    a cluster its tasks), every shard gets the collection's new statistics, and the
    manifest is written last (a reader sees the whole generation or none of it). Older
    generations than KEEP_GENERATIONS are removed. With ``vectors``, each shard keeps its
    sentences' vectors too (a shard written without them is rebuilt)."""
    generation = store.generation
    previous = newest_manifest(root, generation)
    if previous is not None and previous.generation == generation:
        return previous
    before = [s.documents for s in previous.shards] if previous else None
    lists, changed = plan_shards(store.document_sizes(), shards, before)
    if vectors is not None and previous is not None and len(previous.shards) == shards:
        changed |= {i for i, plan in enumerate(previous.shards) if not has_vectors(root, plan)}
    owner = {d: i for i in changed for d in lists[i]}
    terms: dict[int, list[str]] = {i: [] for i in changed}
    ids: dict[int, list[int]] = {i: [] for i in changed}
    for sentence_id, document, sentence_terms in store.corpus_by_document():
        shard = owner.get(document)
        if shard is not None:
            terms[shard].append(sentence_terms)
            ids[shard].append(sentence_id)
    plans = []
    jobs: list[BuildJob] = []
    for i, documents in enumerate(lists):
        if i not in changed and previous is not None:
            plans.append(previous.shards[i])
            continue
        folder = f"s{i}-g{generation}" if ids[i] else ""
        if ids[i]:
            numbers = np.asarray(ids[i], np.int64)
            held = vectors(numbers) if vectors is not None else None
            jobs.append((terms[i], numbers, params, str(root / folder), held))
        plans.append(ShardPlan(documents, folder, len(ids[i])))
    del terms, ids
    root.mkdir(parents=True, exist_ok=True)
    build(jobs)
    used = used_shards(plans)
    parts = [Engine.load(root / plans[i].postings, params).part() for i in used]
    idfs, avgdl = collection_stats(parts, params)
    manifest = Manifest(generation, avgdl or 1.0, plans)

    def fill(tmp: Path) -> None:
        for i, idf in zip(used, idfs, strict=True):
            np.save(tmp / f"idf-{i}.npy", idf)
        (tmp / "manifest.json").write_text(manifest.to_json(), encoding="utf-8")

    if not (root / f"g{generation}").exists():
        write_folder_atomically(root / f"g{generation}", fill)
    _drop_old(root)
    return manifest


def _drop_old(root: Path) -> None:
    """Remove generations older than the KEEP_GENERATIONS newest, and postings no kept
    generation uses (a shard that still has them open keeps its memory maps)."""
    kept = {f"g{n}" for n in generations(root)[-KEEP_GENERATIONS:]}
    manifests = [m for name in kept if (m := read_manifest(root, int(name[1:])))]
    if not manifests:
        return
    used = {shard.postings for m in manifests for shard in m.shards}
    for entry in root.iterdir():
        name = entry.name
        if TMP_MARK in name:
            continue
        old = name.startswith("g") and name[1:].isdigit() and name not in kept
        unused = name.startswith("s") and "-g" in name and name not in used
        if old or unused:
            shutil.rmtree(entry, ignore_errors=True)


def load_shard(root: Path, generation: int, index: int, params: BM25Params) -> Engine:
    """Shard ``index`` of generation ``generation``, postings memory-mapped, scoring with
    the whole collection's statistics (what a shard actor serves)."""
    manifest = read_manifest(root, generation)
    if manifest is None:
        raise FileNotFoundError(f"no generation {generation} under {root}")
    engine = Engine.load(root / manifest.shards[index].postings, params)
    idf = np.load(root / f"g{generation}" / f"idf-{index}.npy")
    engine.use_stats(idf, manifest.avgdl)
    return engine


def has_vectors(root: Path, plan: ShardPlan) -> bool:
    """The shard keeps its sentences' vectors (or has no sentences)."""
    return not plan.size or (root / plan.postings / VECTORS_FILE).is_file()


def load_shard_vectors(root: Path, generation: int, index: int) -> np.ndarray | None:
    """Shard ``index``'s vectors in generation ``generation`` (memory-mapped), if it keeps
    them."""
    manifest = read_manifest(root, generation)
    if manifest is None or not has_vectors(root, manifest.shards[index]):
        return None
    return np.load(root / manifest.shards[index].postings / VECTORS_FILE, mmap_mode="r")


def shard_ids(root: Path, manifest: Manifest) -> list[np.ndarray]:
    """The sentence ids of each used shard's sentences, in its engine order."""
    return [np.load(root / manifest.shards[i].postings / "ids.npy") for i in manifest.used]


def collection_idf(root: Path, manifest: Manifest) -> dict[str, float]:
    """Every term's idf over the whole collection (what the front asks per query term)."""
    idf: dict[str, float] = {}
    for i in manifest.used:
        text = (root / manifest.shards[i].postings / "terms.txt").read_text(encoding="utf-8")
        values = np.load(root / f"g{manifest.generation}" / f"idf-{i}.npy").tolist()
        idf.update(zip(text.split("\n") if text else [], values, strict=True))
    return idf
