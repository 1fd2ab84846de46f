"""A collection narrowed to some of its documents scores them exactly as rank-bm25's
BM25Okapi built from those documents alone: one engine, or segments scored as one."""

from __future__ import annotations

import numpy as np
import pytest
from rank_bm25 import BM25Okapi

from index.retrieval.parts import SegmentedEngine
from index.retrieval.scope import ScopedScorer
from index.retrieval.scoring import BM25Params, Engine

RNG = np.random.default_rng(20261204)
VOCABULARY = [f"ك{n}" for n in range(80)]
DOCUMENTS = [list(RNG.choice(VOCABULARY, size=int(RNG.integers(1, 14)))) for _ in range(400)]
QUERIES = [list(RNG.choice(VOCABULARY, size=int(RNG.integers(1, 5)))) for _ in range(40)]
QUERIES += [["ك1", "ك1", "ك2"], ["غائب"], ["ك3", "غائب"]]  # a repeated term; unknown ones


@pytest.mark.parametrize("share", [0.05, 0.3, 1.0])
@pytest.mark.parametrize("parted", [False, True])
def test_a_scope_scores_as_bm25okapi_over_its_documents_alone(share: float, parted: bool) -> None:
    members = RNG.random(len(DOCUMENTS)) < share
    numbers = np.flatnonzero(members)
    p = BM25Params()
    alone = BM25Okapi([DOCUMENTS[n] for n in numbers], k1=p.k1, b=p.b, epsilon=p.epsilon)
    engine = (
        SegmentedEngine([Engine(DOCUMENTS[:250]), Engine(DOCUMENTS[250:])])
        if parted
        else Engine(DOCUMENTS)
    )
    scope = ScopedScorer(engine, members)
    for query in QUERIES:
        expected = alone.get_scores(query)
        assert np.allclose(scope.score_docs(query, numbers), expected, rtol=1e-9, atol=1e-12)
        order = sorted(range(len(numbers)), key=lambda i: (-expected[i], i))[:5]
        top = scope.top_k(query, 5)
        assert [d for d, _ in top] == [int(numbers[i]) for i in order], query
        assert all(members[d] for d, _ in scope.top_k(query, 50, matched_only=True))
        known = [t for t in query if t in alone.idf]
        if known:
            assert scope.idf_of(known[0]) == pytest.approx(alone.idf[known[0]], rel=1e-12)
    assert scope.avgdl == pytest.approx(alone.avgdl)
