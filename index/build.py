"""Bring the store up to date with a set of documents, re-analysing only what changed."""

from __future__ import annotations

import os
import time
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

import numpy as np
from tqdm import tqdm

from index.reading.blocks import Limits
from index.reading.documents import (
    Document,
    DocumentError,
    ScannedDocument,
    find_documents,
    parse_document,
    unique_name,
)
from index.reading.sentences import Sentence
from index.retrieval.vectors import Embedding
from index.storage.store import AnalysedDocument, Store
from index.text.analysis import Analyzer


@dataclass(slots=True)
class BuildReport:
    """What a build did, for its closing summary."""

    documents: int = 0
    sentences: int = 0
    words: int = 0
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)
    scanned: list[str] = field(default_factory=list)  # "name: why", documents with no text
    seconds: float = 0.0
    phases: dict[str, float] = field(default_factory=dict)  # seconds: read, analyse, store, index
    encoded: int = 0  # sentences the encoder read (the others' vectors were kept)

    @property
    def changed(self) -> bool:
        return bool(self.added or self.updated or self.removed)

    def summary(self, where: Path) -> str:
        """The closing lines of a build (``where``: the index it wrote)."""
        unchanged = self.documents - len(self.added) - len(self.updated)
        lines = []
        links = [p for p in self.ignored if p.lower().endswith(".txt")]  # text, but links out
        other = [p for p in self.ignored if p not in links]
        if other:
            lines.append(
                f"ignored {counted(len(other), 'file')} in formats Sanad does not read: "
                + ", ".join(other)
            )
        if links:
            lines.append(
                f"did not follow {counted(len(links), 'link')} out of their folder: "
                + ", ".join(links)
            )
        lines += [f"skipped {scan}" for scan in self.scanned]
        if "encode" in self.phases:
            kept = max(0, self.sentences - self.encoded)
            lines.append(
                f"vectors: {counted(self.encoded, 'sentence')} encoded in "
                f"{self.phases['encode']:.1f} s" + (f", {kept:,} kept from before" if kept else "")
            )
        lines.append(
            f"indexed {counted(self.documents, 'document')} ({len(self.added)} added, "
            f"{len(self.updated)} updated, {len(self.removed)} removed, {unchanged} unchanged): "
            f"{counted(self.sentences, 'sentence')}, {counted(self.words, 'word')} in"
            f" {self.seconds:.1f} s "
            f"→ {where}"
        )
        return "\n".join(lines)


def counted(n: int, noun: str) -> str:
    """``n`` and the noun, singular or plural as the number wants.

    >>> counted(1, "document"), counted(3, "document"), counted(0, "file")
    ('1 document', '3 documents', '0 files')
    """
    return f"{n:,} {noun}" if n == 1 else f"{n:,} {noun}s"


class Farm(Protocol):
    """Machines a build sends its work to (a Ray cluster's:
    :class:`index.cluster.tasks.RayFarm`), doing what this module does on this one."""

    encode_chunk: int  # sentences sent out to be encoded at once

    def analyse(self, chunks: list[list[Document]], segmenter: str) -> list[tuple[str, ...]]:
        """Each sentence's terms (:func:`analyse_chunk_with` of every chunk), in order."""
        ...

    def parse(
        self, files: Iterable[tuple[str, bytes, str]], limits: Limits | None
    ) -> list[Document | DocumentError]:
        """:func:`parse_or_error` of every file (name, bytes, source), in order."""
        ...

    def encode(self, texts: list[str]) -> np.ndarray:
        """The passages' vectors, in order."""
        ...


PARALLEL_FROM = 20_000  # sentences; below this, worker processes cost more than they save
CHUNK_SENTENCES = 5_000


