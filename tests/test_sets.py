"""Sets of documents from the terminal: `sanad add --set`, `sanad sets`, `sanad ask --set`,
answered from a set alone and ranked as if it were the whole collection."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from rank_bm25 import BM25Okapi

from index.cli import EXIT_ERROR, main
from index.collection import Collection
from index.config import load_config
from index.storage.store import Store
from index.text.grams import GramStats
from tests.conftest import SEEDS

FOLLOWUP = Path(__file__).parent / "fixtures" / "followup"
QUESTIONS = ["متى ولد تسلا؟", "أين تقع مصر؟", "ما عاصمة بولندا؟", "ماذا قال رودينكو؟"]


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The seeds in the default set, the follow-up fixtures added to set «دروس»."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SANAD_INDEX_SEEDS", str(SEEDS))
    monkeypatch.setenv("SANAD_ANALYSIS_SEGMENTER", "light")
    monkeypatch.setenv("SANAD_SEMANTIC_ENABLED", "false")
    assert main(["build"]) == 0
    assert main(["add", "--set", "دروس", str(FOLLOWUP)]) == 0
    return tmp_path


def ask(capsys: pytest.CaptureFixture[str], *args: str) -> list[dict]:
    capsys.readouterr()
    main(["ask", "--json", "-k", "10", *args])
    return json.loads(capsys.readouterr().out)["hits"]


def test_sets_are_listed_and_a_set_answers_from_its_documents_alone(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    capsys.readouterr()
    assert main(["sets"]) == 0
    assert capsys.readouterr().out.splitlines() == ["default\t1 document", "دروس\t3 documents"]
    lesson = {p.name for p in FOLLOWUP.iterdir()}
    for question in QUESTIONS:
        assert {h["doc"] for h in ask(capsys, "--set", "دروس", question)} <= lesson
        assert not {h["doc"] for h in ask(capsys, "--set", "default", question)} & lesson
    assert ask(capsys, "--set", "دروس", "--set", "default", "ماذا قال رودينكو عن أوزبكستان؟")


def test_a_sets_engine_scores_equal_bm25okapi_over_its_sentences_alone(project: Path) -> None:
    config = load_config()  # the project's, as sanad reads it
    collection = Collection.open(config)
    searcher = collection.searcher
    now = searcher.generation
    scoped = searcher.scoped(now, ["دروس"]).engine
    store = collection._store  # the stored terms, as `sanad check` reads them
    mine = set(store.set_documents(["دروس"]))
    owners = store.sentence_documents(now.ids)
    numbers = np.flatnonzero(np.isin(owners, list(mine)))
    terms = dict(store.corpus())
    p = config.bm25
    alone = BM25Okapi([terms[int(now.ids[n])] for n in numbers], k1=p.k1, b=p.b, epsilon=p.epsilon)
    for question in QUESTIONS:
        query = searcher.parse(question, now)
        stems = list(query.stems) if not isinstance(query, str) else []
        expected = alone.get_scores(stems)
        assert np.allclose(scoped.score_docs(stems, numbers), expected, rtol=1e-9, atol=1e-12)
        top = [d for d, _ in scoped.top_k(stems, 5, matched_only=True)]
        order = sorted(range(len(numbers)), key=lambda i: (-expected[i], i))
        assert top == [int(numbers[i]) for i in order[: len(top)]]
    collection.close()


def test_a_document_added_to_a_set_is_not_seen_outside_it_and_keeps_its_set_when_replaced(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    doc = project / "عقد.txt"
    doc.write_text("وقعت الوزارة عقدا لتوريد الغاز مع أوزبكستان لمدة عشر سنوات.\n")
    assert main(["add", "--set", "قانوني", str(doc)]) == 0
    question = "ماذا عن عقد الغاز؟"
    assert [h["doc"] for h in ask(capsys, "--set", "قانوني", question)] == ["عقد.txt"]
    assert ask(capsys, "--set", "default", question) == []
    doc.write_text("وقعت الوزارة عقدا جديدا لتوريد الغاز لمدة خمس سنوات.\n")
    assert main(["add", str(doc)]) == 0  # replaced, no set named: it stays where it was
    assert ask(capsys, "--set", "default", question) == []


def test_a_sets_answers_do_not_move_when_another_set_changes(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = {q: ask(capsys, "--set", "دروس", q) for q in QUESTIONS}
    other = project / "other"
    other.mkdir()
    for n in range(5):  # another team's documents, sharing the lessons' words
        (other / f"ملف-{n}.txt").write_text(
            f"ولد تسلا في قرية صغيرة، وتقع مصر في أفريقيا، وعاصمة بولندا وارسو {n}.\n"
        )
    assert main(["add", "--set", "أخرى", str(other)]) == 0
    after = {q: ask(capsys, "--set", "دروس", q) for q in QUESTIONS}
    assert after == before  # the same sentences, the same scores
    assert any(ask(capsys, q) != before[q] for q in QUESTIONS)  # (unlike the whole collection)


def test_documents_are_put_in_a_set_and_taken_out_from_the_terminal(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    seed = next(SEEDS.iterdir()).name
    assert main(["sets", "دروس", seed]) == 0
    assert "1 document put in دروس" in capsys.readouterr().out
    assert {h["doc"] for h in ask(capsys, "--set", "دروس", "ماذا قال رودينكو؟")} == {seed}
    assert ask(capsys, "--set", "default", "ماذا قال رودينكو؟") == []  # in no default now
    assert main(["sets", "دروس", seed, "--remove"]) == 0
    assert ask(capsys, "--set", "default", "ماذا قال رودينكو؟")  # back in the default set
    assert main(["sets", "دروس", "لا-توجد.txt"]) == EXIT_ERROR
    assert "لا-توجد.txt: no such document" in capsys.readouterr().err


def test_a_sets_statistics_are_counted_once_for_every_process_that_asks(
    project: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from index.retrieval import segments

    counted: list[int] = []
    count = segments.count_gram_stats

    def counting(store: Store, ids: np.ndarray) -> GramStats:
        counted.append(len(ids))
        return count(store, ids)

    monkeypatch.setattr(segments, "count_gram_stats", counting)
    first = ask(capsys, "--set", "دروس", QUESTIONS[0])
    assert first and len(counted) == 1  # the set's first question counts its grams
    again = [ask(capsys, "--set", "دروس", q) for q in QUESTIONS]  # each a new `sanad ask`
    assert again[0] == first and len(counted) == 1  # read back, not counted again
    lesson = project / "درس.txt"
    lesson.write_text("ولد العالم في قرية صغيرة قرب البحر.\n")
    assert main(["add", "--set", "دروس", str(lesson)]) == 0
    ask(capsys, "--set", "دروس", QUESTIONS[0])
    assert counted[-1] == counted[0] + 1  # the set changed: counted anew, its new sentence too
