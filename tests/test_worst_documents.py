"""The worst documents operators have (one endless line, no stop for pages, a title the
length of an article, a whole paragraph styled as a heading, a sentence in many files)
give bounded sentences, headings, titles and citations, and every reply fits Telegram."""

from __future__ import annotations

import io
from pathlib import Path

import docx
import pytest

from bot import texts
from harness.bot import make_services, running_bot
from harness.fake_telegram import FakeTelegram, buttons
from index.collection import Collection
from index.reading.documents import GIVEN_TITLE_WORDS, TITLE_MAX_CHARS, parse_document
from index.reading.sentences import (
    MAX_HEADING_CHARS,
    MAX_HEADING_WORDS,
    MAX_SENTENCE_CHARS,
    MAX_SENTENCE_WORDS,
)
from tests.conftest import seed_config

FILLER = "تتناول الفقرة موضوعات عامة بلا علامة وقف واحدة "  # 7 words, no stop
REPEATED = "وقال رودينكو إن بلاده ستساعد أوزبكستان في بناء محطة للطاقة الشمسية."


def worst_documents(folder: Path) -> Path:
    """The files of issue 24's first point, written into ``folder``."""
    folder.mkdir()
    endless_heading = FILLER * 130 + "رودينكو في طشقند"  # 6,000+ characters, no stop
    (folder / "long-line.txt").write_text(
        endless_heading + "\nوصل رودينكو إلى طشقند أمس.\n", encoding="utf-8"
    )
    (folder / "no-stops.txt").write_text(
        (FILLER * 40 + "رودينكو يزور سمرقند ") * 25, encoding="utf-8"
    )  # 200 KB on one line, not a stop in it
    title = "تقرير " * 600
    (folder / "long-title.html").write_text(
        f"<html><head><title>{title}</title></head><body><h1>{FILLER * 60}</h1>"
        f"<p>التقى رودينكو وزير خارجية أوزبكستان في طشقند.</p></body></html>",
        encoding="utf-8",
    )
    word = docx.Document()
    word.add_heading(FILLER * 50, level=1)  # a whole paragraph styled as a heading
    word.add_paragraph("ناقش رودينكو في طشقند مشروعات الطاقة مع أوزبكستان.")
    raw = io.BytesIO()
    word.save(raw)
    (folder / "styled.docx").write_bytes(raw.getvalue())
    for n in range(8):  # a circular sent to eight offices
        (folder / f"circular-{n}.txt").write_text(f"تعميم رقم {n}\n{REPEATED}\n", encoding="utf-8")
    return folder


def test_every_sentence_heading_and_title_is_bounded(tmp_path: Path) -> None:
    folder = worst_documents(tmp_path / "docs")
    for path in sorted(folder.iterdir()):
        doc = parse_document(path.name, path.read_bytes())
        assert len(doc.title) <= TITLE_MAX_CHARS + 1 and len(doc.title.split()) <= GIVEN_TITLE_WORDS
        for s in doc.sentences:
            assert len(s.text) <= MAX_SENTENCE_CHARS and len(s.text.split()) <= MAX_SENTENCE_WORDS
            assert doc.text[s.start : s.end] == s.text  # offsets still cite the source
            assert len(s.section) <= MAX_HEADING_CHARS
            assert len(s.section.split()) <= MAX_HEADING_WORDS
            if s.heading:
                assert len(s.text) <= MAX_HEADING_CHARS
    endless = parse_document("long-line.txt", (folder / "long-line.txt").read_bytes())
    assert not endless.sentences[0].heading  # one endless line is text, not a title
    assert endless.title.endswith("…")


@pytest.mark.slow
def test_every_answer_context_and_page_fits_a_telegram_message(
    fake: FakeTelegram, tmp_path: Path
) -> None:
    folder = worst_documents(tmp_path / "docs")
    collection = Collection.open(seed_config(tmp_path, folder))
    chat = 4242
    questions = ["أين رودينكو؟", "ماذا قال رودينكو عن أوزبكستان؟", "ماذا عن الطاقة الشمسية؟"]
    with running_bot(fake, make_services(tmp_path, collection=collection)):
        for n, question in enumerate(questions, 1):
            fake.message(chat, question)
            fake.wait_for(lambda n=n: len(fake.bot_messages(chat)) >= 2 * n - 1)
            answer = fake.bot_messages(chat)[-1]
            fake.press(answer, buttons(answer)["السياق"])
            fake.wait_for(lambda n=n: len(fake.bot_messages(chat)) >= 2 * n)
            if "المزيد" in buttons(answer):
                fake.press(answer, buttons(answer)["المزيد"])
        fake.wait_idle()
    said = [m["text"] for m in fake.bot_messages(chat)]
    assert len(said) == 2 * len(questions)
    assert not any(texts.SORRY in t for t in said)
    assert not fake.sent(ok=False)  # every message and edit was taken: none too long
    assert sum("وورد أيضًا في" in t for t in said) >= 1  # the circular, once, its copies named
    assert all(len(fake.sent(method)) for method in ("sendMessage", "editMessageText"))
