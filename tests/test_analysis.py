"""Normalization, tokenization, stopwords and clitic segmentation of Arabic words."""

import pytest

from index.text.analysis import (
    Analyzer,
    LightSegmenter,
    is_stopword,
    normalize,
    prepare,
    word_spans,
)


@pytest.mark.parametrize(
    ("raw", "normalized"),
    [
        ("أحمد", "احمد"),
        ("إسلام", "اسلام"),
        ("آمن", "امن"),
        ("مصطفى", "مصطفي"),
        ("مدرسة", "مدرسه"),
        ("كَتَبَ", "كتب"),  # diacritics
        ("الْعَرَبِيَّةُ", "العربيه"),  # shadda and case endings
        ("جـــميل", "جميل"),  # tatweel
        ("٢٠١٩", "2019"),  # Arabic-Indic digits
        ("۱۴۰۲", "1402"),  # Persian digits
        ("ﻻ", "لا"),  # presentation-form ligature
        ("COVID", "covid"),
    ],
)
def test_normalization(raw: str, normalized: str) -> None:
    assert normalize(raw) == normalized


@pytest.mark.parametrize(
    ("word", "stem"),
    [
        ("وأوزبكستان", "اوزبكست"),
        ("لأوزبكستان", "اوزبكست"),
        ("أوزبكستان", "اوزبكست"),
        ("بالاتحاد", "اتحاد"),
        ("الاتحاد", "اتحاد"),
        ("سيفتحها", "يفتح"),
        ("نحترمه", "نحترم"),
        ("وعلاقاتنا", "علاق"),
        ("رودينكو", "رودينكو"),
    ],
)
def test_light_segmentation(word: str, stem: str) -> None:
    assert LightSegmenter().segment(prepare(word)) == (stem,)


@pytest.mark.parametrize(
    "pair",
    [
        ("الوزير", "وزير"),
        ("للاعبين", "لاعبين"),
        ("لكازاخستان", "كازاخستان"),
        ("والسياسة", "السياسة"),
        ("فالاتفاق", "اتفاق"),
    ],
)
def test_a_word_stems_the_same_with_or_without_its_clitics(pair: tuple[str, str]) -> None:
    seg = LightSegmenter()
    assert seg.segment(prepare(pair[0])) == seg.segment(prepare(pair[1]))


def test_short_words_keep_their_letters() -> None:
    seg = LightSegmenter()
    assert seg.segment("قال") == ("قال",)
    assert seg.segment("بلد") == ("بلد",)


@pytest.mark.parametrize(
    "word",
    [
        "ماذا",
        "ما",
        "من",
        "متى",
        "كيف",
        "لماذا",
        "هل",
        "كم",
        "أين",
        "أي",
        "شو",
        "ايش",
        "وماذا",
        "في",
        "الذي",
        "فإن",
    ],
)
def test_question_and_function_words_are_stopwords(word: str) -> None:
    assert is_stopword(normalize(word))


def test_question_words_leave_only_content_terms_with_spans() -> None:
    analyzer = Analyzer(LightSegmenter())
    question = "ماذا قال رودينكو عن أوزبكستان؟"
    tokens = analyzer.tokens(question)
    assert [t.term for t in tokens] == ["قال", "رودينكو", "اوزبكست"]
    assert [question[t.start : t.end] for t in tokens] == ["قال", "رودينكو", "أوزبكستان"]


def test_invisible_marks_do_not_hide_question_words() -> None:
    analyzer = Analyzer(LightSegmenter())
    assert analyzer.terms("\u200fما هو اسم\u200d عقيدة غاندي؟") == analyzer.terms(
        "ما هو اسم عقيدة غاندي؟"
    )


def test_noise_gives_no_terms() -> None:
    analyzer = Analyzer(LightSegmenter())
    assert analyzer.terms("؟؟ !! 🙂🙂 ... ــــ") == []
    assert analyzer.terms("<b>روسيا</b>") == ["روس"]


def test_each_word_type_is_analysed_once() -> None:
    calls: list[str] = []

    class Counting(LightSegmenter):
        def segment(self, word: str) -> tuple[str, ...]:
            calls.append(word)
            return super().segment(word)

    analyzer = Analyzer(Counting())
    analyzer.terms("روسيا وروسيا روسيا روسيا")
    assert sorted(calls) == sorted(["روسيا", "وروسيا"])


def test_word_spans_agree_with_camel_tools_tokenization() -> None:
    from camel_tools.tokenizers.word import simple_word_tokenize

    from tests.conftest import SEED_DOC

    text = SEED_DOC.read_text(encoding="utf-8") + (
        " كَتَبَ «الكتاب» (2.5%) e-mail 🙂x ـــ ٢٠١٩م COVID-19 a²b \u200bزين؟!"
    )
    words = [w for w, _, _ in word_spans(text)]
    camel = [w for w in simple_word_tokenize(text) if any(ch.isalnum() for ch in w)]
    assert words == camel
    assert all(text[a:b] == w for w, a, b in word_spans(text))
