"""The one front door to a collection of documents: open it, ask it, change it, close it."""

from __future__ import annotations

import logging
import multiprocessing
import shutil
import tempfile
import threading
import time
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from index.build import BuildReport, Farm, add_document, analyse_documents, build_index, reanalyse
from index.config import ClusterSettings, Config
from index.reading.blocks import Limits
from index.reading.documents import Document, DocumentError, parse_document, unique_name
from index.retrieval.answers import Answer
from index.retrieval.scoring import BM25Params
from index.retrieval.search import Meaning, Searcher
from index.retrieval.segments import IndexFiles, ensure_index_files
from index.retrieval.vectors import Embedding
from index.storage.files import TMP_MARK, write_file_atomically
from index.storage.sqlite import MEMORY
from index.storage.store import DocumentInfo, Store, StoredSentence
from index.storage.vector_cache import VectorCache
from index.text.analysis import Analyzer
from index.text.camel import make_segmenter

if TYPE_CHECKING:
    from index.cluster.actors import ShardSet


class UploadsFull(ValueError):
    """The uploads folder holds as many documents, or bytes, as the config allows."""


@dataclass(frozen=True, slots=True)
class Added:
    """An uploaded document as added: the name it is kept under, its title, how many
    sentences (and pages, 0 for a text without them) it has, and whether it replaced an
    earlier upload of that name."""

    name: str
    title: str
    sentences: int
    pages: int
    replaced: bool = False

    @classmethod
    def of(cls, document: Document, name: str, replaced: bool = False) -> Added:
        pages = {s.page for s in document.sentences if s.page is not None}
        return cls(name, document.title, len(document.sentences), len(pages), replaced)


log = logging.getLogger(__name__)
FOLLOW_SECONDS = 1.0  # how often a reader looks for a change made by another process
# An upload larger than this is read, analysed and stored by a worker process, so that the
# process answering questions keeps its interpreter lock for them (see Collection.upload).
APART_BYTES = 2**20


@dataclass(frozen=True, slots=True)
class Passage:
    """The sentences around one sentence of a document (``focus``: its ordinal)."""

    title: str
    sentences: list[StoredSentence]
    focus: int


