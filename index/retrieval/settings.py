"""The ``[search]`` and ``[semantic]`` sections: each setting, its default and its valid range."""

from __future__ import annotations

from dataclasses import dataclass

from index.ranges import ranged
from index.retrieval.rerank import Weights


@dataclass(frozen=True, slots=True)
class SearchSettings(Weights):
    """The ``[search]`` section: the second stage's weights (index.retrieval.rerank.Weights),
    how many sentences an answer shows, and how much of the question it must hold.

    ``min_evidence``: the engine's best sentence must match at least this share of the
    question's stem idf weight (words the index has never seen counting as the rarest),
    and the answer's first sentence this share of its character-gram idf weight; else the
    answer is "no answer". Measured: 0.19 keeps 98.8 % of XQuAD-ar's answerable questions
    answered and turns away 96.4 % of its questions asked of the seed article alone.
    """

    top_k: int = ranged(3, 1, 50, "between 1 and 50")
    min_evidence: float = ranged(0.19, 0, 1, "between 0 and 1")


@dataclass(frozen=True, slots=True)
class SemanticSettings:
    """Matching by meaning (index.retrieval.vectors): on by default; off, answers are the
    lexical engine's alone, exactly as before it. How the searcher uses each setting, and
    what was measured, is said at the top of :mod:`index.retrieval.search`."""

    enabled: bool = True
    # the encoder's cosine in the second stage
    weight: float = ranged(0.3, 0, 1, "between 0 and 1")
    # its nearest sentences added to the pool
    candidates: int = ranged(10, 1, 200, "between 1 and 200")
    # answered by meaning alone from this cosine on
    min_similarity: float = ranged(0.82, -1, 1, "between -1 and 1")
    cache: str = ""  # a file of vectors shared by collections (sanad eval keeps its own)
