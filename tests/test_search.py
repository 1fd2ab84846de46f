"""The search API: hits carry original text, citations and matched spans; empty answers
say why."""

import pytest

from index.search import Searcher

QUESTION = "ماذا قال رودينكو عن أوزبكستان؟"


def test_mission_question_ranks_rudenko_on_uzbekistan_first(searcher: Searcher) -> None:
    answer = searcher.ask(QUESTION, k=3)
    assert not answer.empty and answer.reason is None
    first = answer.hits[0]
    assert "رودينكو" in first.text and "أوزبكستان" in first.text
    assert all("أوزبكستان" in h.text for h in answer.hits)
    assert [h.score for h in answer.hits] == sorted((h.score for h in answer.hits), reverse=True)


def test_hits_cite_document_and_place_and_mark_the_matched_words(searcher: Searcher) -> None:
    hit = searcher.ask(QUESTION, k=1).hits[0]
    assert hit.doc == "000_4df2e2abeb755126.txt"
    assert (hit.ordinal, hit.of) == (14, 25)
    assert hit.text.startswith("كما أشار رودينكو")  # the original sentence, untouched
    assert [hit.text[a:b] for a, b in hit.spans] == ["رودينكو", "وأوزبكستان"]


def test_the_answer_says_who_said_it(searcher: Searcher) -> None:
    # sentence 22 names him by title only, 15 («وأضاف: …») not at all: the speaker's
    # name comes from where the article first introduced him
    hits = searcher.ask(QUESTION, k=3).hits
    assert {h.ordinal for h in hits} == {14, 22, 15}
    assert {h.speaker for h in hits} == {"نائب وزير الخارجية الروسي أندريه رودينكو"}
    assert all(not h.speaker for h in searcher.ask("ما هي حصة روسيا في التجارة؟").hits)


def test_k_limits_the_number_of_hits(searcher: Searcher) -> None:
    assert len(searcher.ask(QUESTION, k=1).hits) == 1
    assert len(searcher.ask(QUESTION, k=5).hits) == 5


@pytest.mark.parametrize(
    ("question", "reason"),
    [
        ("", "blank"),
        ("   \n ", "blank"),
        ("What did Rudenko say?", "not_arabic"),
        ("؟؟؟ 🙂🙂", "not_arabic"),
        ("ماذا؟ ومن؟ وكيف؟", "no_words"),
        ("ما هي عاصمة البرازيل الكبرى", "no_match"),
        ("أ" * 10_000, "too_long"),
    ],
)
def test_empty_answers_give_a_reason_and_an_arabic_message(
    searcher: Searcher, question: str, reason: str
) -> None:
    answer = searcher.ask(question)
    assert answer.empty and answer.hits == ()
    assert answer.reason == reason
    assert answer.message and any("\u0600" <= ch <= "\u06ff" for ch in answer.message)


def test_html_in_a_question_is_just_text(searcher: Searcher) -> None:
    answer = searcher.ask("<b>رودينكو</b> <script>أوزبكستان</script>")
    assert not answer.empty
    assert "رودينكو" in answer.hits[0].text


OFF_TOPIC = [
    "ما هي عاصمة روسيا؟",
    "متى تأسست منظمة الأمم المتحدة؟",
    "من فاز بكأس العالم لكرة القدم؟",
]


@pytest.mark.parametrize("question", OFF_TOPIC)
def test_questions_the_documents_do_not_answer_get_no_answer(
    searcher: Searcher, question: str
) -> None:
    # each shares a word with the seed (روسيا، منظمة، العالم), none is answered there
    answer = searcher.ask(question)
    assert answer.empty and answer.reason == "no_match"


def test_the_evidence_threshold_can_be_turned_off(seed_store, analyzer) -> None:
    assert not Searcher(seed_store, analyzer, min_evidence=0).ask(OFF_TOPIC[0]).empty


def test_a_sentence_whose_neighbour_also_matches_ranks_first(tmp_path) -> None:
    from index.analysis import Analyzer, LightSegmenter
    from index.build import build_index
    from index.rerank import Weights
    from index.store import Store

    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "a.txt").write_text("الطقس جميل في المدينة. القطار يصل ظهرا.", encoding="utf-8")
    (docs / "b.txt").write_text("القطار السريع يتأخر كثيرا. القطار يصل ظهرا.", encoding="utf-8")
    (docs / "c.txt").write_text(
        "افتتح المتحف الجديد أبوابه. زار الطلاب المكتبة العامة. هطلت أمطار غزيرة ليلا. "
        "ارتفعت أسعار الخضار في السوق. فاز الفريق بالمباراة.",
        encoding="utf-8",
    )
    store = Store(tmp_path / "i.sqlite3")
    analyzer = Analyzer(LightSegmenter())
    build_index(store, analyzer, [docs])
    question = "متى يصل القطار؟"
    with_context = Searcher(store, analyzer).ask(question, 2)
    plain = Searcher(store, analyzer, weights=Weights(context=0)).ask(question, 2)
    # «القطار يصل ظهرا» twice, the same score alone; the one after «القطار السريع يتأخر»
    # (which also speaks of the train) is the better answer, and comes first
    assert [(h.doc, h.ordinal) for h in with_context.hits] == [("b.txt", 2), ("a.txt", 2)]
    assert [(h.doc, h.ordinal) for h in plain.hits] == [("a.txt", 2), ("b.txt", 2)]
