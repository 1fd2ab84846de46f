"""Answer one question from one generation of the index: parse, rank, check, cite."""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field, replace
from typing import TypeVar

import numpy as np

from index.question.phrases import answer_phrase
from index.question.query import Query, parse_query
from index.question.speech import speech_ranking
from index.retrieval.answers import (
    BY_MEANING_ONLY,
    DAMAGE,
    Answer,
    Hit,
    answers,
    evidence,
    meaningful,
    worded,
)
from index.retrieval.highlight import matched_spans
from index.retrieval.parts import Prefetched
from index.retrieval.rerank import Reranker, fuse
from index.retrieval.scope import ScopedDense, ScopedScorer
from index.retrieval.scoring import BM25Params, Scorer
from index.retrieval.segments import IndexFiles, ensure_index_files, set_gram_stats
from index.retrieval.settings import SearchSettings, SemanticSettings
from index.retrieval.titles import Titles
from index.retrieval.vectors import Embedding, Nearest
from index.storage.rows import Rows
from index.storage.store import DocumentInfo, Store, StoredSentence
from index.text.analysis import Analyzer

# Second stage (index.retrieval.rerank): the engine's best RERANK_POOL sentences and their
# neighbours are re-ranked as passages, on stems and character n-grams.
RERANK_POOL = 15
# Matching by meaning (index.retrieval.vectors; the ``[semantic]`` section): the encoder's
# nearest ``candidates`` sentences join the pool, and the second stage's ranking is fused
# with the candidates' cosines (index.retrieval.rerank.fuse), ``weight`` theirs when the
# best sentence holds every word of the question, up to twice that when it holds none. A
# question whose words match too little is answered by meaning alone when its nearest
# sentence's cosine reaches ``min_similarity`` and stands MIN_MARGIN above the question's
# mean cosine over the collection; there a sentence's neighbours count MEANING_CONTEXT of
# theirs. Measured with the seed article alone (bench/offtopic.py): 96.2 / 92.8 / 94.0 % of
# the three dev sets' questions are turned away (by the words alone: 96.1 / 91.5 / 93.9 %),
# and all 7 Arabic paraphrases of seed-paraphrase-dev are close enough.
# A question in another language is farther from every Arabic sentence, on topic or not:
# it needs MIN_SIMILARITY_OTHER, which (with MIN_MARGIN) turns away 99.7 % of XQuAD's
# English questions asked of the seed article and answers 93 % of them asked of XQuAD's
# sentences (in one large collection, questions about its other topics too: the encoder
# cannot tell them apart there). It must be in words (index.retrieval.answers.worded):
# markup, an address or a lone word sit as near the seed's sentences as its real questions do.
MIN_MARGIN = 0.025
MIN_SIMILARITY_OTHER = 0.77
MEANING_CONTEXT = 0.2
MEANING_POOL = 50
K = TypeVar("K")
V = TypeVar("V")
SCOPES_KEPT = 128  # narrowed generations kept (chats' sets, asked again and again)


@dataclass(frozen=True, slots=True)
class Generation:
    """One generation of the index, as a question reads it from start to end."""

    engine: Scorer
    ids: np.ndarray  # the store's sentence id of each engine document number
    documents: Mapping[int, DocumentInfo]
    reranker: Reranker
    number: int = 0  # the store's generation it was loaded for (or one before)
    dense: Nearest | None = None  # the sentences' vectors, when matching by meaning is on
    # how far a document's text may be from what was written, where it may (answers.DAMAGE)
    damage: Mapping[int, int] = field(default_factory=dict)
    owners: np.ndarray | None = None  # each sentence's document (read when sets exist)
    ocr: np.ndarray | None = None  # which sentences were read by OCR (None: none was)

    def misread(self, term: str) -> bool:
        """Whether ``term`` stands in a sentence read by OCR (where a question's word may
        stand with a dot out of place: :func:`index.question.query.parse_query`)."""
        if self.ocr is None or self.engine.idf_of(term) is None:
            return False
        return bool(self.ocr[self.engine.matched([term])].any())

    @property
    def count(self) -> int:
        """How many sentences the question is answered from (a chat's sets', or all)."""
        engine = self.engine
        return len(engine.numbers) if isinstance(engine, ScopedScorer) else engine.size


@dataclass(frozen=True, slots=True)
class Meaning:
    """Matching by meaning: the encoder and its caches, and the ``[semantic]`` section as
    configured (how much its cosine counts, how many of its nearest sentences join)."""

    embedding: Embedding
    settings: SemanticSettings