def analyse_documents(
    documents: Sequence[Document],
    analyzer: Analyzer,
    progress: bool = False,
    farm: Farm | None = None,
) -> list[AnalysedDocument]:
    """Index terms for every sentence of every document, on every core for big batches
    (with a ``farm``: on its machines)."""
    total = sum(len(d.sentences) for d in documents)
    workers = min(os.cpu_count() or 1, 8)
    if farm is not None and documents:
        terms = farm.analyse(_chunks(documents), analyzer.segmenter.name)
        return [AnalysedDocument(d, t) for d, t in zip(documents, terms, strict=True)]
    with tqdm(total=total, unit="sentence", disable=not progress or None, leave=False) as bar:
        if total < PARALLEL_FROM or workers < 2:
            out = []
            for doc in documents:
                out.append(AnalysedDocument(doc, _sentence_terms(analyzer, doc)))
                bar.update(len(doc.sentences))
            return out
        chunks = _chunks(documents)
        terms = []
        with ProcessPoolExecutor(
            workers, initializer=_start_worker, initargs=(analyzer.segmenter.name,)
        ) as pool:
            for chunk, result in zip(chunks, pool.map(_analyse_chunk, chunks), strict=True):
                terms.extend(result)
                bar.update(sum(len(d.sentences) for d in chunk))
        return [AnalysedDocument(d, t) for d, t in zip(documents, terms, strict=True)]


def _sentence_terms(analyzer: Analyzer, doc: Document) -> tuple[str, ...]:
    return tuple(" ".join(analyzer.terms(s.text)) for s in doc.sentences)


def _chunks(documents: Sequence[Document]) -> list[list[Document]]:
    chunks: list[list[Document]] = [[]]
    size = 0
    for doc in documents:
        if size >= CHUNK_SENTENCES:
            chunks.append([])
            size = 0
        chunks[-1].append(doc)
        size += len(doc.sentences)
    return chunks


_worker_analyzer: Analyzer | None = None  # one per worker process, made by _start_worker


def _start_worker(segmenter: str) -> None:
    global _worker_analyzer
    from index.text.camel import make_segmenter

    _worker_analyzer = Analyzer(make_segmenter(segmenter))


def _analyse_chunk(chunk: list[Document]) -> list[tuple[str, ...]]:
    assert _worker_analyzer is not None
    return [_sentence_terms(_worker_analyzer, doc) for doc in chunk]


def analyse_chunk_with(segmenter: str, chunk: list[Document]) -> list[tuple[str, ...]]:
    """:func:`_analyse_chunk` in a worker that may not have its analyzer yet (a Ray task)."""
    if _worker_analyzer is None or _worker_analyzer.segmenter.name != segmenter:
        _start_worker(segmenter)
    return _analyse_chunk(chunk)


def read_documents(
    paths: Sequence[Path],
    limits: Limits | None = None,
    scanned: list[str] | None = None,
    farm: Farm | None = None,
) -> tuple[list[Document], list[Path]]:
    """Parse every document under ``paths``; any bad one stops everything (DocumentError).
    Files of the same name keep the first one's name; later ones get a number
    (``تقرير-2.txt``), so an upload named like a seed never stops a build. With a
    ``farm``, the files read here are parsed (text extracted, sentences split) on its
    machines, the same way."""
    files, ignored = find_documents(list(paths))
    limit = (limits or Limits()).max_bytes
    seen: set[str] = set()

    def raw_files() -> Iterator[tuple[str, bytes, str]]:
        for file in files:
            name = unique_name(file.name, seen)  # a later file of the same name: a number
            seen.add(name)
            try:
                if file.stat().st_size > limit:  # refused before it is read
                    raise DocumentError(f"{file}: too large (the limit is {limit:,} bytes)")
                yield name, file.read_bytes(), str(file)
            except OSError as exc:
                raise DocumentError(f"{file}: cannot read ({exc.strerror})") from None

    if farm is not None and files:
        parsed: Iterable[Document | DocumentError] = farm.parse(raw_files(), limits)
    else:
        parsed = (parse_or_error(item, limits) for item in raw_files())
    documents: list[Document] = []
    for result in parsed:
        if isinstance(result, ScannedDocument) and scanned is not None:
            scanned.append(str(result))  # nothing to index in it: skipped, and said so
        elif isinstance(result, DocumentError):
            raise result
        else:
            documents.append(result)
    return documents, ignored


