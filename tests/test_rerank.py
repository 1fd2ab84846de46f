"""The second stage: character n-grams, answer types, spelling, gram statistics."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from index.build import build_index
from index.collection import Collection
from index.retrieval.search import Searcher
from index.retrieval.settings import SearchSettings
from index.storage.store import Store
from index.text.analysis import Analyzer, LightSegmenter

# Sentences on other subjects, so that idf behaves as in a real collection.
FILLER = (
    "افتتح المتحف الجديد أبوابه. زار الطلاب المكتبة العامة. هطلت أمطار غزيرة ليلا. "
    "ارتفعت أسعار الخضار في السوق. فاز الفريق بالمباراة."
)
STEMS_ONLY = SearchSettings(context_weight=0, gram_weight=0, stem_weight=1, answer_type_weight=0)


def with_filler(texts: dict[str, str]) -> dict[str, str]:
    return {**texts, "z.txt": FILLER}


def index_of(tmp_path: Path, texts: dict[str, str]) -> tuple[Store, Analyzer]:
    docs = tmp_path / "docs"
    docs.mkdir()
    for name, text in {**texts, "z.txt": FILLER}.items():
        (docs / name).write_text(text, encoding="utf-8")
    store = Store(tmp_path / "i.sqlite3")
    analyzer = Analyzer(LightSegmenter())
    build_index(store, analyzer, [docs])
    return store, analyzer


def places(answer) -> list[tuple[str, int]]:
    return [(h.document, h.ordinal) for h in answer.hits]


def test_character_grams_match_a_word_the_stemmer_leaves_apart(make_collection) -> None:
    # «تسلسل» and «سلسلة» share no stem (تسلسل / سلسل) but most of their letters
    texts = with_filler(
        {
            "a.txt": "ناقش العلماء الجينوم البشري في مؤتمر كبير.",
            "b.txt": "أتمت الفرق العلمية سلسلة الجينوم البشري كاملة.",
        }
    )
    question = "ماذا تعرف عن تسلسل الجينوم البشري؟"
    assert places(make_collection(texts).ask(question, 2)) == [("b.txt", 1), ("a.txt", 1)]
    stems_only = make_collection(texts, search=STEMS_ONLY).ask(question, 2)
    assert places(stems_only) == [("a.txt", 1), ("b.txt", 1)]


def test_a_when_question_prefers_the_sentence_that_gives_a_date(make_collection) -> None:
    texts = with_filler(
        {
            "a.txt": "وقع الوفد الاتفاقية في العاصمة.",
            "b.txt": "وقع الوفد الاتفاقية في أيار.",
        }
    )
    question = "متى وقع الوفد الاتفاقية؟"
    with_type = replace(STEMS_ONLY, answer_type_weight=0.2)
    assert places(make_collection(texts, search=with_type).ask(question, 2)) == [
        ("b.txt", 1),
        ("a.txt", 1),
    ]
    # the same words otherwise: without the answer type, document order decides
    assert places(make_collection(texts, search=STEMS_ONLY).ask(question, 2)) == [
        ("a.txt", 1),
        ("b.txt", 1),
    ]


def test_a_how_many_question_prefers_the_sentence_with_a_number(make_collection) -> None:
    texts = with_filler(
        {
            "a.txt": "زار الوفد مصانع السيارات.",
            "b.txt": "زار الوفد خمسة مصانع للسيارات.",
        }
    )
    with_type = replace(STEMS_ONLY, answer_type_weight=0.5)
    answer = make_collection(texts, search=with_type).ask("كم مصنعا للسيارات زار الوفد؟", 2)
    assert places(answer)[0] == ("b.txt", 1)


def test_letters_shared_by_chance_do_not_make_an_answer(make_collection) -> None:
    collection = make_collection(with_filler({"a.txt": "ناقش العلماء الجينوم البشري."}))
    answer = collection.ask("ماذا تعرف عن الجينوم؟", 5)
    # the filler shares grams such as «#ال» with the question, but no word
    assert places(answer) == [("a.txt", 1)]


def test_a_misspelt_name_is_found_and_marked(collection: Collection) -> None:
    answer = collection.ask("من هو رودنكو؟")  # رودينكو, one letter short
    assert not answer.empty
    assert all("رودينكو" in h.text for h in answer.hits)
    first = answer.hits[0]
    assert "رودينكو" in [first.text[a:b] for a, b in first.spans]


def test_a_misspelt_speaker_is_still_tracked(collection: Collection) -> None:
    right = collection.ask("ماذا قال رودينكو عن أوزبكستان؟", 3)
    wrong = collection.ask("ماذا قال رودنكو عن اوزبكستان؟", 3)
    assert places(wrong) == places(right)


def test_gram_statistics_are_kept_and_reused_until_the_collection_changes(
    tmp_path: Path,
) -> None:
    store, analyzer = index_of(tmp_path, {"a.txt": "ناقش العلماء الجينوم البشري."})
    Searcher(store, analyzer)
    saved = tmp_path / "i.sqlite3.engine" / "grams.json"
    stamp = saved.stat().st_mtime_ns
    Searcher(store, analyzer)  # a restart: same generation, counted before
    assert saved.stat().st_mtime_ns == stamp
    (tmp_path / "docs" / "c.txt").write_text("طشقند عاصمة أوزبكستان.", encoding="utf-8")
    build_index(store, analyzer, [tmp_path / "docs"])
    searcher = Searcher(store, analyzer)
    assert saved.stat().st_mtime_ns != stamp  # exact statistics follow every change
    assert searcher.ask("ما عاصمة أوزبكستان؟").hits[0].document == "c.txt"


PARTY = (
    "حزب الجبهة الموحدة حزب سياسي أردني تأسس في عام 2007 في عمان.\n"
    "يصنف الحزب بأنه حزب وسطي قريب من الحكومة."
)


def test_a_documents_title_lets_the_sentence_that_answers_come_before_the_one_naming_it(
    make_collection,
) -> None:
    # Its subject stands in the title, so every sentence of it speaks of the party: the
    # sentence that says how it is classed comes first, not the one that repeats its name.
    texts = with_filler({"party.txt": "حزب الجبهة الموحدة\n" + PARTY})
    question = "كيف يصنف حزب الجبهة الموحدة؟"
    assert places(make_collection(texts).ask(question, 2)) == [("party.txt", 3), ("party.txt", 2)]
    no_titles = make_collection(texts, search=SearchSettings(title_weight=0)).ask(question, 2)
    assert places(no_titles) == [("party.txt", 2), ("party.txt", 3)]
    # without a heading, the title is the first sentence's start: it counts for nothing
    untitled = make_collection(with_filler({"party.txt": PARTY})).ask(question, 2)
    assert places(untitled) == [("party.txt", 1), ("party.txt", 2)]
