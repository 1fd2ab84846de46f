"""A collection served by shards on a (local) Ray cluster answers exactly as one machine:
the same hits in the same order, scores equal within 1e-9, the same marks and speakers."""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from bot import texts
from harness.bot import make_services, running_bot
from harness.fake_telegram import FakeTelegram
from harness.seeds import VECTOR_CACHE, seed_config
from index.cli import main
from index.cluster.actors import ClusterUnavailable
from index.collection import Collection
from index.config import ClusterSettings, Config
from index.evaluate import corpus_documents
from index.reading.documents import parse_document
from index.retrieval.answers import Answer
from index.retrieval.settings import SemanticSettings
from index.storage.store import Store
from tests.conftest import ROOT, SEEDS, seed_examples
from tests.test_followup import REWRITTEN
from tests.test_meaning import paraphrases

pytestmark = pytest.mark.cluster

EVAL = ROOT.parent / "shared" / "eval"
SHARED = Config(semantic=SemanticSettings(cache=str(VECTOR_CACHE)))  # vectors kept by text
# The three dev sets' corpora, every 24th question: the suite's time (every question of all
# three: bench/cluster_exact.py)
DEV_SETS = ("arcd-train", "kaif-dev", "xquad-ar")
EVERY = 24
FOLLOWUP = ROOT / "tests" / "fixtures" / "followup"


@pytest.fixture(scope="module")
def ray_cluster() -> Iterator[Any]:
    """A local Ray cluster of two nodes with a CPU each (nodes can join and leave it)."""
    os.environ.setdefault("RAY_ENABLE_UV_RUN_RUNTIME_ENV", "0")  # workers: this venv, as is
    import ray
    from ray.cluster_utils import Cluster

    cluster = Cluster(initialize_head=True, head_node_args={"num_cpus": 1})
    cluster.add_node(num_cpus=1)
    cluster.wait_for_nodes()
    ray.init(address=cluster.address, log_to_driver=False, include_dashboard=False)
    yield cluster
    ray.shutdown()
    cluster.shutdown()


def documents_and_questions() -> tuple[list, list[str]]:
    """The seed, our follow-up texts and, where the shared dev sets are here, their
    corpora; the questions asked of them."""
    docs = [parse_document(p.name, p.read_bytes()) for p in [*SEEDS.glob("*.txt")]]
    docs += [parse_document(p.name, p.read_bytes()) for p in sorted(FOLLOWUP.glob("*.txt"))]
    questions = [e["question"] for e in seed_examples()]
    questions += [understood for _, _, understood, _ in REWRITTEN]  # the follow-up readings
    for name in DEV_SETS:
        folder = EVAL / name
        if not (folder / "corpus.jsonl").is_file():
            continue
        rows = [json.loads(line) for line in (folder / "corpus.jsonl").open(encoding="utf-8")]
        docs += corpus_documents(rows)[0]
        asked = [json.loads(line)["question"] for line in (folder / "questions.jsonl").open()]
        questions += asked[::EVERY]
    return docs, questions


def small_documents() -> list:
    """Our follow-up texts and the seed: a collection that cuts into a few shards."""
    paths = [*sorted(FOLLOWUP.glob("*.txt")), *SEEDS.glob("*.txt")]
    return [parse_document(p.name, p.read_bytes()) for p in paths]


def same(one: Answer, many: Answer) -> bool:
    keys = [
        [
            (h.document, h.ordinal, h.spans, h.speaker, h.answer, h.copies, h.also, h.meaning)
            for h in a.hits
        ]
        for a in (one, many)
    ]
    scores = all(
        math.isclose(a.score, b.score, rel_tol=1e-9, abs_tol=1e-12)
        for a, b in zip(one.hits, many.hits, strict=True)
    )
    return keys[0] == keys[1] and scores and one.reason == many.reason


@pytest.mark.slow
def test_three_shards_answer_every_question_as_one_machine(ray_cluster: Any) -> None:
    docs, questions = documents_and_questions()
    # the shards score words; matching by meaning is done where the question arrives, by
    # one machine either way (bench/cluster_exact.py compares every question with it on):
    # off here, so that the dev sets' 3,851 sentences are not encoded for each run
    one = Collection.in_memory(docs, Config(semantic=SemanticSettings(enabled=False)))
    many = one.sharded(ClusterSettings(shards=3))
    mismatched = [q for q in questions if not same(one.ask(q, 10), many.ask(q, 10))]
    assert len(many.searcher.generation.engine.actors) == 3
    assert mismatched == [], f"{len(mismatched)} of {len(questions)} differ: {mismatched[:3]}"
    assert len(questions) >= 20  # the shared dev sets, where they are here, add many more


