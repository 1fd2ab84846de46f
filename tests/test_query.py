"""A question is parsed once per ask: one tokenization, each word analysed, gram-split and
spell-corrected once, and every stage reads the same parsed words."""

from __future__ import annotations

import sys
from collections import Counter
from collections.abc import Callable
from typing import Any

import pytest

import index.question.query
import index.text.analysis
from index.collection import Collection
from index.question.query import parse_query
from index.text.analysis import Analyzer, LightSegmenter

# Both names misspelt or written without hamza, so that no answer sentence holds these
# exact words and every analysis of them below is the question's own.
QUESTION = "ماذا قال رودنكو عن اوزبكستان؟"
WORDS = ["ماذا", "قال", "رودنكو", "عن", "اوزبكستان"]


def spy(monkeypatch: pytest.MonkeyPatch, owner: Any, name: str) -> list[tuple]:
    """Record every call of ``owner.name`` (and the same function wherever it was
    imported in the index package)."""
    calls: list[tuple] = []
    real: Callable[..., Any] = getattr(owner, name)

    def recording(*args: Any) -> Any:
        calls.append(args)
        return real(*args)

    for module in list(sys.modules.values()):
        if module and module.__name__.startswith("index.") and getattr(module, name, None) is real:
            monkeypatch.setattr(module, name, recording)
    return calls


def test_each_ask_tokenizes_analyses_gram_splits_and_corrects_the_question_once(
    collection: Collection, monkeypatch: pytest.MonkeyPatch
) -> None:
    collection.ask(QUESTION)  # load the index first
    spans = spy(monkeypatch, index.text.analysis, "word_spans")
    words = spy(monkeypatch, index.text.analysis, "text_words")
    grams = spy(monkeypatch, index.question.query, "word_grams")
    corrections = spy(monkeypatch, index.question.query, "correct")
    analysed: Counter[str] = Counter()
    real_terms = Analyzer.word_terms

    def counting(self: Analyzer, word: str) -> tuple[str, ...]:
        analysed[word] += 1
        return real_terms(self, word)

    monkeypatch.setattr(Analyzer, "word_terms", counting)
    answer = collection.ask(QUESTION)
    assert not answer.empty and "رودينكو" in answer.hits[0].text  # corrected, and found

    assert [args[0] for args in spans].count(QUESTION) == 1  # one tokenization
    assert QUESTION not in [args[0] for args in words]  # and no second tokenizer
    assert {w: analysed[w] for w in WORDS} == dict.fromkeys(WORDS, 1)
    assert sorted(args[0] for args in grams) == sorted(["قال", "رودنكو", "اوزبكستان"])
    assert sorted(args[0] for args in corrections) == sorted(["قال", "رودنكو", "اوزبكست"])


def test_grams_answer_type_and_stems_come_from_the_same_words() -> None:
    analyzer = Analyzer(LightSegmenter())
    query = parse_query("كم مشروعا🙂 وقعت روسيا؟", analyzer, lambda stem: None)
    assert not isinstance(query, str)
    assert [w.text for w in query.words] == ["كم", "مشروعا", "وقعت", "روسيا"]
    assert query.answer_type == "number"
    assert not any("🙂" in g for g in query.grams)  # the emoji is no word, for any stage
    assert query.stems == tuple(t for w in query.words for t in analyzer.word_terms(w.text))


@pytest.mark.parametrize(
    ("question", "stems", "kind"),
    [
        ("ماهي عاصمة مصر؟", ("عاصم", "مصر"), None),  # «ما هي» written as one word
        ("ماسبب الحرب؟", ("سبب", "حرب"), "reason"),
        ("لمادا سميت المدينة؟", ("سميت", "مدين"), "reason"),  # ذ typed as د
        ("علل سبب الحرب", ("سبب", "حرب"), "reason"),  # the command is no word to find
        ("بماذا تسمى المدينة؟", ("تسمي", "مدين"), "name"),
        ("في أي مدينة ولد؟", ("مدين", "ولد"), "place"),
        ("من قاد الوفد؟", ("قاد", "وفد"), "person"),
        ("من هو رودينكو؟", ("رودينكو",), None),  # who he is: no name to mark
        ("كيف تعمل الآلة؟", ("تعمل", "اله"), "manner"),
        ("ماليزيا دولة؟", ("ماليز", "دول"), None),  # «ما» that is the start of a name
    ],
)
def test_the_question_frame_is_read_and_never_searched(
    question: str, stems: tuple[str, ...], kind: str | None
) -> None:
    query = parse_query(question, Analyzer(LightSegmenter()), lambda stem: None)
    assert not isinstance(query, str)
    assert (query.stems, query.answer_type) == (stems, kind)