def parse_or_error(item: tuple[str, bytes, str], limits: Limits | None) -> Document | DocumentError:
    """One file's document (name, bytes, source), or why it cannot be read."""
    try:
        return parse_document(*item, limits)
    except DocumentError as exc:
        return exc


def parse_batch(items: list[tuple[str, bytes, str]], limits: Limits | None) -> list:
    """:func:`parse_or_error` for each file of a batch (a Ray task)."""
    return [parse_or_error(item, limits) for item in items]


def build_index(
    store: Store,
    analyzer: Analyzer,
    paths: Sequence[Path],
    progress: bool = False,
    limits: Limits | None = None,
    farm: Farm | None = None,
    embedding: Embedding | None = None,
) -> BuildReport:
    """Make the store hold exactly the documents under ``paths``.

    Unchanged documents (same sha256, same analysis) are kept as they are. Nothing is
    written unless every document reads cleanly, and the write is one transaction. With
    an ``embedding``, every sentence's vector is kept first (only sentences no cache has
    are encoded).
    """
    started = time.perf_counter()
    scanned: list[str] = []
    documents, ignored = read_documents(paths, limits, scanned, farm)
    if not documents:
        where = ", ".join(str(p) for p in paths)
        if scanned:  # scans and nothing else: say why each was not read, in one line
            raise DocumentError(f"no document to index in {where}: " + "; ".join(scanned))
        raise DocumentError(f"no documents found in {where}")
    read = time.perf_counter()
    stored = {info.name: info.sha256 for info in store.documents()}
    same_analysis = store.signature == analyzer.signature
    changed = [d for d in documents if not (same_analysis and stored.get(d.name) == d.sha256)]
    analysed = analyse_documents(changed, analyzer, progress, farm)
    names = {d.name for d in documents}
    done = time.perf_counter()
    report = BuildReport(ignored=[str(p) for p in ignored], scanned=scanned)
    report.phases = {"read": read - started, "analyse": done - read}
    if embedding is not None:
        encode = None if farm is None or not changed else (farm.encode, farm.encode_chunk)
        report.encoded = embedding.keep(store, changed, progress, encode)
        report.phases["encode"] = time.perf_counter() - done
        done = time.perf_counter()
    store.sync(analysed, keep=names, signature=analyzer.signature)
    report.phases["store"] = time.perf_counter() - done
    report.added = [d.name for d in changed if d.name not in stored]
    report.updated = [d.name for d in changed if d.name in stored]
    report.removed = sorted(set(stored) - names)
    report.documents = len(documents)
    report.sentences = sum(len(d.sentences) for d in documents)
    report.words = sum(len(s.text.split()) for d in documents for s in d.sentences)
    report.seconds = time.perf_counter() - started
    return report


def add_document(
    store: Store,
    analyzer: Analyzer,
    document: Document,
    embedding: Embedding | None = None,
    sets: Sequence[str] | None = None,
) -> AnalysedDocument:
    """Add (or replace, by name) one document, leaving every other one as it is (with an
    ``embedding``, its sentences' vectors kept first; with ``sets``, in those sets from the
    moment it is stored; else a replaced one stays in its sets)."""
    [analysed] = analyse_documents([document], analyzer)
    if embedding is not None:
        embedding.keep(store, [document])
    store.sync([analysed], keep=None, signature=analyzer.signature, sets=sets)
    return analysed


def reanalyse(store: Store, analyzer: Analyzer) -> int:
    """Re-analyse every stored document from its stored sentences (the analysis changed;
    the sources may be gone, and a PDF or a web page is not read again).

    Returns how many documents were re-analysed.
    """
    documents = []
    for info in store.documents():
        sentences = tuple(
            Sentence(s.text, s.start, s.end, s.paragraph, s.heading, s.page, s.section)
            for s in store.document_sentences(info.id, 1, info.sentences)
        )
        text = store.document_text(info.id)
        documents.append(
            Document(info.name, info.title, text, info.sha256, sentences, info.kind, info.source)
        )
    store.sync(analyse_documents(documents, analyzer), keep=None, signature=analyzer.signature)
    return len(documents)
