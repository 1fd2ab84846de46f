"""The search API: hits carry original text, citations and matched spans; empty answers
say why."""

import pytest

from index.collection import Collection
from index.retrieval.settings import SearchSettings
from tests.conftest import SEEDS

QUESTION = "ماذا قال رودينكو عن أوزبكستان؟"


def test_mission_question_ranks_rudenko_on_uzbekistan_first(collection: Collection) -> None:
    answer = collection.ask(QUESTION, k=3)
    assert not answer.empty and answer.reason is None
    first = answer.hits[0]
    assert "رودينكو" in first.text and "أوزبكستان" in first.text
    assert all("أوزبكستان" in h.text for h in answer.hits)
    assert [h.score for h in answer.hits] == sorted((h.score for h in answer.hits), reverse=True)


def test_hits_cite_document_and_place_and_mark_the_matched_words(collection: Collection) -> None:
    hit = collection.ask(QUESTION, k=1).hits[0]
    assert hit.document == "000_4df2e2abeb755126.txt"
    assert (hit.ordinal, hit.sentence_count) == (14, 25)
    assert hit.text.startswith("كما أشار رودينكو")  # the original sentence, untouched
    assert [hit.text[a:b] for a, b in hit.spans] == ["رودينكو", "وأوزبكستان"]


def test_the_answer_says_who_said_it(collection: Collection) -> None:
    # sentence 22 names him by title only, 15 («وأضاف: …») not at all: the speaker's
    # name comes from where the article first introduced him
    hits = collection.ask(QUESTION, k=3).hits
    assert {h.ordinal for h in hits} == {14, 22, 15}
    assert {h.speaker for h in hits} == {"نائب وزير الخارجية الروسي أندريه رودينكو"}
    assert all(not h.speaker for h in collection.ask("ما هي حصة روسيا في التجارة؟").hits)


def test_k_limits_the_number_of_hits(collection: Collection) -> None:
    assert len(collection.ask(QUESTION, k=1).hits) == 1
    assert len(collection.ask(QUESTION, k=5).hits) == 5


@pytest.mark.parametrize(
    ("question", "reason"),
    [
        ("", "blank"),
        ("   \n ", "blank"),
        ("What did Rudenko say?", "not_arabic"),
        ("؟؟؟ 🙂🙂", "no_words"),  # not a matter of Arabic: no word at all
        ("ماذا؟ ومن؟ وكيف؟", "no_words"),
        ("ما هي عاصمة البرازيل الكبرى", "no_match"),
        ("أ" * 10_000, "too_long"),
    ],
)
def test_empty_answers_give_a_reason_and_an_arabic_message(
    collection: Collection, question: str, reason: str
) -> None:
    answer = collection.ask(question)
    assert answer.empty and answer.hits == ()
    assert answer.reason == reason
    assert answer.message and any("\u0600" <= ch <= "\u06ff" for ch in answer.message)


def test_html_in_a_question_is_just_text(collection: Collection) -> None:
    answer = collection.ask("<b>رودينكو</b> <script>أوزبكستان</script>")
    assert not answer.empty
    assert "رودينكو" in answer.hits[0].text


OFF_TOPIC = [
    "ما هي عاصمة روسيا؟",
    "متى تأسست منظمة الأمم المتحدة؟",
    "من فاز بكأس العالم لكرة القدم؟",
]


@pytest.mark.parametrize("question", OFF_TOPIC)
def test_questions_the_documents_do_not_answer_get_no_answer(
    collection: Collection, question: str
) -> None:
    # each shares a word with the seed (روسيا، منظمة، العالم), none is answered there
    answer = collection.ask(question)
    assert answer.empty and answer.reason == "no_match"


def test_the_evidence_threshold_can_be_turned_off(make_collection) -> None:
    collection = make_collection(SEEDS, search=SearchSettings(min_evidence=0))
    assert not collection.ask(OFF_TOPIC[0]).empty


def test_a_sentence_whose_neighbour_also_matches_ranks_first(make_collection) -> None:
    texts = {
        "a.txt": "الطقس جميل في المدينة. القطار يصل ظهرا.",
        "b.txt": "القطار السريع يتأخر كثيرا. القطار يصل ظهرا.",
        "c.txt": "افتتح المتحف الجديد أبوابه. زار الطلاب المكتبة العامة. هطلت أمطار غزيرة ليلا. "
        "ارتفعت أسعار الخضار في السوق. فاز الفريق بالمباراة.",
    }
    question = "متى يصل القطار؟"
    with_context = make_collection(texts).ask(question, 2)
    plain = make_collection(texts, search=SearchSettings(context_weight=0)).ask(question, 2)
    # «القطار يصل ظهرا» twice, the same score alone; the one after «القطار السريع يتأخر»
    # (which also speaks of the train) is the better answer, and is the one cited (the
    # same words in the other document are named beside it)
    assert [(h.document, h.ordinal) for h in with_context.hits[:1]] == [("b.txt", 2)]
    assert [(h.document, h.ordinal) for h in plain.hits[:1]] == [("a.txt", 2)]
    assert with_context.hits[0].also == ("الطقس جميل في المدينة.",)


FILLER = (
    "افتتح المتحف الجديد أبوابه. زار الطلاب المكتبة العامة. هطلت أمطار غزيرة ليلا. "
    "ارتفعت أسعار الخضار في السوق. فاز الفريق بالمباراة."
)


def test_a_sentence_a_document_repeats_is_one_answer_cited_where_it_first_stands(
    make_collection,
) -> None:
    # an encyclopedia article that repeats its opening sentence further down, with a
    # footnote mark and a parenthesis less: one answer, at its first place, naming the other
    where = "هي دولة عربية تقع في الركن الشمالي الشرقي من قارة أفريقيا"
    first = f"مِصرَ أو (رسمياً: جُمهورِيّةُ مِصرَ العَرَبيّةِ) {where}."
    again = f"مِصرَ أو رسمياً جُمهورِيةُ مِصرَ العَرَبيةِ {where} (1)."
    texts = {
        "مصر.txt": f"{first}\nيبلغ عدد سكانها مئة مليون.\nتقع مصر في أفريقيا.\n{again}",
        "z.txt": FILLER,
    }
    hits = make_collection(texts).ask("أين تقع مصر؟", 3).hits
    assert 1 in [h.ordinal for h in hits]
    assert 4 not in [h.ordinal for h in hits]  # the copy is not a second answer
    first_hit = next(h for h in hits if h.ordinal == 1)
    assert first_hit.text == first and first_hit.copies == (4,)


def test_sentences_that_differ_in_a_number_are_two_answers(make_collection) -> None:
    texts = {
        "a.txt": "بلغ عدد سكان المدينة خمسة ملايين نسمة في عام 2010.\n"
        "بلغ عدد سكان المدينة خمسة ملايين نسمة في عام 2020.",
        "z.txt": FILLER,
    }
    hits = make_collection(texts).ask("كم بلغ عدد سكان المدينة؟", 3).hits
    assert [h.ordinal for h in hits] == [1, 2]
