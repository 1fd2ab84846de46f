"""Answer one question from one generation of the index: parse, rank, check, cite."""

from __future__ import annotations

import math
import re
import threading
from collections.abc import Callable, Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from index.analysis import Analyzer, has_arabic, text_words
from index.engine import BM25Params, Scorer
from index.highlight import Spans, matched_spans
from index.phrases import answer_phrase
from index.query import REASONS, Query, parse_query
from index.questions import AnswerType
from index.rerank import Reranker, Weights, fuse
from index.rows import Rows
from index.segments import IndexFiles, ensure_index_files
from index.speech import speech_ranking
from index.store import DocumentInfo, Store, StoredSentence
from index.titles import Titles
from index.vectors import Embedding, Nearest

if TYPE_CHECKING:  # (the config imports this module's defaults)
    from index.config import SemanticSettings

# The engine's best sentence must match at least this share of the question's stem idf
# weight (words the index has never seen counting as the rarest), and the answer's first
# sentence this share of its character-gram idf weight; else the answer is "no answer".
# Measured: 0.19 keeps 98.8 % of XQuAD-ar's answerable questions answered and turns away
# 96.4 % of its questions asked of the seed article alone.
MIN_EVIDENCE = 0.19
# Second stage (index.rerank): the engine's best RERANK_POOL sentences and their neighbours
# are re-ranked as passages, on stems and character n-grams.
RERANK_POOL = 15
TOP_K = 3  # sentences in an answer unless asked for more (search.top_k)
# Matching by meaning (index.vectors; ``[semantic]`` in config): the encoder's nearest
# SEMANTIC_CANDIDATES sentences join the pool, and the second stage's ranking is fused with
# the candidates' cosines (index.rerank.fuse), SEMANTIC_WEIGHT theirs when the best sentence
# holds every word of the question, up to twice that when it holds none. A question whose
# words match too little is answered by meaning alone when its nearest sentence's cosine
# reaches MIN_SIMILARITY and stands MIN_MARGIN above the question's mean cosine over the
# collection; there a sentence's neighbours count MEANING_CONTEXT of theirs. Measured with
# the seed article alone (bench/offtopic.py): 96.2 / 92.8 / 94.0 % of the three dev sets'
# questions are turned away (by the words alone: 96.1 / 91.5 / 93.9 %), and all 7 Arabic
# paraphrases of seed-paraphrase-dev are close enough.
# A question in another language is farther from every Arabic sentence, on topic or not:
# it needs MIN_SIMILARITY_OTHER, which (with MIN_MARGIN) turns away 99.7 % of XQuAD's
# English questions asked of the seed article and answers 93 % of them asked of XQuAD's
# sentences (in one large collection, questions about its other topics too: the encoder
# cannot tell them apart there). It must be in words (see :func:`worded`): markup, an
# address or a lone word sit as near the seed's sentences as its real questions do.
SEMANTIC_WEIGHT = 0.3
SEMANTIC_CANDIDATES = 10
MIN_SIMILARITY = 0.82
MIN_MARGIN = 0.025
MIN_SIMILARITY_OTHER = 0.77
MIN_WORDS_OTHER = 2
MEANING_CONTEXT = 0.2
MEANING_POOL = 50
# A sentence answers by meaning alone only with this many words: short ones («المصدر:
# تاس», a caption) sit near every question, however unrelated.
MEANING_MIN_WORDS = 5
# How a hit found by meaning alone is marked, wherever it is shown (it has no bold words).
MEANING_LABEL = "≈ بالمعنى"
# Questions the lexical engine cannot read that the encoder may still answer.
BY_MEANING_ONLY = frozenset(["not_arabic"])


@dataclass(frozen=True, slots=True, kw_only=True)
class Hit:
    """One answering sentence: its original text, where it is, and what matched."""

    text: str
    document: str  # the document's name (its file name)
    title: str
    ordinal: int  # the sentence's place in its document, from 1
    sentence_count: int  # how many sentences the document has
    score: float
    spans: Spans  # the matched words, as character offsets in ``text``
    sentence_id: int
    speaker: str = ""  # who says it, for a question about what someone said
    page: int | None = None  # the page it is on (PDF)
    section: str = ""  # the heading of its section (Word, web page, Markdown, a text's heading)
    url: str = ""  # the web page it came from
    also: tuple[str, ...] = ()  # titles of other documents that hold the same sentence
    copies: tuple[int, ...] = ()  # where else in its document it stands (its ordinals)
    answer: tuple[int, int] | None = None  # the phrase that answers a factoid question
    meaning: bool = False  # found by meaning alone: no word of the question is in it