@pytest.mark.slow
def test_shards_keep_the_vectors_and_answer_by_meaning_as_one_machine(ray_cluster: Any) -> None:
    from index.cluster.actors import ClusterDense

    one = Collection.in_memory(small_documents(), SHARED)
    many = one.sharded(ClusterSettings(shards=3))
    assert isinstance(many.searcher.generation.dense, ClusterDense)  # none held at the front
    questions = [p["question"] for p in paraphrases()]  # Arabic in other words, and English
    questions += ["متى ولد تسلا؟", "ما هي عاصمة البرازيل؟", "What is the capital of Brazil?"]
    answers = [(one.ask(q, 10), many.ask(q, 10)) for q in questions]
    assert all(same(a, b) for a, b in answers)
    assert sum(any(h.meaning for h in a.hits) for a, _ in answers) >= 3


@pytest.mark.slow
def test_a_chats_sets_are_answered_by_the_shards_as_by_one_machine(ray_cluster: Any) -> None:
    one = Collection.in_memory(small_documents(), SHARED)
    one.assign([p.name for p in FOLLOWUP.glob("*.txt")], "دروس")
    many = one.sharded(ClusterSettings(shards=3))
    questions = ["متى ولد تسلا؟", "أين تقع مصر؟", "ماذا قال رودينكو عن أوزبكستان؟"]
    for sets in (["دروس"], ["default"]):
        answers = [(one.ask(q, 10, sets), many.ask(q, 10, sets)) for q in questions]
        assert all(same(a, b) for a, b in answers)
        lessons = {p.name for p in FOLLOWUP.glob("*.txt")}
        inside = {h.document in lessons for a, _ in answers for h in a.hits}
        assert inside == {sets == ["دروس"]}  # each set's documents alone


@pytest.mark.slow
def test_with_two_replicas_a_lost_replica_is_covered_by_the_other(ray_cluster: Any) -> None:
    import ray

    docs = small_documents()
    one = Collection.in_memory(docs, SHARED)
    many = one.sharded(ClusterSettings(shards=2, replicas=2))
    questions = ["متى ولد تسلا؟", "أين تقع مصر؟", "ماذا قال رودينكو عن أوزبكستان؟"] * 2
    assert all(same(one.ask(q, 10), many.ask(q, 10)) for q in questions)
    actors = many.searcher.generation.engine.actors
    nodes = [{ray.get(a.info.remote())["node"] for a in replicas} for replicas in actors]
    assert all(len(n) == 2 for n in nodes)  # a shard's replicas on different nodes
    for replicas in actors:
        ray.kill(replicas[0], no_restart=True)  # gone for good: only the other one is left
    assert all(same(one.ask(q, 10), many.ask(q, 10)) for q in questions)


