"""Hostile questions and documents: generated input never crashes analysis, search or the
renderer, and every reply is a valid Bot API message. Reproducible: FUZZ_SEED, FUZZ_EXAMPLES."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, seed, settings
from hypothesis import strategies as st

from bot.buttons import answer_keyboard
from bot.render import answer_html, inline_message_html, visible_length
from harness.fake_telegram import check_markup, parse_html
from index.collection import Collection
from index.reading.documents import DocumentError, parse_document
from index.text.analysis import Analyzer, LightSegmenter
from tests.conftest import seed_config

ANALYZER = Analyzer(LightSegmenter())
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "3000"))  # FUZZ_EXAMPLES=100000 for a long run
SEED = int(os.environ.get("FUZZ_SEED", "20261129"))

ARABIC = "ابتثجحخدذرزسشصضطظعغفقكلمنهويءآأإؤئىة"
MARKS = "\u064b\u064c\u064d\u064e\u064f\u0650\u0651\u0652\u0640"  # diacritics, tatweel
INVISIBLE = "\u200e\u200f\u200b\u200c\u200d\u202a\u202b\u202c\u202e\u2066\u2069\ufeff"
PIECES = [
    "<b>",
    "</b>",
    "<i>",
    "<script>alert(1)</script>",
    "&amp;",
    "&lt;",
    "&",
    "<",
    ">",
    '"',
    "&#x202e;",
    "&nbsp;",
    "<blockquote>",
    "</blockquote>",
    "<a href='x'>",
    "\x00",
    "\x1b[1m",
    "\r\n",
    "\t",
    "🙂",
    "👍🏽",
    "🇸🇦",
    "ﷺ",
    "ﻻ",
    "٠١٢٣",
    "۱۲۳",
    "2.5",
    "20%",
    "ماذا",
    "قال",
    "رودينكو",
    "أوزبكستان",
    "وأوزبكستان",
    "كازاخستان",
    "؟",
    "،",
    "…",
    " ",
    "\n",
]
alphabet = st.sampled_from(list(ARABIC + MARKS + INVISIBLE + "abcXYZ0123456789 .,!?؟\n\t"))
chunks = st.one_of(
    st.text(alphabet, max_size=40), st.sampled_from(PIECES), st.text(max_size=20)
)  # any Unicode, control characters included
questions = st.one_of(
    st.just(""),
    st.lists(chunks, max_size=30).map("".join),
    st.builds(
        lambda c, n: c * n, st.sampled_from([*PIECES, "رودينكو ", "a"]), st.integers(1, 10_000)
    ),
)


@pytest.fixture(scope="module")
def collection(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Collection]:
    with Collection.open(seed_config(tmp_path_factory.mktemp("fuzz"))) as built:
        yield built


def assert_valid_message(html: str) -> None:
    visible = parse_html(html)  # raises like Telegram on bad HTML
    assert 1 <= visible_length(visible) <= 4096
    assert visible.strip()


@seed(SEED)
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.function_scoped_fixture,
    ],
)
@pytest.mark.slow
@given(question=questions, k=st.integers(1, 10))
def test_any_question_gives_a_valid_reply(collection: Collection, question: str, k: int) -> None:
    answer = collection.ask(question, k)
    assert answer.empty == (answer.reason is not None)
    analyzer = ANALYZER  # the fast path for indexing finds the same terms
    piece = question[:2000]  # longer questions are refused before any analysis
    assert analyzer.terms(piece) == [t.term for t in analyzer.tokens(piece)]
    assert_valid_message(answer_html(answer))
    for hit in answer.hits:
        assert_valid_message(inline_message_html(hit))
        assert all(0 <= a < b <= len(hit.text) for a, b in hit.spans)
    check_markup(answer_keyboard("AbCd_-12", page=k, has_more=True).to_dict())


BAD_DOCUMENTS = [
    (b"\xff\xfe\x00\x00", "binary data"),  # UTF-16 (its byte order mark), holding a NUL
    ("café résumé".encode("cp1252"), "not UTF-8"),
    ("نص".encode() + b"\xc3\x28", "not UTF-8"),
    (b"text\x00with NUL", "binary data"),
    (b"", "empty document"),
    ("\ufeff".encode() + b"  \r\n\r\n", "empty document"),
]


@pytest.mark.parametrize(("raw", "message"), BAD_DOCUMENTS)
def test_bad_documents_are_refused_with_a_clear_message(raw: bytes, message: str) -> None:
    with pytest.raises(DocumentError) as error:
        parse_document("bad.txt", raw)
    assert str(error.value).startswith("bad.txt: " + message)
    assert "\n" not in str(error.value)


def test_bom_and_crlf_are_read_as_plain_text(tmp_path: Path) -> None:
    raw = "\ufeffسطر أول.\r\nسطر ثان؟\rسطر ثالث".encode()
    doc = parse_document("crlf.txt", raw)
    assert [s.text for s in doc.sentences] == ["سطر أول.", "سطر ثان؟", "سطر ثالث"]
    assert all(doc.text[s.start : s.end] == s.text for s in doc.sentences)


@pytest.mark.slow
def test_a_one_line_5_mb_document_is_indexed_whole(tmp_path: Path) -> None:
    line = ("كلمة عادية " * 85 + "رودينكو في طشقند. ") * 2900  # ~5 MB, one line
    raw = line.encode()
    assert len(raw) > 5_000_000 and b"\n" not in raw
    (tmp_path / "big.txt").write_bytes(raw)
    collection = Collection.open(seed_config(tmp_path), prepare=False)
    report = collection.rebuild([tmp_path / "big.txt"])
    assert report.sentences == 2900  # each within the bounds, so none cut
    answer = collection.ask("أين رودينكو؟", 3)
    # the sentence the document repeats 2,900 times is one answer, where it first stands
    assert [h.ordinal for h in answer.hits] == [1]
    assert_valid_message(answer_html(answer))
    assert collection.integrity_ok()
    collection.close()


def test_a_text_of_control_characters_only_is_refused() -> None:
    with pytest.raises(DocumentError, match="empty document"):
        parse_document("ctrl.txt", b"\x01\x02\x03\n\x04")


def test_a_huge_file_is_refused_before_it_is_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    huge = tmp_path / "docs" / "huge.txt"
    huge.parent.mkdir()
    with huge.open("wb") as f:  # 200 MB, sparse: nothing is really written
        f.truncate(200 * 1024 * 1024)
    monkeypatch.setattr(Path, "read_bytes", lambda self: pytest.fail(f"{self} was read"))
    collection = Collection.open(seed_config(tmp_path), prepare=False)
    with pytest.raises(DocumentError, match="too large"):
        collection.rebuild([huge.parent])
    collection.close()