class Collection:
    """Documents, their index and the way to answer from it, behind one object: what every
    front end (the command line, the bot, ``sanad eval``, the benches) talks to.

    Questions are answered from the index as last loaded; changes (:meth:`rebuild`,
    :meth:`add`, :meth:`remove`) are written one at a time, each in one transaction, and
    the answers follow them at once. Safe to share between threads."""

    def __init__(
        self, store: Store, analyzer: Analyzer, config: Config, cluster: bool = False
    ) -> None:
        self.config = config
        self.cluster = cluster  # answered by shards on the Ray cluster of config.cluster
        self._store = store
        self._analyzer = analyzer
        self._searcher: Searcher | None = None
        self._shards: ShardSet | None = None  # with ``cluster``: the shard actors
        self._scratch: Path | None = None  # a collection in memory keeps its shards here
        self._load_lock = threading.Lock()
        self._write_lock = threading.RLock()
        self._loading = threading.Lock()  # a new generation is being loaded
        self._checked = time.monotonic()
        self.embedding = embedding_for(config)  # None with matching by meaning off

    @classmethod
    def open(
        cls,
        config: Config,
        notices: TextIO | None = None,
        prepare: bool = True,
        cluster: bool = False,
    ) -> Collection:
        """The configured collection, brought up to date unless ``prepare`` is off (for a
        command about to rebuild it anyway).

        A collection with no documents is built from the configured sources (the seeds
        folder); one whose terms were made by another analysis is re-analysed from its
        stored texts. What is done is said on ``notices``. With ``cluster``, questions are
        answered by shards on the Ray cluster (``config.cluster``), with the same answers.
        """
        analyzer = Analyzer(make_segmenter(config.analysis.segmenter))
        new = str(config.index_path) != MEMORY and not config.index_path.exists()
        store = Store(config.index_path)
        collection = cls(store, analyzer, config, cluster)
        if not prepare:
            return collection
        if not store.documents():
            if any(source.exists() for source in config.sources):
                _say(notices, f"sanad: no index yet: building it from {config.seeds_path}")
            try:
                report = collection.rebuild(config.sources)
            except DocumentError as exc:
                if not new:
                    raise
                collection.close()  # nothing to build from: leave no empty index behind
                _remove_index(config.index_path)
                raise DocumentError(
                    f"no index yet, and nothing to build one from: {exc} (give documents to"
                    " sanad build, or set index.seeds)"
                ) from None
            _say(notices, report.summary(config.index_path))
        elif store.signature != analyzer.signature:
            count = reanalyse(store, analyzer)
            _say(
                notices,
                f"sanad: analysis changed to {analyzer.signature}: re-analysed {count} documents",
            )
        return collection

    @classmethod
    def in_memory(
        cls, documents: Sequence[Document], config: Config | None = None, cluster: bool = False
    ) -> Collection:
        """A throwaway collection of already split documents (``sanad eval``'s corpora)."""
        config = config or Config()
        analyzer = Analyzer(make_segmenter(config.analysis.segmenter))
        store = Store(MEMORY)
        collection = cls(store, analyzer, config, cluster)
        if collection.embedding is not None:
            collection.embedding.keep(store, documents)
        store.sync(analyse_documents(documents, analyzer), keep=None, signature=analyzer.signature)
        return collection

    def sharded(self, settings: ClusterSettings) -> Collection:
        """The same collection (its store and analysis), answered from ``settings.shards``
        shards on the Ray cluster at ``settings.address``."""
        return Collection(
            self._store, self._analyzer, replace(self.config, cluster=settings), cluster=True
        )

    @property
    def searcher(self) -> Searcher:
        """The searcher over the index, loaded on first use."""
        with self._load_lock:
            if self._searcher is None:
                self._searcher = Searcher(
                    self._store,
                    self._analyzer,
                    self.config.bm25,
                    self.config.search,
                    load=self._cluster_files if self.cluster else ensure_index_files,
                    meaning=self._meaning(),
                )
            return self._searcher

    def _meaning(self) -> Meaning | None:
        if self.embedding is None:
            return None
        return Meaning(self.embedding, self.config.semantic)

    def _cluster_files(self, store: Store, params: BM25Params) -> IndexFiles:
        return self._shard_set().files(store, params)

    def _farm(self) -> Farm | None:
        """Where a build's work is done: on the Ray cluster's nodes for a clustered
        collection (this imports Ray and joins the cluster), else here."""
        if not self.cluster:
            return None
        from index.cluster.actors import connect
        from index.cluster.tasks import RayFarm

        connect(self.config.cluster.address)
        return RayFarm()

    def _shard_set(self) -> ShardSet:
        """The collection's shards on the Ray cluster of ``config.cluster`` (this imports
        Ray: only for a cluster)."""
        from index.cluster.actors import ShardSet

        if self._shards is None:
            settings = self.config.cluster
            folder = self._store.engine_folder
            if folder is None:
                self._scratch = Path(tempfile.mkdtemp(prefix="sanad-shards-"))
                folder = self._scratch
            root = (folder / f"shards-{settings.shards}").resolve()  # as every node reads it
            self._shards = ShardSet(settings, root, self.config.bm25, self.embedding)
        return self._shards

    # -- reading ------------------------------------------------------------------------
    def ask(self, question: str, k: int | None = None, sets: Sequence[str] | None = None) -> Answer:
        """The ``k`` best sentences (default ``search.top_k``) for ``question``, from the
        index as last loaded (see :meth:`follow`); with ``sets``, from their documents
        alone, ranked as if they were the whole collection."""
        self.follow()
        return self.searcher.ask(question, k or self.config.search.top_k, sets)

    def sets(self) -> dict[str, int]:
        """Every set of documents with its size, the default set included."""
        return self._store.sets()

    def has_sets(self) -> bool:
        """Whether any document is in a named set (else every chat is answered from all)."""
        return self._store.has_sets()

    def assign(self, names: Sequence[str], set_name: str, member: bool = True) -> None:
        """Put documents in a set (or take them out). Raises DocumentError naming the first
        unknown one (nothing changed)."""
        try:
            self._store.assign(names, set_name, member)
        except KeyError as exc:
            raise DocumentError(f"{exc.args[0]}: no such document in the collection") from None

    def follow(self) -> None:
        """Notice, at most once a second, that another process (``sanad build``, ``add``,
        ``remove``, another bot) changed the collection, and load the new generation in
        the background: questions are answered from the one loaded until it is ready,
        never from a mix (sentence ids are never reused, and a sentence removed since is
        left out)."""
        now = time.monotonic()
        if self._searcher is None or now - self._checked < FOLLOW_SECONDS:
            return
        self._checked = now
        if self._loading.locked() or self._store.generation == self._searcher.generation.number:
            return
        threading.Thread(target=self._load_next, name="sanad-follow", daemon=True).start()

    def _load_next(self) -> None:
        if not self._loading.acquire(blocking=False):
            return
        try:
            if self._searcher is not None:
                self._searcher.reload()
        except Exception:  # the next question tries again; answers go on meanwhile
            log.exception("could not load the collection's new generation")
        finally:
            self._loading.release()

    @property
    def generation(self) -> int:
        """The store's generation: it goes up with every committed change."""
        return self._store.generation

    def summary(self) -> dict[str, int]:
        """The collection in three numbers, for an operator: generation, documents,
        sentences."""
        docs = self.documents()
        return {
            "generation": self.generation,
            "documents": len(docs),
            "sentences": sum(d.sentences for d in docs),
        }

    def documents(self, sets: Sequence[str] | None = None) -> list[DocumentInfo]:
        """Every document (with ``sets``, in those sets), in name order, with its sentence
        count."""
        found = self._store.documents()
        if sets is None:
            return found
        mine = set(self._store.set_documents(sets))
        return [d for d in found if d.id in mine]

    def passage(
        self, sentence_id: int, radius: int, sets: Sequence[str] | None = None
    ) -> Passage | None:
        """The sentences up to ``radius`` before and after a sentence, in its document;
        None when the sentence is no longer in the collection, or (with ``sets``) not in
        their documents."""
        found = self._store.sentences([sentence_id]).get(sentence_id)
        if found is None:
            return None
        if sets is not None and found.document not in self._store.set_documents(sets):
            return None
        around = self._store.document_sentences(
            found.document, found.ordinal - radius, found.ordinal + radius
        )
        info = self.searcher.generation.documents.get(found.document)
        return Passage(info.title if info else "", around, found.ordinal)

    def integrity_ok(self) -> bool:
        """SQLite's own check of the store says ok."""
        return self._store.integrity_ok()

    # -- changing -----------------------------------------------------------------------
    def rebuild(self, paths: Sequence[Path] | None = None, progress: bool = False) -> BuildReport:
        """Make the collection hold exactly the documents under ``paths`` (default: the
        configured sources that exist), save the index files for it, answer from it. On a
        cluster, the documents are analysed by tasks on its nodes."""
        if paths is None:
            paths = [p for p in self.config.sources if p.exists()]
        farm = self._farm()
        with self._write_lock:
            report = build_index(
                self._store,
                self._analyzer,
                paths,
                progress,
                self.limits,
                farm,
                self.embedding,
            )
            started = time.perf_counter()
            self._reload()
            report.phases["index"] = time.perf_counter() - started
        return report

    @property
    def limits(self) -> Limits:
        """How big a document may be, as configured."""
        index = self.config.index
        return Limits(index.max_document_mb * 2**20, index.max_pdf_pages, index.max_ocr_pages)

    def add(
        self,
        name: str,
        raw: bytes,
        keep_copy: bool = True,
        source: str = "",
        sets: Sequence[str] | None = None,
    ) -> Document:
        """Add (or replace, by name) one document from its bytes (``source``: where it came
        from, a path or a web address), in ``sets`` when given (else a new one is in the
        default set, a replaced one in its own); with ``keep_copy`` its file is kept in the
        uploads folder, so that a rebuild keeps it. Raises DocumentError (nothing changed)
        when it cannot be read."""
        document = parse_document(name, raw, source, self.limits)
        with self._write_lock:
            if keep_copy:
                write_file_atomically(self.config.uploads_path / name, raw)
            add_document(self._store, self._analyzer, document, self.embedding, sets)
            self._reload()
        return document

    def upload(
        self,
        name: str,
        raw: bytes,
        apart_bytes: int = APART_BYTES,
        sets: Sequence[str] | None = None,
    ) -> Added:
        """Add an admin's upload (``name``: a safe file name). An earlier upload of that
        name is replaced; a name that another document already has (a seed) or the
        default ``document.txt`` gets a number instead (``تقرير-2.txt``), so an upload never
        shadows another document. Raises UploadsFull past the configured quotas and
        DocumentError for an unreadable document; either way nothing changed.

        An upload of more than ``apart_bytes`` is added by a worker process, as ``sanad
        add`` would, and then answered from here: reading and analysing a large document
        in a thread of this process would slow the answers given meanwhile. With ``sets``,
        it goes in those sets (see :meth:`add`)."""
        with self._write_lock:
            folder = self.config.uploads_path
            replaced = (folder / name).is_file() and name != DEFAULT_UPLOAD
            if not replaced:
                taken = {d.name for d in self._store.documents()} | _files(folder)
                name = unique_name(name, taken)
            self._check_quota(folder, name, len(raw))
            if len(raw) <= apart_bytes or self.cluster or str(self.config.index_path) == MEMORY:
                return Added.of(self.add(name, raw, sets=sets), name, replaced)
            context = multiprocessing.get_context("spawn")  # nothing of this process's threads
            with ProcessPoolExecutor(1, mp_context=context) as worker:
                added = worker.submit(_add_apart, self.config, name, raw, sets).result()
            self._reload()
            return replace(added, replaced=replaced)

    def _check_quota(self, folder: Path, name: str, size: int) -> None:
        index = self.config.index
        kept = {  # every format's kept copy (half-written ones aside)
            p.name: p.stat().st_size
            for p in (folder.iterdir() if folder.is_dir() else ())
            if p.is_file() and TMP_MARK not in p.name
        }
        kept.pop(name, None)  # a replacement takes the place of the old copy
        if len(kept) + 1 > index.uploads_max_files:
            raise UploadsFull(f"{len(kept)} documents kept; the limit is {index.uploads_max_files}")
        if sum(kept.values()) + size > index.uploads_max_mb * 2**20:
            raise UploadsFull(f"{index.uploads_max_mb} MB of documents kept at most")

    def remove(self, names: Sequence[str]) -> None:
        """Remove documents by name (and their kept upload copies). Raises DocumentError
        naming the first unknown one (nothing changed)."""
        with self._write_lock:
            stored = {d.name for d in self._store.documents()}
            unknown = [n for n in names if n not in stored]
            if unknown:
                raise DocumentError(f"{unknown[0]}: no such document in the collection")
            self._store.sync([], keep=stored - set(names), signature=self._analyzer.signature)
            for name in names:
                (self.config.uploads_path / name).unlink(missing_ok=True)
            self._reload()

    def _reload(self) -> None:
        """Save the index files for the store as it is now (so that every reader loads them
        instead of building them) and answer from them."""
        if self._searcher is not None:
            with self._loading:  # not loaded twice: following the store waits for this
                self._searcher.reload()
        elif self.cluster:
            self._shard_set().write(self._store)
        else:
            ensure_index_files(self._store, self.config.bm25)

    def close(self) -> None:
        with self._loading:  # a generation being loaded in the background finishes first
            if self._shards is not None:
                self._shards.close()
            self._store.close()
            for cache in self.embedding.caches if self.embedding else ():
                cache.close()
        if self._scratch is not None:
            shutil.rmtree(self._scratch, ignore_errors=True)

    def __enter__(self) -> Collection:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def embedding_for(config: Config) -> Embedding | None:
    """How the configured collection gets its sentences' vectors (None: matching by
    meaning is off)."""
    if not config.semantic.enabled:
        return None
    from index.retrieval.encoder import E5Encoder

    cache = config.vector_cache_path
    return Embedding(E5Encoder(), (VectorCache.file(cache),) if cache else ())


DEFAULT_UPLOAD = "document.txt"  # the name of an upload that came with none


def _add_apart(config: Config, name: str, raw: bytes, sets: Sequence[str] | None = None) -> Added:
    """In a worker process: add one upload to the configured collection (its kept copy,
    its sentences and the index files for the new generation)."""
    with Collection.open(config, prepare=False) as collection:
        return Added.of(collection.add(name, raw, sets=sets), name)


def _files(folder: Path) -> set[str]:
    return {p.name for p in folder.iterdir()} if folder.is_dir() else set()


def _remove_index(path: Path) -> None:
    """An index file just made and left empty, with its journal and engine files."""
    for leftover in (path, *(path.with_name(path.name + end) for end in ("-wal", "-shm"))):
        leftover.unlink(missing_ok=True)
    shutil.rmtree(path.with_name(path.name + ".engine"), ignore_errors=True)
    if path.parent.is_dir() and not any(path.parent.iterdir()):
        path.parent.rmdir()  # the data folder it made for it


def _say(out: TextIO | None, line: str) -> None:
    if out is not None:
        print(line, file=out)
