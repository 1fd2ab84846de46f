"""Rendering answers for Telegram: always valid HTML, always within 4096 characters."""

from __future__ import annotations

import random

import pytest

from bot.admin import safe_file_name
from bot.buttons import answer_keyboard
from bot.render import answer_html, clip, context_html, inline_message_html, visible_length
from harness.fake_telegram import parse_html
from index.collection import Passage
from index.retrieval.answers import Answer, Hit
from index.storage.store import StoredSentence


def hit(
    text: str,
    spans: tuple[tuple[int, int], ...] = (),
    ordinal: int = 1,
    answer: tuple[int, int] | None = None,
) -> Hit:
    return Hit(
        text=text,
        document="doc.txt",
        title="عنوان <الوثيقة> & مصدرها",
        ordinal=ordinal,
        sentence_count=40,
        score=1.5,
        spans=spans,
        sentence_id=ordinal,
        answer=answer,
    )


def test_an_answer_quotes_each_hit_with_bold_matches_and_escapes_the_rest() -> None:
    text = 'قال <رودينكو> إن "أوزبكستان" & روسيا'
    html = answer_html(Answer("q", (hit(text, ((5, 12), (18, 27))),)))
    assert html.startswith('<blockquote>قال &lt;<b>رودينكو</b>&gt; إن "<b>أوزبكستان</b>"')
    assert "عنوان &lt;الوثيقة&gt; &amp; مصدرها — الجملة 1 من 40" in html
    assert parse_html(html)


def test_the_phrase_that_answers_is_underlined_around_its_bold_words() -> None:
    text = "تستعدان للتوقيع على حوالي 20 مشروع اتفاقية <حكومية>"
    html = answer_html(Answer("q", (hit(text, ((29, 34),), answer=(26, 34)),)))
    assert "حوالي <u>20 <b>مشروع</b></u> اتفاقية &lt;حكومية&gt;" in html
    assert parse_html(html)


def test_an_answer_far_into_a_long_sentence_stays_in_view() -> None:
    words = ["كلمة"] * 1000
    words[10], words[900] = "رودينكو", "1958"
    text = " ".join(words)
    at, year = text.index("رودينكو"), text.index("1958")
    html = answer_html(Answer("q", (hit(text, ((at, at + 7),), answer=(year, year + 4)),)))
    assert "<u>1958</u>" in html  # the answer, not the first matched word, decides the window


def test_huge_hits_are_shortened_with_an_ellipsis_and_the_message_fits() -> None:
    words = ["كلمة"] * 3000
    words[2500] = "رودينكو"
    text = " ".join(words)
    start = text.index("رودينكو")
    hits = tuple(hit(text, ((start, start + 7),), n) for n in range(1, 11))
    html = answer_html(Answer("q", hits))
    visible = parse_html(html)
    assert visible_length(visible) <= 4096
    assert html.count("<b>رودينكو</b>") == 10  # the match stays in view
    assert visible.count("…") >= 10


@pytest.mark.parametrize("seed", range(20))
def test_random_text_always_renders_to_valid_html(seed: int) -> None:
    rng = random.Random(seed)
    alphabet = "ابتثجحخدذرزسشصضطظعغفقكلمنهوي <>&\"'؛،.؟!0123456789🙂\u200f\u200dabc\n"
    hits = []
    for n in range(rng.randint(1, 10)):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 3000)))
        a, b = sorted(rng.randint(0, len(text)) for _ in range(2))
        answer = (a, max(b, a + 1)) if rng.random() < 0.5 and a < len(text) else None
        a = rng.randint(0, len(text) - 1)
        hits.append(hit(text, ((a, min(len(text), a + rng.randint(1, 9))),), n + 1, answer))
    for html in (answer_html(Answer("q", tuple(hits)), first_rank=4), inline_message_html(hits[0])):
        assert 1 <= visible_length(parse_html(html)) <= 4096


def test_context_bolds_the_hit_among_its_neighbours() -> None:
    rows = [StoredSentence(n, 1, n, 0, 0, 0, False, f"جملة رقم {n} <x>") for n in range(3, 8)]
    html = context_html(Passage("خبر", rows, focus=5))
    assert "<b>جملة رقم 5 &lt;x&gt;</b>" in html and "جملة رقم 3" in html
    assert parse_html(html)


def test_clip_keeps_the_first_match_in_view() -> None:
    text = "بداية " + "حشو " * 500 + "الهدف " + "نهاية " * 100
    start = text.index("الهدف")
    short, spans, _ = clip(text, [(start, start + 5)], 200)
    assert len(short) <= 202
    assert [short[a:b] for a, b in spans] == ["الهدف"]
    assert short.startswith("…") and short.endswith("…")


def test_button_data_fits_in_64_bytes() -> None:
    markup = answer_keyboard("AbCdEfGh", page=999, has_more=True)
    data = [b.callback_data for row in markup.inline_keyboard for b in row]
    assert len(data) == 5 and all(len(d.encode()) <= 64 for d in data)


@pytest.mark.parametrize(
    ("name", "safe"),
    [
        ("../../etc/passwd", "passwd.txt"),
        ("C:\\x\\تقرير.txt", "تقرير.txt"),
        (".hidden.txt", "hidden.txt"),
        ("a<b>|c.txt", "a_b_c.txt"),
        ("", "document.txt"),
    ],
)
def test_uploaded_file_names_are_made_safe(name: str, safe: str) -> None:
    assert safe_file_name(name) == safe
