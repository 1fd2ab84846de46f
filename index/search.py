"""The search API every front end uses: a question in, ranked and cited sentences out."""

from __future__ import annotations

import json
import logging
import math
import os
import shutil
import threading
from array import array
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from index.analysis import Analyzer, has_arabic
from index.engine import BM25Params, Engine, SegmentedEngine
from index.grams import SAMPLE_SIZE, GramStats
from index.rerank import Reranker, Weights
from index.sentences import Sentence
from index.speakers import SpeechQuestion, speaker_stems, speech_question, track_speakers
from index.spelling import corrected
from index.store import DocumentInfo, Store, StoredSentence

log = logging.getLogger(__name__)

MAX_QUESTION_CHARS = 1000
# The engine's best sentence must match at least this share of the question's stem idf
# weight (words the index has never seen counting as the rarest), and the answer's first
# sentence this share of its character-gram idf weight; else the answer is "no answer".
# Measured: 0.19 keeps 98.8 % of XQuAD-ar's answerable questions answered and turns away
# 96.3 % of its questions asked of the seed article alone.
MIN_EVIDENCE = 0.19
# Second stage (index.rerank): the engine's best RERANK_POOL sentences and their neighbours
# are re-ranked as passages, on stems and character n-grams.
RERANK_POOL = 15

# Why an answer is empty, and what to tell the asker (Modern Standard Arabic).
REASONS: dict[str, str] = {
    "blank": "السؤال فارغ. اكتب سؤالك بالعربية، مثل: ماذا قال رودينكو عن أوزبكستان؟",
    "too_long": f"السؤال طويل جدًا. اختصره من فضلك إلى أقل من {MAX_QUESTION_CHARS} حرف.",
    "not_arabic": "أفهم الأسئلة المكتوبة بالعربية فقط. اكتب سؤالك بالعربية من فضلك.",
    "no_words": "لم أجد في السؤال كلمات يمكن البحث عنها. جرّب كلمات أوضح، مثل أسماء أو أماكن.",
    "no_match": "لا تتضمن الوثائق المتاحة إجابة عن هذا السؤال. جرّب صياغة أخرى أو كلمات مختلفة.",
    "no_documents": "لا توجد وثائق في الفهرس بعد.",
}


@dataclass(frozen=True, slots=True)
class Hit:
    """One answering sentence: its original text, where it is, and what matched."""

    text: str
    doc: str
    title: str
    ordinal: int
    of: int
    score: float
    spans: tuple[tuple[int, int], ...]
    sentence_id: int
    document_id: int
    speaker: str = ""  # who says it, for a question about what someone said


@dataclass(frozen=True, slots=True)
class Answer:
    """The ranked hits for a question, or an empty answer with the reason."""

    question: str
    hits: tuple[Hit, ...] = ()
    reason: str | None = None
    terms: tuple[str, ...] = field(default=())

    @property
    def empty(self) -> bool:
        return not self.hits

    @property
    def message(self) -> str | None:
        """The Arabic explanation of an empty answer."""
        return REASONS.get(self.reason) if self.reason else None


def merge_spans(spans: list[tuple[int, int]]) -> tuple[tuple[int, int], ...]:
    """Sort spans and merge those that overlap.

    >>> merge_spans([(5, 8), (0, 3), (2, 4)])
    ((0, 4), (5, 8))
    """
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return tuple(merged)


def evidence(
    question: Sequence[str], sentence: Sequence[str], engine: Engine | SegmentedEngine
) -> float:
    """Share of the question's idf weight that the sentence's terms cover; a question word
    no document has weighs as much as a word in no document could (log(2N + 1)).

    >>> e = Engine([["روس", "اوزبكست"], ["روس"], ["كازاخست"], ["طشقند"]])
    >>> round(evidence(["اوزبكست", "روس"], ["روس", "اوزبكست"], e), 2)
    1.0
    >>> round(evidence(["اوزبكست", "برازيل"], ["روس", "اوزبكست"], e), 2)
    0.28
    """
    unseen = math.log(2 * engine.size + 1)
    known = {t: engine.idf_of(t) for t in set(question)}
    weights = {t: max(unseen if idf is None else idf, 0.0) for t, idf in known.items()}
    total = sum(weights.values())
    if total <= 0:
        return 1.0
    have = set(sentence)
    return sum(w for t, w in weights.items() if t in have) / total


def unusable(question: str) -> str | None:
    """Why ``question`` cannot be searched at all (before any analysis), or None.

    >>> unusable("  "), unusable("What?"), unusable("ماذا قال رودينكو؟")
    ('blank', 'not_arabic', None)
    """
    stripped = question.strip()
    if not stripped:
        return "blank"
    if len(stripped) > MAX_QUESTION_CHARS:
        return "too_long"
    if not has_arabic(stripped):
        return "not_arabic"
    return None