@dataclass(frozen=True, slots=True)
class Answer:
    """The ranked hits for a question, or an empty answer with the reason."""

    question: str
    hits: tuple[Hit, ...] = ()
    reason: str | None = None
    kind: AnswerType | None = None  # what the question asks for (index.questions)

    @property
    def empty(self) -> bool:
        return not self.hits

    @property
    def message(self) -> str | None:
        """The Arabic explanation of an empty answer."""
        return REASONS.get(self.reason) if self.reason else None


def evidence(stems: tuple[str, ...], number: int, engine: Scorer) -> float:
    """Share of the question's stem idf weight that sentence ``number`` holds (read from
    the engine's postings); a question word no document has weighs as much as a word in no
    document could (log(2N + 1)).

    >>> from index.engine import Engine
    >>> e = Engine([["روس", "اوزبكست"], ["روس"], ["كازاخست"], ["طشقند"]])
    >>> round(evidence(("اوزبكست", "روس"), 0, e), 2)
    1.0
    >>> round(evidence(("اوزبكست", "برازيل"), 0, e), 2)
    0.28
    """
    unseen = math.log(2 * engine.size + 1)
    known = {t: engine.idf_of(t) for t in set(stems)}
    weights = {t: max(unseen if idf is None else idf, 0.0) for t, idf in known.items()}
    total = sum(weights.values())
    if total <= 0:
        return 1.0
    held = engine.term_matrix(list(weights), np.asarray([number]))[:, 0]
    return sum(w for (t, w), n in zip(weights.items(), held, strict=True) if n) / total


def near_copies(a: frozenset[str], b: frozenset[str]) -> bool:
    """Two sentences' word sets are the same sentence, give or take a parenthesis, a word
    or a footnote mark: both have five words or more, the smaller is nine tenths inside the
    larger, and every number of the smaller stands in the larger too.

    >>> w = lambda text: frozenset(text_words(text))
    >>> one = w("هي دولة عربية تقع في الركن الشمالي الشرقي من قارة أفريقيا")
    >>> near_copies(one, w("هي دولة عربية (1) تقع في الركن الشمالي الشرقي من قارة أفريقيا."))
    True
    >>> near_copies(w("بلغ عدد السكان 5 ملايين عام 2010"), w("بلغ عدد السكان 7 ملايين عام 2010"))
    False
    """
    small, large = (a, b) if len(a) <= len(b) else (b, a)
    if len(small) < 5 or len(small & large) < 0.9 * len(small) or len(small) < 0.5 * len(large):
        return False
    return all(w in large for w in small if w[0].isdigit())


def answers(
    ranked: list[tuple[int, float]], rows: Rows, k: int
) -> tuple[list[tuple[int, float]], dict[int, list[int]]]:
    """The ``k`` best of ``ranked`` as answers. A sentence that stands again, word for word
    or nearly (:func:`near_copies`), is one answer, cited where it first stands in its
    document; its copies (further on in the same document, or in another: a wire story
    republished, a circular sent twice) are listed where they also stand (second value, by
    the number kept). A heading is no answer when a sentence of its section is one (it
    stays as context)."""
    found = rows.get([n for n, _ in ranked])
    sections = {
        (found[n].document, found[n].section)
        for n, _ in ranked
        if n in found and not found[n].heading
    }
    kept: list[tuple[int, float]] = []
    words: list[frozenset[str]] = []  # of each kept answer
    also: dict[int, list[int]] = {}
    for number, score in ranked:
        row = found.get(number)
        if row is None:
            continue
        if row.heading and (row.document, row.text) in sections:
            continue  # «الاقتصاد» is no answer when a sentence under it is
        mine = frozenset(text_words(row.text))
        copy = next((i for i, w in enumerate(words) if w == mine or near_copies(w, mine)), None)
        if copy is None:
            if len(kept) < k:
                kept.append((number, score))
                words.append(mine)
            continue
        first = kept[copy][0]
        if found[first].document == row.document and row.ordinal < found[first].ordinal:
            kept[copy] = (number, kept[copy][1])  # cited where it first stands
            also[number] = [*also.pop(first, []), first]
        else:
            also.setdefault(first, []).append(number)
    return kept, also