class Searcher:
    """Answers questions from a store. Holds the engine for the store's generation;
    :meth:`reload` loads the next one. Safe to share between threads."""

    def __init__(
        self,
        store: Store,
        analyzer: Analyzer,
        params: BM25Params | None = None,
        settings: SearchSettings | None = None,
        load: Callable[[Store, BM25Params], IndexFiles] = ensure_index_files,
        meaning: Meaning | None = None,
    ):
        self.store = store
        self.meaning = meaning
        self.load = load  # the engine for a generation: local files, or shards elsewhere
        self.analyzer = analyzer
        self.params = params or BM25Params()
        self.settings = settings or SearchSettings()
        self._lock = threading.Lock()
        # narrowed generations, by (generation, sets' version, sets): see :meth:`scoped`
        self._scopes: dict[tuple[int, int, frozenset[str]], Generation] = {}
        # a set's second stage, by its documents' ids: see :meth:`scoped`
        self._stages: dict[tuple[int, ...], Reranker] = {}
        self._owners: tuple[int, np.ndarray] | None = None  # (sets made after a load)
        self.reload()

    def reload(self) -> None:
        """Load the engine for the store's current generation (see
        :func:`index.retrieval.segments.ensure_index_files`;
        :meth:`index.cluster.actors.ShardSet.files`)."""
        number = self.store.generation  # read first: what is loaded is at least this one
        self.use(self.load(self.store, self.params), number)

    def use(self, files: IndexFiles, number: int = 0) -> None:
        """Answer from now on from these index files."""
        documents = {d.id: d for d in self.store.documents()}
        reranker = Reranker(files.stats, self.settings, Titles(documents, self.analyzer.terms))
        ids = np.asarray(files.ids, dtype=np.int64)
        dense = None
        if self.meaning is not None:
            dense = files.dense or self.meaning.embedding.dense(self.store, ids)
        # each sentence's document, read with the generation (off any question's path)
        # when chats may be answered from sets of documents
        owners = self.store.sentence_documents(ids) if self.store.has_sets() else None
        scans = [i for i, d in documents.items() if d.kind == "ocr"]
        ocr = None
        if scans:
            ocr = np.isin(self.store.sentence_documents(ids) if owners is None else owners, scans)
        damage = {i: DAMAGE[d.kind] for i, d in documents.items() if d.kind in DAMAGE}
        with self._lock:
            current = getattr(self, "_generation", None)
            if current is None or number >= current.number:  # never back to an older one
                self._generation = Generation(
                    files.engine, ids, documents, reranker, number, dense, damage, owners, ocr
                )

    @property
    def generation(self) -> Generation:
        with self._lock:
            return self._generation

    @property
    def engine(self) -> Scorer:
        return self.generation.engine

    def parse(self, question: str, generation: Generation | None = None) -> Query | str:
        """The question parsed against a generation's vocabulary, or why it cannot be."""
        now = generation or self.generation
        misread = now.misread if now.ocr is not None else None
        return parse_query(question, self.analyzer, now.engine.idf_of, misread)

    def scoped(self, now: Generation, sets: Sequence[str]) -> Generation:
        """``now`` narrowed to the documents of ``sets``: scored as if they were the whole
        collection (exact BM25Okapi over them: :class:`index.retrieval.scope.ScopedScorer`),
        nearest sentences among them only. Kept for the next question of the same sets."""
        key = (now.number, self.store.sets_version, frozenset(sets))
        with self._lock:
            found = self._scopes.get(key)
        if found is not None:
            return found
        owners = now.owners
        if owners is None:  # the first sets were made after this generation was loaded
            made = self._owners
            if made is None or made[0] != now.number or len(made[1]) != len(now.ids):
                made = self._owners = (now.number, self.store.sentence_documents(now.ids))
            owners = made[1]
        mine = self.store.set_documents(sorted(sets))
        members = np.isin(owners, mine)
        dense = None if now.dense is None else ScopedDense(now.dense, members)
        # the second stage's statistics too (letter grams, titles) are the sets' alone: a
        # chat's answers do not move when another chat's sets change, and they are kept
        # by the sets' documents, for the next generations while those stay as they are
        # (the grams on disk too: counted once, whichever process asks first)
        reranker = self._stages.get(tuple(mine))
        if reranker is None:
            documents = {i: now.documents[i] for i in mine if i in now.documents}
            titles = Titles(documents, self.analyzer.terms)
            contents = (d.sha256 for d in documents.values())
            stats = set_gram_stats(self.store, now.ids[members], contents)
            reranker = Reranker(stats, self.settings, titles)
        engine = ScopedScorer(now.engine, members)
        found = replace(now, engine=engine, dense=dense, reranker=reranker)
        with self._lock:
            _keep(self._scopes, key, found)
            _keep(self._stages, tuple(mine), reranker)
        return found

    def ask(self, question: str, k: int | None = None, sets: Sequence[str] | None = None) -> Answer:
        """The ``k`` best sentences for ``question``, best first.

        A question about what someone said («ماذا قال X عن Y؟») ranks the sentences X is
        speaking in (named or not: see :mod:`index.question.speakers`) that concern Y first; the
        reporting verb is the question's frame, not a word to match. With matching by
        meaning on, the encoder's nearest sentences are candidates too, and a question in
        other words or another language is answered when it is close enough in meaning."""
        k = self.settings.top_k if k is None else k
        now = self.generation if sets is None else self.scoped(self.generation, sets)
        query = self.parse(question, now)
        vector = self._vector(question, query, now)
        if isinstance(query, str):
            if vector is not None and query in BY_MEANING_ONLY:
                return self._by_meaning(question, vector, k, now, other=query == "not_arabic")
            return Answer(question, reason=query)
        engine = now.engine
        if engine.size == 0:
            return Answer(question, reason="no_documents")
        pool = engine.top_k(query.stems, max(k, RERANK_POOL), matched_only=True)
        near = self._near(vector, now)
        nearest = {n for n, _ in near}
        close = self._close(near, vector, now)
        if not pool:
            if close and vector is not None:
                return self._by_meaning(question, vector, k, now, query)
            return Answer(question, reason="no_match")
        numbers = list(dict.fromkeys([d for d, _ in pool] + [n for n, _ in near]))
        scored, needed = Reranker.candidates(numbers, engine.size)
        if isinstance(engine, ScopedScorer):  # a neighbour in another set is no candidate
            scored, needed = engine.within(scored), engine.within(needed)
        engine = Prefetched(engine, list(dict.fromkeys(query.stems)), needed)
        share = evidence(query.stems, pool[0][0], engine, now.count)
        if share < self.settings.min_evidence and not close:
            return Answer(question, reason="no_match")  # too small a part of the question
        rows = Rows(self.store, now.ids)
        found = rows.get(needed)  # one query: the pool, its neighbours and theirs
        ranked: list[tuple[int, float]] = []
        speakers: dict[int, str] = {}
        if query.speech is not None:
            ranked, speakers = speech_ranking(query.speech, pool, rows, engine, now.documents)
            ranked, also = answers(ranked, rows, k, now.damage)
        if not ranked:  # not a speech question, or its speaker never speaks there
            ranked = now.reranker.rank(query, scored, found, engine, nearest, now.count)
            ranked, also = answers(self._fused(vector, ranked, now, share), rows, k, now.damage)
            if not ranked or (
                self._gram_evidence(query, ranked[0][0], found, now) < self.settings.min_evidence
                and not close
            ):
                return Answer(question, reason="no_match")  # nor do its words' letters
        hits = self._hits(query, ranked, speakers, also, rows, now, nearest)
        return Answer(question, hits, kind=query.answer_type)

    def _close(
        self,
        near: list[tuple[int, float]],
        vector: np.ndarray | None,
        now: Generation,
        other_language: bool = False,
    ) -> bool:
        """The nearest sentence is close enough in meaning to answer by (see
        MIN_SIMILARITY)."""
        if not near or vector is None or now.dense is None or self.meaning is None:
            return False
        top = near[0][1]
        least = MIN_SIMILARITY_OTHER if other_language else self.meaning.settings.min_similarity
        return top >= least and top - now.dense.baseline(vector) >= MIN_MARGIN

    def _vector(self, question: str, query: Query | str, now: Generation) -> np.ndarray | None:
        """The question's vector, when matching by meaning is on and the question can be
        asked at all. (Encoded here: in another thread the encoder runs on one core,
        measured 27 ms against 19, more than the lexical engine's few ms it would hide.)"""
        if self.meaning is None or now.dense is None or not now.dense.size:
            return None
        if isinstance(query, str) and (query not in BY_MEANING_ONLY or not worded(question)):
            return None
        return self.meaning.embedding.encoder.queries([question.strip()])[0]

    def _near(self, vector: np.ndarray | None, now: Generation) -> list[tuple[int, float]]:
        """The encoder's nearest sentences to the question (none when matching by meaning
        is off)."""
        if vector is None or now.dense is None or self.meaning is None:
            return []
        return now.dense.top(vector, self.meaning.settings.candidates)

    def _fused(
        self,
        vector: np.ndarray | None,
        ranked: list[tuple[int, float]],
        now: Generation,
        share: float,
    ) -> list[tuple[int, float]]:
        """The second stage's ranking fused with the question's cosines (see
        :func:`index.retrieval.rerank.fuse`); as it is when matching by meaning is off. The cosines
        count more as the question's words match less: the weight, times 2 less the
        ``share`` of the question's words the best sentence holds (:func:`evidence`)."""
        if vector is None or now.dense is None or self.meaning is None:
            return ranked
        cosines = now.dense.cosines(vector, [n for n, _ in ranked])
        return fuse(ranked, cosines, min(1.0, self.meaning.settings.weight * (2 - share)))

    def _by_meaning(
        self,
        question: str,
        vector: np.ndarray,
        k: int,
        now: Generation,
        query: Query | None = None,
        other: bool = False,
    ) -> Answer:
        """The answer by meaning alone, for a question none of whose words the collection
        has (or not in Arabic): the nearest sentences, each with its neighbours' cosines
        counting MEANING_CONTEXT of its own; "no answer" when even the nearest is not close
        enough."""
        dense = now.dense
        if dense is None or not dense.size:
            return Answer(question, reason="no_match")
        near = dense.top(vector, max(MEANING_POOL, k))
        size = dense.size
        around = sorted({n + d for n, _ in near for d in (-1, 0, 1) if 0 <= n + d < size})
        rows = Rows(self.store, now.ids)
        found = rows.get(around)
        near = [(n, c) for n, c in near if n in found and meaningful(found[n])]
        if not self._close(near, vector, now, other):
            return Answer(question, reason="no_match")
        base = dense.baseline(vector)
        cosine = dict(zip(around, (dense.cosines(vector, around) - base).tolist(), strict=True))
        ranked = []
        for number, _ in near:
            row = found[number]
            score = cosine[number]
            for other_number in (number - 1, number + 1):
                neighbour = found.get(other_number)
                if neighbour is not None and neighbour.document == row.document:
                    score += MEANING_CONTEXT * cosine[other_number]
            ranked.append((number, score))
        ranked.sort(key=lambda hit: (-hit[1], hit[0]))
        kept, also = answers(ranked, rows, k, now.damage)
        hits = self._hits(query, kept, {}, also, rows, now, {n for n, _ in near})
        return Answer(question, hits, kind=query.answer_type if query else None)

    @staticmethod
    def _gram_evidence(
        query: Query, number: int, found: Mapping[int, StoredSentence], now: Generation
    ) -> float:
        """Share of the question's gram weight that sentence ``number`` holds (with its
        document's title)."""
        row = found[number]
        return now.reranker.gram_evidence(query.grams, number, row.text, now.count, row.document)

    def _hits(
        self,
        query: Query | None,
        ranked: list[tuple[int, float]],
        speakers: Mapping[int, str],
        also: Mapping[int, list[int]],
        rows: Rows,
        now: Generation,
        near: AbstractSet[int] = frozenset(),
    ) -> tuple[Hit, ...]:
        """The ranked sentences as hits: cited, their matched words found (a hit among the
        encoder's nearest with none of them is marked as found by meaning)."""
        found = rows.get([n for n, _ in ranked] + [n for same in also.values() for n in same])
        hits = []
        for rank, (number, score) in enumerate(ranked):
            row = found[number]
            info = now.documents[row.document]
            spans = matched_spans(row.text, query.matched, self.analyzer) if query else ()
            hits.append(
                Hit(
                    text=row.text,
                    document=info.name,
                    title=info.title,
                    ordinal=row.ordinal,
                    sentence_count=info.sentences,
                    score=score,
                    spans=spans,
                    sentence_id=row.id,
                    speaker=speakers.get(number, ""),
                    page=row.page,
                    section=row.section if row.section != info.title else "",
                    url=info.source if info.source.startswith(("http://", "https://")) else "",
                    also=tuple(
                        dict.fromkeys(
                            now.documents[found[n].document].title
                            for n in also.get(number, ())
                            if found[n].document != row.document
                        )
                    ),
                    copies=tuple(
                        sorted(
                            found[n].ordinal
                            for n in also.get(number, ())
                            if found[n].document == row.document
                        )
                    ),
                    answer=answer_phrase(row.text, query.answer_type, query.asked)
                    if rank == 0 and query
                    else None,
                    meaning=not spans and number in near,
                    ocr=info.kind == "ocr",
                )
            )
        return tuple(hits)


def _keep(cache: dict[K, V], key: K, value: V) -> None:
    """Keep ``value`` in ``cache``, the oldest entries let go past SCOPES_KEPT."""
    while len(cache) >= SCOPES_KEPT:
        cache.pop(next(iter(cache)))
    cache[key] = value