DELTA_SHARE = 0.1  # added sentences beyond this share of the saved segment: rebuild


class Rows:
    """The stored sentences behind engine document numbers, each fetched once per
    question however many steps of the ranking look at it."""

    def __init__(self, store: Store, ids: np.ndarray) -> None:
        self.store = store
        self.ids = ids
        self._rows: dict[int, StoredSentence] = {}

    def get(self, numbers: Sequence[int]) -> dict[int, StoredSentence]:
        """Rows by engine document number (fetching only those not seen yet)."""
        missing = [n for n in numbers if n not in self._rows]
        if missing:
            stored = self.store.sentences([int(self.ids[n]) for n in missing])
            for n in missing:
                row = stored.get(int(self.ids[n]))
                if row is not None:
                    self._rows[n] = row
        return self._rows


def load_engine(store: Store, params: BM25Params) -> tuple[Engine | SegmentedEngine, np.ndarray]:
    """The engine and its sentence ids for the store as it is now (see Searcher.reload).

    Saved postings for this generation are memory-mapped as they are. When only documents
    were added since the newest saved segment, that segment is used with a small one built
    from the new sentences (exact all the same). Otherwise everything is rebuilt from the
    stored terms and saved for the next start.
    """
    root = store.engine_folder
    if root is not None:
        found = _saved_segment(root, store.generation, store.deletions)
        if found is not None:
            folder, info = found
            try:
                main = Engine.load(folder, params)
                main_ids = np.load(folder / "ids.npy")
            except (OSError, ValueError) as exc:  # damaged files: rebuild below
                log.warning("engine files in %s unusable (%s); rebuilding", folder, exc)
            else:
                if info["generation"] == store.generation:
                    return main, main_ids
                new = list(store.corpus(info["max_id"]))
                if len(new) <= DELTA_SHARE * max(1, main.size):
                    delta = Engine([terms for _, terms in new], params)
                    new_ids = np.asarray([i for i, _ in new], dtype=np.int64)
                    return SegmentedEngine([main, delta], params), np.concatenate(
                        [main_ids, new_ids]
                    )
    engine, id_array = _build_engine(store, params)
    if root is not None:
        _save_atomically(engine, id_array, root, store.generation, store.deletions)
    return engine, id_array


def _build_engine(store: Store, params: BM25Params) -> tuple[Engine, np.ndarray]:
    """An engine over every stored sentence, streamed from the store."""
    ids = array("q")

    def terms() -> Iterator[list[str]]:
        for sentence_id, sentence_terms in store.corpus():
            ids.append(sentence_id)
            yield sentence_terms

    engine = Engine(terms(), params)
    return engine, np.frombuffer(ids, dtype=np.int64).copy() if ids else np.zeros(0, np.int64)