MARKUP = re.compile(r"<[^>]*>|\w+://\S+|www\.\S+")  # tags and addresses
LETTER_WORD = re.compile(r"[^\W\d_]{2,}")  # two letters or more


def worded(question: str) -> bool:
    """The question is said in words (in any language), not markup, an address or a code:
    MIN_WORDS_OTHER words of letters once tags and addresses are left out.

    >>> worded("Why was the visit postponed?"), worded("Что сказал Руденко?")
    (True, True)
    >>> worded("<script>alert(1)</script>"), worded("hello"), worded("http://example.com")
    (False, False, False)
    """
    return len(LETTER_WORD.findall(MARKUP.sub(" ", question))) >= MIN_WORDS_OTHER


def meaningful(row: StoredSentence) -> bool:
    """A sentence that can answer by meaning alone: not a heading, in Arabic (a caption in
    another language is no answer to an Arabic reader), MEANING_MIN_WORDS words or more.

    >>> row = lambda text: StoredSentence(1, 1, 1, 0, 0, len(text), False, text)
    >>> meaningful(row("المصدر: تاس")), meaningful(row("Photo: Creative Commons by the agency"))
    (False, False)
    >>> meaningful(row("روسيا ستساعد كازاخستان في مكافحة الوباء"))
    True
    """
    return not row.heading and has_arabic(row.text) and len(row.text.split()) >= MEANING_MIN_WORDS


