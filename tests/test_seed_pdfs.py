"""The seed article as operators get it in PDF: exported by LibreOffice, written in visual
order by a report generator, scanned. Each answers the mission question with the whole
Uzbekistan sentence, keeps no running foot, and the clean copy is cited first."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from bot import texts
from harness.bot import ADMIN, make_services, running_bot
from harness.fake_telegram import FakeTelegram, parse_html
from index.cli import EXIT_ERROR, main
from index.collection import Collection
from index.reading.documents import parse_document
from index.reading.ocr import INSTALL, tesseract
from index.reading.pdf import names_page
from tests.conftest import SEED_DOC, seed_config

PDFS = Path(__file__).parent / "data" / "pdf"
MISSION = "ماذا قال رودينكو عن أوزبكستان؟"
UZBEKISTAN = (
    "كما أشار رودينكو إلى أن روسيا وأوزبكستان تستعدان للتوقيع على حوالي 20 مشروع اتفاقية"
    " حكومية دولية."
)
HAVE_OCR = tesseract() is not None
NEEDS_OCR = pytest.mark.skipif(not HAVE_OCR, reason=f"Tesseract is not installed ({INSTALL})")


def collection_of(tmp_path: Path, *names: str, seed: bool = False) -> Collection:
    folder = tmp_path / "docs"
    folder.mkdir()
    for name in names:
        shutil.copy(PDFS / name, folder / name)
    if seed:
        shutil.copy(SEED_DOC, folder / SEED_DOC.name)
    collection = Collection.open(seed_config(tmp_path, folder), prepare=False)
    collection.rebuild()
    return collection


SEED_SENTENCES = [s.text for s in parse_document(SEED_DOC.name, SEED_DOC.read_bytes()).sentences]


@pytest.mark.parametrize(
    ("name", "page", "whole"),
    [
        # Word's export: a right-to-left table, 14-point Arabic, so that a line opens with
        # «20» (pypdf glued the cells and moved the stop: «…حوالي 20.» «مشروع اتفاقية…»)
        ("seed-libreoffice.pdf", 2, 25),
        # the .txt printed: left-to-right paragraphs, whose edges extractors get wrong (two
        # lines keep a number or a quote at the wrong end: «مشروع اتفاقيات … 20»)
        ("seed-libreoffice-text.pdf", 1, 23),
        ("seed-visual.pdf", 1, 25),  # glyph forms in visual order, a line ending «"..."»
        # no space between paragraphs: the heading «20 مشروع اتفاقيات…» ends by the room
        # left on its line, or it joins the Uzbekistan sentence («Photo:» has no such cue)
        ("seed-visual-tight.pdf", 2, 23),
        # a web page printed by WeasyPrint: a heading in large type over two lines is one
        ("seed-weasyprint.pdf", 2, 25),
    ],
)
def test_a_pdf_of_the_seed_answers_with_the_whole_sentence_and_no_page_furniture(
    tmp_path: Path, name: str, page: int, whole: int
) -> None:
    collection = collection_of(tmp_path, name)
    answer = collection.ask(MISSION, 3)
    assert answer.hits[0].text == UZBEKISTAN and answer.hits[0].page == page
    kept = [s.text for s in parse_document(name, (PDFS / name).read_bytes()).sentences]
    assert not [s for s in kept if names_page(s) or "صفحة" in s]  # no running foot
    assert all(any(ch.isalnum() for ch in s) for s in kept)  # no stray «""»
    lines = {"seed-libreoffice.pdf": 28, "seed-weasyprint.pdf": 28, "seed-visual-tight.pdf": 24}
    # (3 table rows in two; «Photo:» joined to its heading in the tight one)
    assert len(kept) == lines.get(name, 25)
    assert sum(s in kept for s in SEED_SENTENCES) >= whole  # each as the article has it
    assert any("(رئيس أوزبكستان شوكت)" in s for s in kept)  # brackets the right way round
    assert any("الخميس 16 تموز/ يوليو" in s for s in kept)  # a line with a number, in order
    collection.close()


@pytest.mark.parametrize("name", ["seed-libreoffice.pdf", "seed-weasyprint.pdf"])
def test_a_right_to_left_tables_cells_keep_their_order_and_a_space(name: str) -> None:
    kept = [s.text for s in parse_document(name, (PDFS / name).read_bytes()).sentences]
    rows = ["البلد ما ورد في التصريحات", "كازاخستان شراكة استراتيجية", "أوزبكستان 20 مشروع اتفاقية"]
    assert [s for s in kept if s in rows] == rows  # each row its own line


@pytest.mark.slow
def test_the_clean_copy_is_cited_first_and_the_pdfs_listed(tmp_path: Path) -> None:
    scans = ("seed-scan.pdf",) if HAVE_OCR else ()
    collection = collection_of(
        tmp_path, "seed-libreoffice.pdf", "seed-visual.pdf", *scans, seed=True
    )
    first = collection.ask(MISSION, 3).hits[0]
    assert first.document == SEED_DOC.name and first.text == UZBEKISTAN
    assert len(first.also) == 1 + len(scans)  # the PDFs share one title; so named once
    collection.close()


@pytest.mark.slow
@NEEDS_OCR
def test_a_scan_of_the_seed_is_read_by_ocr_and_cited_to_its_page(tmp_path: Path) -> None:
    collection = collection_of(tmp_path, "seed-scan.pdf")
    [doc] = collection.documents()
    assert doc.kind == "ocr"
    hits = collection.ask(MISSION, 3).hits
    found = [h for h in hits if "تستعدان للتوقيع على حوالي 20" in h.text]
    assert found and found[0].page == 1 and found[0].ocr
    collection.close()


@pytest.mark.slow
@NEEDS_OCR
def test_the_bot_cites_a_scan_as_read_by_ocr(fake: FakeTelegram, tmp_path: Path) -> None:
    others = Path(__file__).parent / "fixtures" / "followup"  # no copy of the seed in them
    with running_bot(fake, make_services(tmp_path / "bot", seeds=others)):
        fake.document(ADMIN, "scan.pdf", (PDFS / "seed-scan.pdf").read_bytes())
        [added] = fake.wait_sent("sendMessage", ADMIN, timeout=60)
        fake.message(1001, MISSION)
        [answer] = fake.wait_sent("sendMessage", 1001, timeout=30)
    assert added.params["text"].startswith("✅")
    shown = parse_html(answer.params["text"])
    assert "تستعدان للتوقيع" in shown and "قراءة آلية" in shown and "ص ١" in shown


def test_without_tesseract_build_add_and_upload_say_what_to_install(
    fake: FakeTelegram, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path / "no-programs"))  # no tesseract on it
    scans = tmp_path / "scans"
    scans.mkdir()
    shutil.copy(PDFS / "seed-scan.pdf", scans / "scan.pdf")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SANAD_ANALYSIS_SEGMENTER", "light")
    monkeypatch.setenv("SANAD_SEMANTIC_ENABLED", "false")
    assert main(["build", str(scans)]) == EXIT_ERROR
    said = capsys.readouterr().err.strip().splitlines()
    assert len(said) == 1 and INSTALL in said[0] and "scan.pdf" in said[0]
    monkeypatch.setenv("SANAD_INDEX_SEEDS", str(SEED_DOC.parent))
    assert main(["build"]) == 0
    capsys.readouterr()
    assert main(["add", str(scans / "scan.pdf")]) == EXIT_ERROR
    said = capsys.readouterr().err.strip().splitlines()
    assert len(said) == 1 and INSTALL in said[0]
    with running_bot(fake, make_services(tmp_path / "bot")):
        fake.document(ADMIN, "scan.pdf", (PDFS / "seed-scan.pdf").read_bytes())
        [reply] = fake.wait_sent("sendMessage", ADMIN, timeout=30)
    assert INSTALL in reply.params["text"] and texts.SORRY not in reply.params["text"]


def test_ask_json_marks_hits_read_by_ocr(tmp_path: Path, monkeypatch, capsys) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SANAD_INDEX_SEEDS", str(SEED_DOC.parent))
    monkeypatch.setenv("SANAD_ANALYSIS_SEGMENTER", "light")
    assert main(["ask", MISSION, "--json"]) == 0
    hit = json.loads(capsys.readouterr().out)["hits"][0]
    assert hit["ocr"] is False and hit["text"] == UZBEKISTAN


def test_a_word_that_ocr_read_with_a_dot_out_of_place_is_still_found(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from index.reading import ocr

    read = [  # what Tesseract makes of a scan: «أوزيكستان» for «أوزبكستان», one dot astray
        "قال رودينكو إن أوزبكستان شريك مهم لروسيا.\n\nوتحدث عن الطقس في موسكو.\n\n"
        "وذكر أن الحوار يتطور بوتيرة جيدة.\n\nثم انتقل إلى أسعار النفط.",
        "كما أشار إلى أن روسيا وأوزيكستان تستعدان للتوقيع على حوالي 20 مشروع اتفاقية.",
    ]
    monkeypatch.setattr(ocr, "read_scan", lambda raw, max_pages: read)
    collection = collection_of(tmp_path, "scan.pdf")
    hits = collection.ask("ماذا عن أوزبكستان؟", 3).hits
    assert any("وأوزيكستان تستعدان" in h.text and h.ocr for h in hits)
    collection.close()

    typed = tmp_path / "typed"  # text typed by hand keeps its own spelling: not so searched
    typed.mkdir()
    (typed / "نص.txt").write_text("\n".join(read) + "\n", encoding="utf-8")
    collection = Collection.open(seed_config(typed, typed), prepare=False)
    collection.rebuild()
    hits = collection.ask("ماذا عن أوزبكستان؟", 3).hits
    assert hits and not any("وأوزيكستان" in h.text for h in hits)
    collection.close()