def _saved_segment(root: Path, generation: int, deletions: int) -> tuple[Path, dict] | None:
    """The newest saved segment still valid for the store: same deletions, not newer."""
    best: tuple[Path, dict] | None = None
    for folder in root.glob("g*") if root.is_dir() else ():
        try:
            info = json.loads((folder / "segment.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if info.get("deletions") != deletions or info.get("generation", 1 << 62) > generation:
            continue
        if best is None or info["generation"] > best[1]["generation"]:
            best = (folder, info)
    return best


def _save_atomically(
    engine: Engine, ids: np.ndarray, root: Path, generation: int, deletions: int
) -> None:
    """Write to a temporary folder, rename it into place, drop older generations."""
    folder = root / f"g{generation}"
    tmp = root / f"{folder.name}.tmp-{os.getpid()}"
    info = {
        "generation": generation,
        "deletions": deletions,
        "max_id": int(ids.max()) if len(ids) else 0,
        "count": len(ids),
    }
    try:
        shutil.rmtree(tmp, ignore_errors=True)
        engine.save(tmp)
        np.save(tmp / "ids.npy", ids)
        (tmp / "segment.json").write_text(json.dumps(info), encoding="utf-8")
        tmp.rename(folder)
    except OSError as exc:
        if not folder.exists():
            log.warning("could not save engine files in %s: %s", root, exc)
        shutil.rmtree(tmp, ignore_errors=True)
        return
    for old in root.iterdir():
        if old != folder and old.name.startswith("g") and ".tmp-" not in old.name:
            shutil.rmtree(old, ignore_errors=True)  # open memory maps stay valid


def save_index_files(store: Store, params: BM25Params) -> None:
    """Save the engine's postings and the gram statistics for the store as it is now (what
    ``sanad build`` does last), so that a searcher opens them at once."""
    _, ids = load_engine(store, params)
    load_gram_stats(store, ids)


STATS_STALE_SHARE = 0.1  # sentences added or removed beyond this share: new gram statistics


def load_gram_stats(store: Store, ids: np.ndarray) -> GramStats:
    """Gram statistics of the collection, from up to SAMPLE_SIZE sentences spread evenly
    over it (so exact in smaller collections); kept next to the engine files. Exact ones
    are reused for the same store generation only, sampled ones while the collection has
    changed by less than STATS_STALE_SHARE."""
    root = store.engine_folder
    path = root / "grams.json" if root is not None else None
    if path is not None and path.exists():
        try:
            stats = GramStats.load(path)
        except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
            log.warning("gram statistics in %s unusable (%s); recounting", path, exc)
        else:
            if stats.generation == store.generation or (
                stats.sampled < stats.count
                and abs(stats.count - len(ids)) <= STATS_STALE_SHARE * stats.count
            ):
                return stats
    step = max(1, -(-len(ids) // SAMPLE_SIZE))
    sample = [int(i) for i in ids[::step]]
    texts = (
        row.text
        for start in range(0, len(sample), 500)
        for row in store.sentences(sample[start : start + 500]).values()
    )
    stats = GramStats.from_texts(texts, len(ids), store.generation)
    if path is not None:
        try:
            root.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(f".tmp-{os.getpid()}")
            stats.save(tmp)
            tmp.replace(path)
        except OSError as exc:
            log.warning("could not save gram statistics in %s: %s", path, exc)
    return stats


class Searcher:
    """Answers questions from a store. Holds the engine built from the store's terms;
    :meth:`reload` rebuilds it after the store changed. Safe to share between threads."""

    def __init__(
        self,
        store: Store,
        analyzer: Analyzer,
        params: BM25Params | None = None,
        min_evidence: float = MIN_EVIDENCE,
        weights: Weights | None = None,
    ):
        self.store = store
        self.analyzer = analyzer
        self.params = params or BM25Params()
        self.min_evidence = min_evidence
        self.weights = weights or Weights()
        self._lock = threading.Lock()
        self.reload()

    def reload(self) -> None:
        """Load the engine for the store's current generation: the saved postings when
        they exist (memory-mapped, no re-analysis), else built from the stored terms and
        saved for the next start."""
        engine, ids = load_engine(self.store, self.params)
        docs = self.store.documents()
        stats = load_gram_stats(self.store, ids)
        reranker = Reranker(stats, self.weights, self.params.k1, self.params.b)
        with self._lock:
            self.reranker = reranker
            self.engine = engine
            self.sentence_ids = np.asarray(ids, dtype=np.int64)
            self.documents = {d.id: d for d in docs}

    def ask(self, question: str, k: int = 3) -> Answer:
        """The ``k`` best sentences for ``question``, best first.

        A question about what someone said («ماذا قال X عن Y؟») ranks the sentences X is
        speaking in (named or not: see :mod:`index.speakers`) that concern Y first; the
        reporting verb is the question's frame, not a word to match."""
        reason = unusable(question)
        if reason:
            return Answer(question, reason=reason)
        frame = speech_question(question)
        terms = tuple(self.analyzer.terms(question.strip()))
        if frame is not None:
            terms = tuple(self.analyzer.terms(f"{frame.who} {frame.about}")) or terms
        if not terms:
            return Answer(question, reason="no_words")
        with self._lock:
            engine, ids, documents = self.engine, self.sentence_ids, self.documents
            reranker = self.reranker
        if engine.size == 0:
            return Answer(question, reason="no_documents", terms=terms)
        terms = corrected(terms, engine.idf_of)  # رودنكو → رودينكو when only that is known
        pool = engine.top_k(terms, max(k, RERANK_POOL), matched_only=True)
        rows = Rows(self.store, ids)
        scored, needed = reranker.candidates([d for d, _ in pool], engine.size)
        found = rows.get(needed)  # one query: the pool, its neighbours and theirs
        ranked = pool[:k]
        if ranked:
            best = found[ranked[0][0]]
            if evidence(terms, self.analyzer.terms(best.text), engine) < self.min_evidence:
                ranked = []  # what matched is too small a part of the question: no answer
        speakers: dict[int, str] = {}
        spoken: list[tuple[int, float]] = []
        if frame is not None and ranked:
            spoken, speakers = self._speech_ranking(frame, pool, rows, engine, documents, k)
        if spoken:
            ranked = spoken
        elif ranked:  # not a speech question, or its speaker never speaks there
            ranked = reranker.rank(question, terms, scored, found, engine)[:k]
            first = ranked[0][0] if ranked else None
            if first is not None:
                share = reranker.gram_evidence(question, first, found[first].text, engine.size)
                if share < self.min_evidence:
                    ranked = []  # nor do the letters of its words: no answer
        if not ranked:
            return Answer(question, reason="no_match", terms=terms)
        found = rows.get([d for d, _ in ranked])
        wanted = set(terms)
        hits = []
        for doc_index, score in ranked:
            row = found[doc_index]
            info = documents[row.document]
            spans = merge_spans(
                [(t.start, t.end) for t in self.analyzer.tokens(row.text) if t.term in wanted]
            )
            hits.append(
                Hit(
                    row.text,
                    info.name,
                    info.title,
                    row.ordinal,
                    info.sentences,
                    score,
                    spans,
                    row.id,
                    row.document,
                    speakers.get(doc_index, ""),
                )
            )
        return Answer(question, tuple(hits), terms=terms)

    def _speech_ranking(
        self,
        frame: SpeechQuestion,
        pool: list[tuple[int, float]],
        rows: Rows,
        engine: Engine | SegmentedEngine,
        documents: dict[int, DocumentInfo],
        k: int,
    ) -> tuple[list[tuple[int, float]], dict[int, str]]:
        """The top k for a speech question, from the documents of the engine's best
        sentences for speaker and topic (``pool``), and the speaker's name where they speak;
        empty when the speaker is never found speaking there."""
        who = list(corrected(self.analyzer.terms(frame.who), engine.idf_of))
        about = list(corrected(self.analyzer.terms(frame.about), engine.idf_of))
        who_stems = speaker_stems(frame.who) | frozenset(who)  # and its spelling corrected
        if not who or not who_stems:
            return [], {}
        seeds = rows.get([d for d, _ in pool])
        candidates = list(dict.fromkeys(seeds[d].document for d, _ in pool))
        ids = rows.ids
        scored: list[tuple[int, float]] = []
        names: dict[int, str] = {}
        for doc in candidates[:SPEECH_DOCUMENTS]:
            info = documents.get(doc)
            sentences = self.store.document_sentences(doc, 1, info.sentences if info else 10**9)
            speakers = track_speakers(
                [Sentence(s.text, s.start, s.end, s.paragraph, s.heading) for s in sentences]
            )
            spoken = np.array([bool(sp and who_stems & sp.stems) for sp in speakers])
            if not spoken.any():
                continue
            numbers = np.searchsorted(ids, [s.id for s in sentences])
            names.update(
                (int(n), sp.name)
                for n, sp, said in zip(numbers, speakers, spoken, strict=True)
                if said and sp
            )
            about_scores = engine.score_docs(about, numbers) if about else np.zeros(len(numbers))
            who_scores = engine.score_docs(who, numbers)
            heading = np.array([s.heading for s in sentences])
            final = _speech_scores(about_scores, who_scores, spoken, heading)
            scored += [(int(n), float(v)) for n, v in zip(numbers, final, strict=True) if v > 0]
        scored.sort(key=lambda hit: (-hit[1], hit[0]))
        return scored[:k], names


SPEECH_DOCUMENTS = 5  # documents searched for a speaker's statements
NEIGHBOUR_WEIGHT = 0.3  # what the sentences around say about Y
NAMED_WEIGHT = 0.2  # X named in the sentence (beyond being its speaker)


def _speech_scores(
    about: np.ndarray, who: np.ndarray, spoken: np.ndarray, heading: np.ndarray
) -> np.ndarray:
    """Rank a document's sentences for «what did X say about Y»: what concerns Y (the
    sentence, and a little its neighbours, headings aside), X named, above all X speaking.

    >>> no = np.array([False] * 4)
    >>> _speech_scores(np.array([0.0, 2.0, 0.0, 1.0]), np.array([1.0, 0.0, 0.0, 0.0]),
    ...                np.array([False, True, True, False]), no).round(2).tolist()
    [0.8, 4.0, 2.6, 1.0]
    """
    around = np.where(heading, 0.0, about)  # a heading is not what a sentence is about
    before = np.concatenate([[0.0], around[:-1]])
    after = np.concatenate([around[1:], [0.0]])
    bonus = max(float(about.max(initial=0.0)), float(who.max(initial=0.0)), 1.0)
    context = NEIGHBOUR_WEIGHT * np.maximum(before, after)
    return about + context + NAMED_WEIGHT * who + bonus * spoken


def marked(
    text: str,
    spans: tuple[tuple[int, int], ...],
    before: str,
    after: str,
    escape: Callable[[str], str] = str,
) -> str:
    """``text`` with each span wrapped in ``before``/``after``; ``escape`` applies to the
    text pieces only, so markup can be added around escaped text.

    >>> marked("قال رودينكو إن", ((4, 11),), "<b>", "</b>")
    'قال <b>رودينكو</b> إن'
    >>> marked("a<b", ((0, 1),), "[", "]", escape=lambda s: s.replace("<", "&lt;"))
    '[a]&lt;b'
    """
    out: list[str] = []
    cursor = 0
    for start, end in spans:
        out += [escape(text[cursor:start]), before, escape(text[start:end]), after]
        cursor = end
    out.append(escape(text[cursor:]))
    return "".join(out)