class Prefetched:
    """An engine with one question's term counts and sentence lengths fetched in one call
    (one round trip to shards elsewhere); everything else goes to the engine."""

    def __init__(self, engine: Scorer, terms: Sequence[str], docs: Sequence[int]) -> None:
        self.engine = engine
        self.params = engine.params
        self.avgdl = engine.avgdl
        self._row = {t: i for i, t in enumerate(terms)}
        self._col = {d: j for j, d in enumerate(docs)}
        self._tf, self._len = engine.counts(list(terms), np.asarray(docs, dtype=np.int64))

    @property
    def size(self) -> int:
        return self.engine.size

    def _columns(self, docs: np.ndarray) -> list[int] | None:
        found = [self._col.get(int(d)) for d in docs]
        return None if None in found else found  # type: ignore[return-value]

    def term_matrix(self, terms: Sequence[str], docs: np.ndarray) -> np.ndarray:
        columns = self._columns(docs)
        if columns is None or any(t not in self._row for t in terms):
            return self.engine.term_matrix(terms, docs)
        return self._tf[[self._row[t] for t in terms]][:, columns]

    def lengths(self, docs: np.ndarray) -> np.ndarray:
        columns = self._columns(docs)
        return self.engine.lengths(docs) if columns is None else self._len[columns]

    def counts(self, terms: Sequence[str], docs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return self.term_matrix(terms, docs), self.lengths(docs)

    def top_k(
        self, query: Sequence[str], k: int, matched_only: bool = False
    ) -> list[tuple[int, float]]:
        return self.engine.top_k(query, k, matched_only)

    def scores(self, query: Sequence[str]) -> np.ndarray:
        return self.engine.scores(query)

    def score_docs(self, query: Sequence[str], docs: np.ndarray) -> np.ndarray:
        return self.engine.score_docs(query, docs)

    def idf_of(self, term: str) -> float | None:
        return self.engine.idf_of(term)


@dataclass(frozen=True, slots=True)
class Generation:
    """One generation of the index, as a question reads it from start to end."""

    engine: Scorer
    ids: np.ndarray  # the store's sentence id of each engine document number
    documents: Mapping[int, DocumentInfo]
    reranker: Reranker
    number: int = 0  # the store's generation it was loaded for (or one before)
    dense: Nearest | None = None  # the sentences' vectors, when matching by meaning is on


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
        min_evidence: float = MIN_EVIDENCE,
        weights: Weights | None = None,
        load: Callable[[Store, BM25Params], IndexFiles] = ensure_index_files,
        meaning: Meaning | None = None,
    ):
        self.store = store
        self.meaning = meaning
        self.load = load  # the engine for a generation: local files, or shards elsewhere
        self.analyzer = analyzer
        self.params = params or BM25Params()
        self.min_evidence = min_evidence
        self.weights = weights or Weights()
        self._lock = threading.Lock()
        self.reload()

    def reload(self) -> None:
        """Load the engine for the store's current generation (see
        :func:`index.segments.ensure_index_files`; :meth:`index.cluster.ShardSet.files`)."""
        number = self.store.generation  # read first: what is loaded is at least this one
        self.use(self.load(self.store, self.params), number)

    def use(self, files: IndexFiles, number: int = 0) -> None:
        """Answer from now on from these index files."""
        documents = {d.id: d for d in self.store.documents()}
        reranker = Reranker(files.stats, self.weights, Titles(documents, self.analyzer.terms))
        ids = np.asarray(files.ids, dtype=np.int64)
        dense = None
        if self.meaning is not None:
            dense = files.dense or self.meaning.embedding.dense(self.store, ids)
        with self._lock:
            current = getattr(self, "_generation", None)
            if current is None or number >= current.number:  # never back to an older one
                self._generation = Generation(files.engine, ids, documents, reranker, number, dense)

    @property
    def generation(self) -> Generation:
        with self._lock:
            return self._generation

    @property
    def engine(self) -> Scorer:
        return self.generation.engine

    def parse(self, question: str, generation: Generation | None = None) -> Query | str:
        """The question parsed against a generation's vocabulary, or why it cannot be."""
        engine = (generation or self.generation).engine
        return parse_query(question, self.analyzer, engine.idf_of)

    def ask(self, question: str, k: int = TOP_K) -> Answer:
        """The ``k`` best sentences for ``question``, best first.

        A question about what someone said («ماذا قال X عن Y؟») ranks the sentences X is
        speaking in (named or not: see :mod:`index.speakers`) that concern Y first; the
        reporting verb is the question's frame, not a word to match. With matching by
        meaning on, the encoder's nearest sentences are candidates too, and a question in
        other words or another language is answered when it is close enough in meaning."""
        now = self.generation
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
        engine = Prefetched(engine, list(dict.fromkeys(query.stems)), needed)
        share = evidence(query.stems, pool[0][0], engine)
        if share < self.min_evidence and not close:
            return Answer(question, reason="no_match")  # too small a part of the question
        rows = Rows(self.store, now.ids)
        found = rows.get(needed)  # one query: the pool, its neighbours and theirs
        ranked: list[tuple[int, float]] = []
        speakers: dict[int, str] = {}
        if query.speech is not None:
            ranked, speakers = speech_ranking(query.speech, pool, rows, engine, now.documents)
            ranked, also = answers(ranked, rows, k)
        if not ranked:  # not a speech question, or its speaker never speaks there
            ranked = now.reranker.rank(query, scored, found, engine, nearest)
            ranked, also = answers(self._fused(vector, ranked, now, share), rows, k)
            if not ranked or (
                self._gram_evidence(query, ranked[0][0], found, now) < self.min_evidence
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
        :func:`index.rerank.fuse`); as it is when matching by meaning is off. The cosines
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
        kept, also = answers(ranked, rows, k)
        hits = self._hits(query, kept, {}, also, rows, now, {n for n, _ in near})
        return Answer(question, hits, kind=query.answer_type if query else None)

    @staticmethod
    def _gram_evidence(
        query: Query, number: int, found: Mapping[int, StoredSentence], now: Generation
    ) -> float:
        """Share of the question's gram weight that sentence ``number`` holds (with its
        document's title)."""
        row = found[number]
        return now.reranker.gram_evidence(
            query.grams, number, row.text, now.engine.size, row.document
        )

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
                )
            )
        return tuple(hits)
