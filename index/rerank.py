"""Second stage: re-rank the best sentences as passages, on stems and character n-grams."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from index.analysis import Analyzer
from index.grams import Grams, GramStats
from index.questions import AnswerType, answer_type, offers
from index.store import StoredSentence

K1 = 0.9
B = 0.4


@dataclass(frozen=True, slots=True)
class Weights:
    """How the second stage weighs its evidence (tuned on half the XQuAD-ar articles)."""

    context: float = 0.3  # a neighbour's words, against the sentence's own (±2: half that)
    grams: float = 1.0  # the character n-gram field (scores scaled to the best candidate's)
    stems: float = 0.3  # the stem field (likewise)
    answer_type: float = 0.2  # the sentence offers the kind of answer asked for


@dataclass(frozen=True, slots=True)
class Field:
    """One sentence's terms in one field: counts and length."""

    counts: Counter[str]
    length: int

    @classmethod
    def of(cls, terms: Sequence[str]) -> Field:
        return cls(Counter(terms), len(terms))


def bm25f(
    query: Mapping[str, int],
    parts: Sequence[tuple[float, Field]],
    idf: Callable[[str], float],
    avg_len: float,
    k1: float = K1,
    b: float = B,
) -> float:
    """BM25F of a passage: each part (weight, field) adds its length-normalized term
    frequencies, weighted, before BM25's saturation; query terms count with multiplicity.
    A lone part with weight 1 gives plain BM25.

    >>> own = Field.of(["روس", "اوزبكست"])
    >>> round(bm25f({"اوزبكست": 1}, [(1.0, own)], lambda t: 2.0, 2.0), 3)
    2.0
    >>> nb = Field.of(["اوزبكست", "طشقند"])
    >>> round(bm25f({"اوزبكست": 1}, [(1.0, own), (0.3, nb)], lambda t: 2.0, 2.0), 3)
    2.245
    >>> round(bm25f({"طشقند": 1}, [(1.0, own), (0.3, nb)], lambda t: 2.0, 2.0), 3)
    0.95
    """
    tf: dict[str, float] = {}
    for weight, field in parts:
        norm = 1 - b + b * field.length / avg_len if avg_len else 1.0
        for term in query:
            count = field.counts.get(term)
            if count:
                tf[term] = tf.get(term, 0.0) + weight * count / norm
    return sum(query[t] * idf(t) * f * (k1 + 1) / (k1 + f) for t, f in tf.items() if f > 0)


def passage(
    number: int, rows: Mapping[int, StoredSentence], context: float
) -> list[tuple[float, int]]:
    """The sentences that make up a sentence's passage, with their weights: itself (1), its
    neighbours (``context``) and theirs (half that), in the same document, headings aside.

    >>> row = lambda n, doc, heading=False: StoredSentence(n, doc, n, 0, 0, 0, heading, "")
    >>> rows = {1: row(1, 7, True), 2: row(2, 7), 3: row(3, 7), 4: row(4, 8)}
    >>> passage(3, rows, 0.3)
    [(1.0, 3), (0.3, 2)]
    """
    own = rows[number]
    parts = [(1.0, number)]
    if context <= 0:
        return parts
    for distance, weight in ((1, context), (2, context / 2)):
        for other in (number - distance, number + distance):
            found = rows.get(other)
            if found is not None and found.document == own.document and not found.heading:
                parts.append((weight, other))
    return parts


@dataclass(frozen=True, slots=True)
class Analysed:
    """What the second stage needs of one sentence, worked out once."""

    stems: Field
    grams: Field
    offers: frozenset[AnswerType]


CACHE_SIZE = 2_000  # sentences whose analysis the second stage keeps (~10 kB each)


