"""Second stage: re-rank the best sentences as passages, on stems and character n-grams."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass

import numpy as np

from index.question.query import Query
from index.question.questions import EXPLANATIONS, offers
from index.ranges import ranged
from index.retrieval.scoring import Scorer
from index.retrieval.titles import Titles
from index.storage.store import StoredSentence
from index.text.grams import GramLine, GramStats, gram_counts

# The gram field's own BM25 parameters. The stem field takes the engine's (``bm25.k1`` and
# ``bm25.b``); these do not follow them on purpose: grams are many per word, and their
# saturation was measured on its own (k1 1.2 lost 1.5 points of R@1 on XQuAD-ar).
GRAM_K1 = 0.9
GRAM_B = 0.4


@dataclass(frozen=True, slots=True)
class Weights:
    """How the second stage weighs its evidence (tuned on the A halves of three dev sets):
    the ``[search]`` section's weights, as configured (a new weight is a field here, with
    its range, and its use in :meth:`Reranker.rank`)."""

    # a neighbour's words, against the sentence's own (±2: half that)
    context_weight: float = ranged(0.3, 0, None, "0 or more")
    # «لماذا / كيف»: a following neighbour's share of a preceding one's
    context_ahead: float = ranged(0.3, 0, None, "0 or more")
    # the character n-gram field (scores scaled to the best candidate's)
    gram_weight: float = ranged(1.0, 0, None, "0 or more")
    # the stem field (likewise)
    stem_weight: float = ranged(0.45, 0, None, "0 or more")
    # the sentence offers the kind of answer asked for
    answer_type_weight: float = ranged(0.2, 0, None, "0 or more")
    # its document's title, as one more occurrence of its words
    title_weight: float = ranged(1.0, 0, None, "0 or more")


def bm25f(
    tf: np.ndarray,
    lengths: np.ndarray,
    avg_len: float,
    parts: np.ndarray,
    idf: np.ndarray,
    k1: float = GRAM_K1,
    b: float = GRAM_B,
    shared: np.ndarray | None = None,
) -> np.ndarray:
    """BM25F of passages: each passage adds the length-normalized term frequencies of its
    sentences, weighted (``parts``: passages × sentences), and what it ``shared`` (query
    terms × passages: its document's title), before BM25's saturation.

    ``tf``: query terms × sentences (a term asked twice is listed twice); ``lengths``: the
    sentences' lengths. A passage of one sentence with weight 1 gives plain BM25.

    >>> tf = np.array([[1.0, 1.0], [0.0, 1.0]])  # اوزبكست, طشقند in two sentences
    >>> own, with_next = np.array([[1.0, 0.0]]), np.array([[1.0, 0.3]])
    >>> idf, lengths = np.array([2.0, 2.0]), np.array([2, 2])
    >>> bm25f(tf, lengths, 2.0, own, idf).round(3).tolist()
    [2.0]
    >>> bm25f(tf, lengths, 2.0, with_next, idf).round(3).tolist()
    [3.195]
    >>> bm25f(tf, lengths, 2.0, own, idf, shared=np.array([[1.0], [1.0]])).round(3).tolist()
    [4.621]
    """
    if not len(tf):
        return np.zeros(len(parts))
    norm = 1 - b + b * lengths / avg_len if avg_len else np.ones(len(lengths))
    weighted = (tf / norm) @ parts.T  # query terms × passages
    if shared is not None:
        weighted = weighted + shared
    saturated = weighted * (k1 + 1) / (k1 + weighted)
    return idf @ saturated


def passage_weights(
    candidates: Sequence[int],
    numbers: Sequence[int],
    rows: Mapping[int, StoredSentence],
    context: float,
    ahead: float = 1.0,
) -> np.ndarray:
    """Candidates × sentences (``numbers``): each candidate's own weight 1, its neighbours'
    ``context``, theirs half that, in the same document, headings aside; a following
    neighbour weighs ``ahead`` times as much as a preceding one. Paragraph boundaries do
    not stop context (measured on three dev sets: stopping it there loses 1.5 points of
    R@1; a sentence often names what the next paragraph's first sentence speaks of).

    >>> row = lambda n, doc, heading=False: StoredSentence(n, doc, n, 0, 0, 0, heading, "")
    >>> rows = {1: row(1, 7, True), 2: row(2, 7), 3: row(3, 7), 4: row(4, 7), 5: row(5, 8)}
    >>> passage_weights([3], [1, 2, 3, 4, 5], rows, 0.3, ahead=0.5).tolist()
    [[0.0, 0.3, 1.0, 0.15, 0.0]]
    """
    column = {n: i for i, n in enumerate(numbers)}
    out = np.zeros((len(candidates), len(numbers)))
    for c, number in enumerate(candidates):
        out[c, column[number]] = 1.0
        if context <= 0:
            continue
        own = rows[number]
        for distance, weight in ((1, context), (2, context / 2)):
            for other, side in ((number - distance, 1.0), (number + distance, ahead)):
                found = rows.get(other)
                if found is not None and found.document == own.document and not found.heading:
                    out[c, column[other]] = weight * side
    return out


LINES_KEPT = 50_000  # sentences whose gram line is kept (a few hundred bytes each)


class Reranker:
    """Scores candidate sentences as passages; holds the gram statistics of the collection
    and its documents' titles.

    Stem frequencies come from the engine's postings, gram frequencies from counting the
    question's grams in each sentence's words, so no sentence is re-analysed. A document's
    given title counts in each of its sentences' passages as one more occurrence of its
    words (``Weights.title_weight``): the words every sentence shares weigh less between them,
    so the sentence that holds the rest of the question comes first (measured on the A
    halves of ARCD and KaifLematha: +2.3 and +5.6 points of R@1; XQuAD-ar's titles are
    English, and it stays as it was)."""

    def __init__(
        self, stats: GramStats, weights: Weights | None = None, titles: Titles | None = None
    ) -> None:
        self.stats = stats
        self.weights = weights or Weights()
        self.titles = titles
        self._lines: dict[int, GramLine] = {}

    def line(self, number: int, text: str) -> GramLine:
        """The gram line of sentence ``number`` (kept: sentences recur across questions)."""
        found = self._lines.get(number)
        if found is None:
            found = GramLine.of(text)
            if len(self._lines) >= LINES_KEPT:
                self._lines.clear()
            self._lines[number] = found
        return found

    def gram_evidence(
        self, grams: Sequence[str], number: int, text: str, size: int, document: int = -1
    ) -> float:
        """Share of the question's gram idf weight (``grams``: the question's) that the
        sentence holds, with its ``document``'s title: how much of the question it speaks
        of, spelling variants included.

        >>> from index.text.grams import text_grams
        >>> r = Reranker(GramStats({}, 1, 1.0))
        >>> q = text_grams("عاصمة أوزبكستان")
        >>> round(r.gram_evidence(q, 7, "طشقند عاصمة أوزبكستان", 10), 2)
        1.0
        >>> round(r.gram_evidence(text_grams("عاصمة البرازيل"), 8, "طشقند عاصمة أوزبكستان", 10), 2)
        0.38
        """
        wanted = set(grams)
        weights = {g: self.stats.idf(g, size) for g in wanted}
        total = sum(weights.values())
        if total <= 0:
            return 1.0
        line = self.line(number, text).padded
        if self.titles is not None and self.weights.title_weight > 0:
            line += " " + self.titles.of(document).line.padded
        return sum(w for g, w in weights.items() if g in line) / total

    @staticmethod
    def candidates(pool: Sequence[int], size: int) -> tuple[list[int], list[int]]:
        """The sentences to score (the pool and the sentences next to it) and every sentence
        whose words their passages need."""
        scored = sorted({n + d for n in pool for d in (-1, 0, 1) if 0 <= n + d < size})
        needed = sorted({n + d for n in scored for d in range(-2, 3) if 0 <= n + d < size})
        return scored, needed

    def rank(
        self,
        query: Query,
        candidates: Sequence[int],
        rows: Mapping[int, StoredSentence],
        engine: Scorer,
        near: AbstractSet[int] = frozenset(),
        size: int | None = None,
    ) -> list[tuple[int, float]]:
        """Candidates with a question word in their passage (or ``near`` the question in
        meaning), best first (ties: collection order). ``rows`` holds the candidates and
        their neighbours; ``size``: the sentences answered from (default: all the engine's)."""
        w = self.weights
        candidates = [n for n in candidates if n in rows]
        numbers = sorted(rows)
        at = np.asarray(numbers, dtype=np.int64)
        ahead = w.context_ahead if query.answer_type in EXPLANATIONS else 1.0
        parts = passage_weights(candidates, numbers, rows, w.context_weight, ahead)

        documents = [rows[n].document for n in candidates]
        titles = self.titles if w.title_weight > 0 else None

        stem_query = Counter(query.stems)
        stem_tf = engine.term_matrix(list(stem_query), at).astype(np.float64)
        stem_idf = np.array([max(engine.idf_of(t) or 0.0, 0.0) * q for t, q in stem_query.items()])
        matched = (stem_tf.sum(axis=0) > 0) @ (parts.T > 0) if len(stem_tf) else None
        stems = bm25f(
            stem_tf.reshape(len(stem_query), len(numbers)),
            engine.lengths(at),
            engine.avgdl,
            parts,
            stem_idf,
            engine.params.k1,  # the stem field scores as the engine does
            engine.params.b,
            w.title_weight * titles.stem_counts(list(stem_query), documents) if titles else None,
        )

        gram_query = Counter(query.grams)
        lines = [self.line(n, rows[n].text) for n in numbers]
        gram_tf = gram_counts(list(gram_query), lines)
        size = engine.size if size is None else size
        gram_idf = np.array([self.stats.idf(g, size) * q for g, q in gram_query.items()])
        grams = bm25f(
            gram_tf.reshape(len(gram_query), len(numbers)),
            np.array([line.length for line in lines]),
            self.stats.avg_len,
            parts,
            gram_idf,
            shared=w.title_weight * titles.gram_counts(list(gram_query), documents)
            if titles
            else None,
        )

        top_stems = float(stems.max(initial=0.0)) or 1.0
        top_grams = float(grams.max(initial=0.0)) or 1.0
        score = w.stem_weight * stems / top_stems + w.gram_weight * grams / top_grams
        kind = query.answer_type
        asked = {w.normal for w in query.words}
        ranked = []
        for c, number in enumerate(candidates):
            if (matched is None or not matched[c]) and number not in near:
                continue  # shared letters alone (#ال…) are no evidence: a word must match
            bonus = w.answer_type_weight if kind and offers(rows[number].text, kind, asked) else 0.0
            ranked.append((number, float(score[c]) + bonus))
        ranked.sort(key=lambda hit: (-hit[1], hit[0]))
        return ranked


def fuse(
    ranked: Sequence[tuple[int, float]], cosines: np.ndarray, weight: float
) -> list[tuple[int, float]]:
    """The second stage's ranking fused with the encoder's: each score and each cosine
    standardised over the candidates (mean 0, deviation 1), then mixed, ``weight`` the
    cosines' share; best first (ties: collection order).

    >>> fuse([(4, 2.0), (9, 1.0), (7, 0.0)], np.array([0.80, 0.90, 0.70]), 0.3)
    [(4, 0.857321), (9, 0.367423), (7, -1.224745)]
    >>> [n for n, _ in fuse([(4, 2.0), (9, 1.0), (7, 0.0)], np.array([0.80, 0.90, 0.70]), 0.6)]
    [9, 4, 7]
    """
    if len(ranked) < 2 or weight <= 0:
        return list(ranked)
    scores = np.array([score for _, score in ranked])
    mixed = (1 - weight) * _standard(scores) + weight * _standard(np.asarray(cosines))
    out = [(number, round(float(m), 6)) for (number, _), m in zip(ranked, mixed, strict=True)]
    out.sort(key=lambda hit: (-hit[1], hit[0]))
    return out


def _standard(values: np.ndarray) -> np.ndarray:
    deviation = float(values.std())
    return (values - values.mean()) / deviation if deviation > 0 else np.zeros(len(values))
