"""A sharded collection's files (no Ray here): shards of whole documents whose merged
scores are one engine's, a change rebuilding only the shard that owns it, old generations
cleaned away."""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest

from index.build import add_document, build_index
from index.cluster.shards import (
    Manifest,
    collection_idf,
    load_shard,
    read_manifest,
    shard_ids,
    write_generation,
)
from index.reading.documents import parse_document
from index.retrieval.parts import Call, Layout, PartedScorer
from index.retrieval.scoring import BM25Params, Engine
from index.storage.store import Store
from index.text.analysis import Analyzer
from tests.conftest import FIXTURES, SEEDS

QUESTIONS = [
    ["روسي", "اوزبكست"],
    ["تسلا", "ولد"],
    ["مصر", "نيل"],
    ["وارسو", "بورص"],
    ["رودينكو", "كازاخست", "قال"],
]
PARAMS = BM25Params()


class FileShards(PartedScorer):
    """The shards of one generation, read from their files in this process: what the
    cluster's actors serve, without Ray."""

    def __init__(self, root: Path, manifest: Manifest) -> None:
        self.params = PARAMS
        self.engines = [load_shard(root, manifest.generation, i, PARAMS) for i in manifest.used]
        self.layout, self.ids = Layout.of_keys(shard_ids(root, manifest))
        self._idf = collection_idf(root, manifest)
        self.avgdl = manifest.avgdl

    def _run(self, calls: Sequence[Call]) -> list:
        return [method(self.engines[i], *args) for i, method, args in calls]


@pytest.fixture
def store(tmp_path: Path, analyzer: Analyzer) -> Store:
    built = Store(tmp_path / "index.sqlite3")
    build_index(built, analyzer, [SEEDS, FIXTURES / "followup"])
    return built


def same_as_one_engine(store: Store, shards: FileShards, matching: int = 3) -> None:
    whole = Engine([terms for _, terms in store.corpus()], PARAMS)
    ids = np.asarray([i for i, _ in store.corpus()])
    assert shards.ids.tolist() == ids.tolist()  # numbered by sentence id, as one machine
    assert sum(whole.top_k(query, 1)[0][1] > 0 for query in QUESTIONS) >= matching
    for query in QUESTIONS:
        one, many = whole.top_k(query, 10), shards.top_k(query, 10)
        assert [d for d, _ in one] == [d for d, _ in many]
        pairs = zip(one, many, strict=True)
        assert all(math.isclose(a, b, rel_tol=1e-9) for (_, a), (_, b) in pairs)
        assert np.allclose(whole.scores(query), shards.scores(query), rtol=1e-9, atol=0)
        docs = np.asarray(sorted(d for d, _ in one))
        assert np.array_equal(whole.term_matrix(query, docs), shards.term_matrix(query, docs))
        assert shards.idf_of(query[0]) == whole.idf_of(query[0])


def test_three_shards_of_whole_documents_score_as_one_engine(store: Store, tmp_path: Path) -> None:
    root = tmp_path / "shards"
    manifest = write_generation(store, PARAMS, root, 3)
    assert len(manifest.used) == 3
    documents = [set(shard.documents) for shard in manifest.shards]
    assert sum(len(d) for d in documents) == len(store.documents())  # each in one shard
    same_as_one_engine(store, FileShards(root, manifest))


def test_an_added_document_goes_to_one_shard_and_the_others_keep_their_postings(
    store: Store, tmp_path: Path, analyzer: Analyzer
) -> None:
    root = tmp_path / "shards"
    first = write_generation(store, PARAMS, root, 3)
    text = "أعلنت وزارة الزراعة في مصر أن محصول القمح زاد هذا العام بنسبة عشرة في المئة."
    add_document(store, analyzer, parse_document("قمح.txt", text.encode()))
    second = write_generation(store, PARAMS, root, 3)
    rebuilt = [i for i in range(3) if first.shards[i].postings != second.shards[i].postings]
    assert len(rebuilt) == 1  # the owning shard only
    new = {d.id for d in store.documents() if d.name == "قمح.txt"}
    assert new <= set(second.shards[rebuilt[0]].documents)
    same_as_one_engine(store, FileShards(root, second))


def test_a_removed_document_rebuilds_its_shard_only(store: Store, tmp_path: Path) -> None:
    root = tmp_path / "shards"
    first = write_generation(store, PARAMS, root, 3)
    gone = first.shards[2].documents[0]
    kept = {d.name for d in store.documents() if d.id != gone}
    store.sync([], keep=kept, signature=store.signature or "")
    second = write_generation(store, PARAMS, root, 3)
    assert [a.postings == b.postings for a, b in zip(first.shards, second.shards, strict=True)] == [
        True,
        True,
        False,
    ]
    assert gone not in second.shards[2].documents
    same_as_one_engine(store, FileShards(root, second))


def test_only_the_two_newest_generations_stay_on_disk(
    store: Store, tmp_path: Path, analyzer: Analyzer
) -> None:
    root = tmp_path / "shards"
    write_generation(store, PARAMS, root, 2)
    for n in range(3):
        text = f"خبر رقم {n} عن الطقس في القاهرة اليوم."
        add_document(store, analyzer, parse_document(f"خبر{n}.txt", text.encode()))
        write_generation(store, PARAMS, root, 2)
    generations = sorted(p.name for p in root.glob("g*"))
    assert len(generations) == 2
    kept = [read_manifest(root, int(name[1:])) for name in generations]
    used = {shard.postings for m in kept if m for shard in m.shards}
    assert {p.name for p in root.glob("s*")} == used  # postings no kept generation uses: gone
    newest = read_manifest(root, store.generation)
    assert newest is not None
    same_as_one_engine(store, FileShards(root, newest))


def test_a_collection_of_fewer_documents_than_shards_leaves_some_empty(
    tmp_path: Path, analyzer: Analyzer
) -> None:
    small = Store(tmp_path / "small.sqlite3")
    build_index(small, analyzer, [SEEDS])
    root = tmp_path / "shards"
    manifest = write_generation(small, PARAMS, root, 4)
    assert len(manifest.used) == 1
    same_as_one_engine(small, FileShards(root, manifest), matching=1)