class Reranker:
    """Scores candidate sentences as passages; holds the gram statistics of the collection
    and a cache of analysed sentences (it is rebuilt with the engine)."""

    def __init__(
        self,
        analyzer: Analyzer,
        grams: Grams,
        stats: GramStats,
        weights: Weights | None = None,
        stem_k1: float = K1,
        stem_b: float = B,
    ) -> None:
        self.analyzer = analyzer
        self.grams = grams
        self.stats = stats
        self.weights = weights or Weights()
        self.stem_k1 = stem_k1  # the engine's BM25 parameters, for the stem field
        self.stem_b = stem_b
        self._cache: dict[int, Analysed] = {}

    def analysed(self, number: int, text: str) -> Analysed:
        """Stems, grams and answer kinds of sentence ``number`` (cached)."""
        found = self._cache.get(number)
        if found is None:
            kinds = frozenset(k for k in ("number", "date") if offers(text, k))
            found = Analysed(
                Field.of(self.analyzer.terms(text)), Field.of(self.grams.of_text(text)), kinds
            )
            if len(self._cache) >= CACHE_SIZE:
                self._cache.clear()
            self._cache[number] = found
        return found

    def gram_evidence(self, question: str, number: int, text: str, size: int) -> float:
        """Share of the question's gram idf weight that sentence ``number`` holds: how much
        of the question it speaks of, spelling variants included."""
        wanted = set(self.grams.of_text(question))
        weights = {g: self.stats.idf(g, size) for g in wanted}
        total = sum(weights.values())
        if total <= 0:
            return 1.0
        have = self.analysed(number, text).grams.counts
        return sum(w for g, w in weights.items() if g in have) / total

    def candidates(self, pool: Sequence[int], size: int) -> tuple[list[int], list[int]]:
        """The sentences to score (the pool and the sentences next to it) and every sentence
        whose words their passages need."""
        scored = sorted({n + d for n in pool for d in (-1, 0, 1) if 0 <= n + d < size})
        needed = sorted({n + d for n in scored for d in range(-2, 3) if 0 <= n + d < size})
        return scored, needed

    def rank(
        self,
        question: str,
        terms: Sequence[str],
        candidates: Sequence[int],
        rows: Mapping[int, StoredSentence],
        stem_idf: Callable[[str], float | None],
        stem_avg_len: float,
        size: int,
    ) -> list[tuple[int, float]]:
        """Candidates with a positive score, best first (ties: collection order).

        ``rows`` holds the candidates and their neighbours; ``stem_idf`` and
        ``stem_avg_len`` come from the engine, ``size`` is the collection's sentence count.
        """
        w = self.weights
        stem_query = Counter(terms)
        gram_query = Counter(self.grams.of_text(question))
        seen = {n: self.analysed(n, row.text) for n, row in rows.items()}
        idf_stems = {t: max(stem_idf(t) or 0.0, 0.0) for t in stem_query}
        idf_grams = {g: self.stats.idf(g, size) for g in gram_query}
        kind = answer_type(question)
        raw: list[tuple[int, float, float]] = []
        for n in candidates:
            if n not in rows:
                continue
            parts = passage(n, rows, w.context)
            if not any(t in seen[m].stems.counts for _, m in parts for t in stem_query):
                continue  # shared letters alone (#ال…) are no evidence: a word must match
            stems = bm25f(
                stem_query,
                [(x, seen[m].stems) for x, m in parts],
                idf_stems.__getitem__,
                stem_avg_len,
                self.stem_k1,
                self.stem_b,
            )
            grams = bm25f(
                gram_query,
                [(x, seen[m].grams) for x, m in parts],
                idf_grams.__getitem__,
                self.stats.avg_len,
            )
            raw.append((n, stems, grams))
        top_stems = max((s for _, s, _ in raw), default=0.0) or 1.0
        top_grams = max((g for _, _, g in raw), default=0.0) or 1.0
        ranked = []
        for n, stems, grams in raw:
            score = w.stems * stems / top_stems + w.grams * grams / top_grams
            if kind is not None and kind in seen[n].offers:
                score += w.answer_type
            ranked.append((n, score))
        ranked.sort(key=lambda hit: (-hit[1], hit[0]))
        return ranked
