"""The engine scores exactly like rank_bm25.BM25Okapi, on random corpora."""

import random

import numpy as np
import pytest
from rank_bm25 import BM25Okapi

from index.retrieval.parts import SegmentedEngine
from index.retrieval.scoring import BM25Params, Engine


def reference_top_k(bm25: BM25Okapi, query: list[str], k: int) -> list[tuple[int, float]]:
    scores = bm25.get_scores(query)
    order = np.lexsort((np.arange(len(scores)), -scores))[:k]
    return [(int(d), float(scores[d])) for d in order]


def random_corpus(rng: random.Random, n_docs: int, vocab: int) -> list[list[str]]:
    words = [f"w{i}" for i in range(vocab)]
    weights = [1 / (i + 1) for i in range(vocab)]  # Zipf-like: a few very common terms
    return [rng.choices(words, weights, k=rng.randint(1, 12)) for _ in range(n_docs)]


@pytest.mark.parametrize("seed", range(12))
def test_same_top_k_and_scores_as_bm25okapi(seed: int) -> None:
    rng = random.Random(seed)
    corpus = random_corpus(rng, rng.randint(1, 300), rng.randint(2, 60))
    params = BM25Params(k1=rng.choice([0.9, 1.2, 1.5]), b=rng.choice([0.4, 0.75]))
    engine = Engine(corpus, params)
    bm25 = BM25Okapi(corpus, k1=params.k1, b=params.b, epsilon=params.epsilon)
    vocab = [*sorted({t for doc in corpus for t in doc}), "unseen"]
    for _ in range(20):
        query = rng.choices(vocab, k=rng.randint(1, 6))  # repeats included
        k = rng.randint(1, 12)
        assert np.allclose(engine.scores(query), bm25.get_scores(query), rtol=1e-9, atol=0)
        got = engine.top_k(query, k)
        want = reference_top_k(bm25, query, k)
        assert [d for d, _ in got] == [d for d, _ in want]
        assert np.allclose([s for _, s in got], [s for _, s in want], rtol=1e-9, atol=0)


def test_terms_in_most_documents_get_the_epsilon_floor() -> None:
    # "common" is in 9 of 10 documents: a negative idf that BM25Okapi floors.
    corpus = [["common", "a"]] * 5 + [["common", "b"]] * 4 + [["c"]]
    engine = Engine(corpus)
    bm25 = BM25Okapi(corpus, k1=0.9, b=0.4)
    for query in (["common"], ["common", "c"], ["a", "common", "b"]):
        assert np.allclose(engine.scores(query), bm25.get_scores(query), rtol=1e-9, atol=0)
        assert engine.top_k(query, 10) == reference_top_k(bm25, query, 10)


def test_ties_are_broken_by_document_order() -> None:
    corpus = [["x", "y"], ["z"], ["x", "y"], ["z"], ["x", "y"], ["z"], ["z"], ["z"]]
    engine = Engine(corpus)
    assert [d for d, _ in engine.top_k(["x"], 3)] == [0, 2, 4]


def test_matched_only_leaves_out_documents_without_a_query_term() -> None:
    engine = Engine([["x"], ["y"], ["x", "z"]])
    assert [d for d, _ in engine.top_k(["x"], 3, matched_only=True)] == [0, 2]
    assert [d for d, _ in engine.top_k(["x"], 3)] == [0, 2, 1]
    assert engine.top_k(["nothing"], 3, matched_only=True) == []


@pytest.mark.parametrize("seed", range(6))
def test_pruned_top_k_on_larger_corpora_matches_bm25okapi(seed: int) -> None:
    """Thousands of documents: the candidate (MaxScore) path, not the dense one, is taken
    for most queries, and must agree with the reference exactly."""
    rng = random.Random(100 + seed)
    corpus = random_corpus(rng, 4000, 3000)
    engine = Engine(corpus)
    bm25 = BM25Okapi(corpus, k1=0.9, b=0.4)
    vocab = sorted({t for doc in corpus for t in doc})
    for _ in range(25):
        query = rng.choices(vocab, k=rng.randint(1, 8))
        k = rng.choice([1, 3, 5, 10, 50])
        got = engine.top_k(query, k, matched_only=rng.random() < 0.5)
        want = reference_top_k(bm25, query, k)[: len(got)]
        assert [d for d, _ in got] == [d for d, _ in want]
        assert np.allclose([s for _, s in got], [s for _, s in want], rtol=1e-9, atol=0)


def test_saved_postings_load_and_score_the_same(tmp_path) -> None:
    rng = random.Random(7)
    corpus = random_corpus(rng, 500, 200)
    engine = Engine(corpus)
    engine.save(tmp_path / "seg")
    loaded = Engine.load(tmp_path / "seg")
    for _ in range(20):
        query = rng.choices(sorted(engine.vocabulary), k=3)
        assert loaded.top_k(query, 5) == engine.top_k(query, 5)


@pytest.mark.parametrize("seed", range(8))
def test_segments_score_exactly_like_one_collection(seed: int) -> None:
    """A big segment plus small ones added later = BM25Okapi over all documents in order."""
    rng = random.Random(300 + seed)
    corpus = random_corpus(rng, rng.randint(50, 2500), rng.randint(5, 800))
    cuts = sorted(rng.sample(range(1, len(corpus)), k=min(2, len(corpus) - 1)))
    parts = [
        corpus[: cuts[0]],
        *([corpus[cuts[0] : cuts[1]]] if len(cuts) > 1 else []),
        corpus[cuts[-1] :],
    ]
    engine = SegmentedEngine([Engine(part) for part in parts])
    bm25 = BM25Okapi(corpus, k1=0.9, b=0.4)
    vocab = [*sorted({t for doc in corpus for t in doc}), "unseen"]
    for _ in range(20):
        query = rng.choices(vocab, k=rng.randint(1, 7))
        k = rng.choice([1, 3, 5, 10, 40])
        assert np.allclose(engine.scores(query), bm25.get_scores(query), rtol=1e-9, atol=0)
        got = engine.top_k(query, k, matched_only=rng.random() < 0.4)
        want = reference_top_k(bm25, query, k)[: len(got)]
        assert [d for d, _ in got] == [d for d, _ in want]
        assert np.allclose([s for _, s in got], [s for _, s in want], rtol=1e-9, atol=0)


def test_segments_with_a_term_in_most_documents() -> None:
    corpus = [["common", "a"]] * 5 + [["common", "b"]] * 4 + [["c"]]
    engine = SegmentedEngine([Engine(corpus[:7]), Engine(corpus[7:])])
    bm25 = BM25Okapi(corpus, k1=0.9, b=0.4)
    for query in (["common"], ["common", "c"], ["a", "common", "b"]):
        assert np.allclose(engine.scores(query), bm25.get_scores(query), rtol=1e-9, atol=0)
        assert engine.top_k(query, 10) == reference_top_k(bm25, query, 10)


def test_saved_score_bounds_are_reused_on_load(tmp_path, monkeypatch) -> None:
    rng = random.Random(8)
    engine = Engine(random_corpus(rng, 300, 100))
    engine.save(tmp_path / "seg")
    computed: list[int] = []
    real = np.maximum.reduceat

    def counting(*args: object, **kwargs: object) -> object:
        computed.append(1)
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(np.maximum, "reduceat", counting)
    loaded = Engine.load(tmp_path / "seg")
    assert computed == []  # no pass over every posting at start
    assert np.array_equal(loaded.maxpart, engine.maxpart)