@pytest.mark.slow
def test_closing_stops_the_shards_and_a_cluster_without_room_says_so(
    ray_cluster: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    import ray
    from ray.exceptions import RayActorError
    from ray.util import placement_group_table

    from index.cluster import actors as cluster_actors

    def held() -> set[str]:  # the placement groups holding room on the cluster
        return {i for i, g in placement_group_table().items() if g["state"] != "REMOVED"}

    before = held()
    one = Collection.in_memory(small_documents(), SHARED)
    many = one.sharded(ClusterSettings(shards=2, replicas=2))
    assert same(one.ask("أين تقع مصر؟", 10), many.ask("أين تقع مصر؟", 10))
    assert len(held() - before) == 2  # a group per shard
    started = [a for replicas in many.searcher.generation.engine.actors for a in replicas]
    many.close()
    for actor in started:  # stopped for good, and the memory they reserved given back
        with pytest.raises(RayActorError):
            ray.get(actor.info.remote(), timeout=30)
    assert held() == before

    monkeypatch.setattr(cluster_actors, "SHARD_MEMORY", 2**50)  # more than any node has
    monkeypatch.setattr(cluster_actors, "PLACEMENT_WAIT", 1.0)
    roomless = Collection.in_memory(small_documents(), SHARED).sharded(
        ClusterSettings(shards=2, replicas=2)
    )
    with pytest.raises(ClusterUnavailable, match="no room on the cluster for 2 replicas"):
        roomless.ask("أين تقع مصر؟")
    assert held() == before


@pytest.mark.slow
def test_shards_on_a_node_that_leaves_come_back_elsewhere_from_their_files(
    ray_cluster: Any,
) -> None:
    import ray

    ray_cluster.add_node(num_cpus=1)  # three nodes: the head and two that can leave
    ray_cluster.wait_for_nodes()
    docs = small_documents()
    one = Collection.in_memory(docs, SHARED)
    many = one.sharded(ClusterSettings(shards=3))
    questions = ["متى ولد تسلا؟", "أين تقع مصر؟", "ماذا قال رودينكو عن أوزبكستان؟"]
    assert all(same(one.ask(q, 10), many.ask(q, 10)) for q in questions)
    actors = [replicas[0] for replicas in many.searcher.generation.engine.actors]
    where = {ray.get(a.info.remote())["node"] for a in actors}
    leaving = next(n for n in ray_cluster.worker_nodes if n.node_id in where)
    ray_cluster.remove_node(leaving)  # with the shards it runs
    assert all(same(one.ask(q, 10), many.ask(q, 10)) for q in questions)
    after = [ray.get(a.info.remote()) for a in actors]
    assert leaving.node_id not in [a["node"] for a in after]
    assert all(a["generations"] == [many.generation] for a in after)  # loaded from files


@pytest.mark.slow
def test_changes_go_to_the_owning_shard_and_every_shard_switches_at_once(
    ray_cluster: Any, tmp_path: Path
) -> None:
    from index.cluster.shards import read_manifest

    docs = tmp_path / "docs"
    docs.mkdir()
    for path in [*SEEDS.glob("*.txt"), *FOLLOWUP.glob("*.txt")]:
        (docs / path.name).write_bytes(path.read_bytes())
    config = replace(seed_config(tmp_path / "c", docs), cluster=ClusterSettings(shards=3))
    many = Collection.open(config, cluster=True)
    questions = ["متى ولد تسلا؟", "أين تقع مصر؟", "ماذا قال رودينكو عن أوزبكستان؟"]
    questions.append("كم زاد محصول القمح في مصر؟")
    before = many.searcher.generation.engine
    wheat = ["محصول", "قمح"]
    assert before.top_k(wheat, 3, matched_only=True) == []
    text = "أعلنت وزارة الزراعة في مصر أن محصول القمح زاد هذا العام بنسبة عشرة في المئة."
    many.add("قمح.txt", text.encode(), keep_copy=False)
    after = many.searcher.generation.engine
    assert after.generation > before.generation
    root = many._shard_set().root
    old, new = (read_manifest(root, e.generation) for e in (before, after))
    assert old and new
    changed = [a.postings != b.postings for a, b in zip(old.shards, new.shards, strict=True)]
    assert sum(changed) == 1  # the owning shard only
    assert after.top_k(wheat, 3, matched_only=True) != []
    # A question already under way on the old generation reads it on every shard still.
    assert before.top_k(wheat, 3, matched_only=True) == []
    with Collection.open(config) as alone:  # one machine, the same store
        assert all(same(alone.ask(q, 10), many.ask(q, 10)) for q in questions)
        many.remove(["قمح.txt"])
        alone.searcher.reload()
        assert all(same(alone.ask(q, 10), many.ask(q, 10)) for q in questions)
    many.close()


@pytest.mark.slow
def test_sanad_ask_answers_from_the_cluster_as_from_this_machine(
    ray_cluster: Any,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    (tmp_path / "config.toml").write_text(f'[index]\nseeds = "{SEEDS}"\n', encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    question = "ماذا قال رودينكو عن أوزبكستان؟"
    assert main(["ask", question, "--json"]) == 0
    alone = json.loads(capsys.readouterr().out)
    assert main(["ask", question, "--json", "--cluster"]) == 0
    assert json.loads(capsys.readouterr().out) == alone
    # sanad add --cluster writes the new generation's shards; both answer from it
    wheat = tmp_path / "قمح.txt"
    wheat.write_text("قال رودينكو إن صادرات القمح إلى أوزبكستان زادت هذا العام.", "utf-8")
    assert main(["add", str(wheat), "--cluster"]) == 0
    assert any(p.name.startswith("g") for p in tmp_path.rglob("shards-3/g*"))
    answers = []
    for extra in ([], ["--cluster"]):
        capsys.readouterr()
        assert main(["ask", "ماذا قال رودينكو عن القمح؟", "--json", *extra]) == 0
        answers.append(json.loads(capsys.readouterr().out))
    assert answers[0] == answers[1]
    assert answers[0]["hits"][0]["doc"] == "قمح.txt"


@pytest.mark.slow
def test_a_shard_killed_during_a_burst_of_200_questions_to_the_bot_loses_none(
    fake: FakeTelegram, ray_cluster: Any, tmp_path: Path
) -> None:
    import ray

    docs = small_documents()
    sharded = Collection.in_memory(docs, SHARED).sharded(ClusterSettings(shards=3))
    questions = [e["question"] for e in seed_examples()] + ["متى ولد تسلا؟", "أين تقع مصر؟"]
    chats = [7000 + n for n in range(20)]
    with running_bot(fake, make_services(tmp_path, collection=sharded)):
        for round_ in range(10):  # 20 chats × 10 questions, as fast as they come
            for n, chat in enumerate(chats):
                fake.message(chat, questions[(n + round_) % len(questions)])
            if round_ == 3:  # a shard's process dies mid-burst; Ray starts it again
                ray.kill(sharded.searcher.generation.engine.actors[1][0], no_restart=False)
        fake.wait_for(lambda: sum(len(fake.bot_messages(c)) for c in chats) >= 200, timeout=120)
        fake.wait_idle()  # and no second answer comes late
    replies = {c: [m["text"] for m in fake.bot_messages(c)] for c in chats}
    assert all(len(said) == 10 for said in replies.values())  # each answered once
    assert not any(texts.SORRY in t for said in replies.values() for t in said)
    by_question: dict[str, set[str]] = {}
    for n, chat in enumerate(chats):
        for round_, text in enumerate(replies[chat]):
            by_question.setdefault(questions[(n + round_) % len(questions)], set()).add(text)
    assert all(len(said) == 1 for said in by_question.values())  # before the crash = after


@pytest.mark.slow
def test_a_build_read_and_analysed_on_the_cluster_stores_what_a_local_build_stores(
    ray_cluster: Any,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    pdfs = tmp_path / "pdfs"  # a PDF with text, and a scan the build skips
    pdfs.mkdir()
    for name in ("shaped.pdf", "scan.pdf"):
        (pdfs / name).write_bytes((ROOT / "tests" / "data" / "pdf" / name).read_bytes())
    stored, vectors = [], []
    for name, extra in (("local", []), ("cluster", ["--cluster"])):
        folder = tmp_path / name
        folder.mkdir()
        (folder / "config.toml").write_text("", encoding="utf-8")
        monkeypatch.chdir(folder)
        if extra:  # no shared vector file: every sentence is encoded, by Ray tasks
            monkeypatch.delenv("SANAD_SEMANTIC_CACHE", raising=False)
        assert main(["build", str(SEEDS), str(FOLLOWUP), str(pdfs), *extra]) == 0
        out = capsys.readouterr().out
        assert "skipped scan.pdf" in out
        store = Store(folder / "data" / "sanad.sqlite3")
        stored.append((list(store.corpus()), [d.name for d in store.documents()]))
        vectors.append(dict(store.vectors.db.query("SELECT key, vector FROM vectors")))
        store.close()
    assert stored[0] == stored[1] and len(stored[0][0]) > 30
    assert "shaped.pdf" in stored[0][1]
    assert f"vectors: {len(vectors[1])} sentences encoded" in out
    assert vectors[0].keys() == vectors[1].keys()  # the same sentences, the same vectors
    for key in vectors[0]:
        here, there = (np.frombuffer(v[key], np.float16).astype(np.float32) for v in vectors)
        assert np.allclose(here, there, atol=2e-3)


@pytest.mark.slow
def test_without_a_cluster_nothing_imports_ray() -> None:
    code = (
        "import sys\n"
        "import index.cluster.actors\n"
        "from index.collection import Collection\n"
        "from index.reading.documents import parse_document\n"
        "doc = parse_document('a.txt', 'زار الوفد روسيا أمس.'.encode())\n"
        "assert not Collection.in_memory([doc]).ask('من زار روسيا؟').empty\n"
        "print('ray' in sys.modules)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert done.stdout.strip() == "False"
