"""Documents as people have them: Windows-1256, UTF-16 and ISO-8859-6 text, Markdown, Word
and web pages, each answered from and cited to its section; mojibake never indexed."""

from __future__ import annotations

import contextlib
import io
import json
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import docx
import pytest

from harness.fake_telegram import FakeTelegram
from index.cli import EXIT_ERROR, main
from index.collection import Collection
from index.reading.documents import DocumentError, parse_document

NEWS_PAGE = """<!doctype html>
<html lang="ar"><head><meta charset="utf-8"><title>وكالة الأنباء | زيارة وفد تجاري</title>
<script>var tracking = "سمرقند ستصبح مركزا للتجارة";</script></head>
<body>
<nav><a href="/">الرئيسية</a> | <a href="/econ">اقتصاد</a> | <a href="/sport">رياضة</a></nav>
<div class="cookie-banner">نستخدم ملفات تعريف الارتباط لتحسين تجربتك. موافق</div>
<div class="ad">إعلان: اشترك الآن في باقة الأخبار الذهبية بخصم كبير</div>
<article>
<h1>وفد تجاري يزور طشقند</h1>
<p>وصل وفد تجاري كبير إلى العاصمة الأوزبكية طشقند صباح اليوم في زيارة تستمر ثلاثة أيام.</p>
<h2>اتفاقيات الطاقة</h2>
<p>ووقع الوفد اتفاقية لتوريد الغاز الطبيعي إلى المصانع الأوزبكية لمدة عشر سنوات.</p>
<p>وقال رئيس الوفد إن الاتفاقية تفتح الباب أمام استثمارات جديدة في قطاع الطاقة.</p>
</article>
<div class="share">شارك على فيسبوك | شارك على تويتر</div>
<footer>جميع الحقوق محفوظة لوكالة الأنباء</footer>
</body></html>
"""

MARKDOWN = """# دليل المكتبة

## ساعات العمل

تفتح **المكتبة المركزية** أبوابها من الثامنة صباحا حتى الثامنة مساء طوال أيام الأسبوع.

## الاستعارة

- يستعير الطالب خمسة كتب في المرة الواحدة لمدة [أسبوعين](https://example.org/rules).
- تفرض غرامة يومية على الكتب المتأخرة.

```
رمز برمجي لا يفهرس
```
"""


def word_document() -> bytes:
    document = docx.Document()
    document.add_heading("التقرير السنوي للجمعية الخيرية", level=0)
    document.add_heading("برامج التعليم", level=1)
    first = document.add_paragraph("قدمت الجمعية منحا دراسية لأربعمئة طالب في القرى النائية.")
    document.add_comment(first.runs, text="تعليق المراجع: تحقق من عدد الطلاب", author="مراجع")
    document.add_heading("الميزانية", level=1)
    table = document.add_table(rows=2, cols=2)
    table.cell(0, 0).text = "بند الصرف"
    table.cell(0, 1).text = "المبلغ"
    table.cell(1, 0).text = "منح الطلاب في القرى"
    table.cell(1, 1).text = "مليونا ريال"
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


WIRE = "أعلنت وزارة الصحة افتتاح مستشفى جديد للأطفال في مدينة حلب يتسع لمئتي سرير."


@pytest.fixture(scope="module")
def formats(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("formats") / "docs"
    folder.mkdir()
    (folder / "windows.txt").write_bytes(
        "تقرير البلدية\nتم تشجير شارع النخيل بألف شجرة زيتون في الربيع الماضي.".encode("cp1256")
    )
    (folder / "utf16.txt").write_bytes(
        "\ufeffأطلقت الهيئة قمرا صناعيا لرصد الطقس من قاعدة بايكونور.".encode("utf-16-le")
    )
    (folder / "utf16be.txt").write_bytes(
        "\ufeffافتتحت الجامعة مختبرا للطاقة الشمسية في كلية الهندسة.".encode("utf-16-be")
    )
    (folder / "iso.txt").write_bytes(
        "نظمت الوزارة معرضا للكتاب في مدينة الإسكندرية حضره الآلاف.".encode("iso-8859-6")
    )
    (folder / "library.md").write_text(MARKDOWN, encoding="utf-8")
    (folder / "report.docx").write_bytes(word_document())
    (folder / "news.html").write_text(NEWS_PAGE, encoding="utf-8")
    (folder / "wire-a.txt").write_text("خبر عاجل\n" + WIRE, encoding="utf-8")
    (folder / "wire-b.txt").write_text("نشرة الصحة\n" + WIRE, encoding="utf-8")
    for pdf in ("shaped.pdf", "reshaped.pdf", "scan.pdf"):
        (folder / pdf).write_bytes((PDFS / pdf).read_bytes())
    return folder


# question, document, a piece of the sentence that must come first, its section (page)
CASES = [
    ("كم مدرسة افتتحت الوزارة في القرى النائية؟", "pdf", "ثلاثين مدرسة", "التعليم"),
    ("كم شجرة زيتون زرعت في شارع النخيل؟", "windows.txt", "بألف شجرة زيتون", None),
    ("من أين أطلق القمر الصناعي لرصد الطقس؟", "utf16.txt", "قاعدة بايكونور", None),
    ("أين افتتح مختبر الطاقة الشمسية؟", "utf16be.txt", "كلية الهندسة", None),
    ("أين نظم معرض الكتاب؟", "iso.txt", "مدينة الإسكندرية", None),
    ("متى تفتح المكتبة المركزية؟", "library.md", "من الثامنة صباحا", "ساعات العمل"),
    ("كم كتابا يستعير الطالب؟", "library.md", "خمسة كتب", "الاستعارة"),
    ("لكم طالب قدمت الجمعية منحا دراسية؟", "report.docx", "لأربعمئة طالب", "برامج التعليم"),
    ("كم تبلغ منح الطلاب في القرى؟", "report.docx", "مليونا ريال", "الميزانية"),
    ("ما مدة اتفاقية توريد الغاز الطبيعي؟", "news.html", "لمدة عشر سنوات", "اتفاقيات الطاقة"),
]


@pytest.fixture(scope="module")
def built(formats: Path) -> tuple[Path, str]:
    """A project whose index was built from a folder of every format (once for the
    module), and what the build printed."""
    project = formats.parent
    out = io.StringIO()
    with pytest.MonkeyPatch.context() as patch, contextlib.redirect_stdout(out):
        patch.chdir(project)
        patch.setenv("SANAD_ANALYSIS_SEGMENTER", "light")
        assert main(["build", str(formats)]) == 0
    return project, out.getvalue()


def test_a_folder_of_every_format_builds_and_skips_only_the_scan(built: tuple[Path, str]) -> None:
    _, printed = built
    assert "skipped scan.pdf: a scanned PDF with no text layer" in printed
    assert "indexed 11 documents" in printed


@pytest.mark.parametrize(("question", "doc", "piece", "section"), CASES)
def test_each_format_answers_with_the_right_sentence_and_section(
    built: tuple[Path, str],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    question: str,
    doc: str,
    piece: str,
    section: str | None,
) -> None:
    monkeypatch.chdir(built[0])
    monkeypatch.setenv("SANAD_ANALYSIS_SEGMENTER", "light")
    assert main(["ask", question, "--json"]) == 0
    out = capsys.readouterr()
    hit = json.loads(out.out)["hits"][0]
    assert hit["section"] == section and piece in hit["text"], hit
    if doc == "pdf":  # the same page in two PDFs: one answer, naming the other too
        assert hit["doc"] in ("shaped.pdf", "reshaped.pdf") and hit["page"] == 2
        assert hit["also"] == ["السكان"]
    else:
        assert hit["doc"] == doc


def test_markup_and_page_furniture_never_reach_the_sentences(formats: Path) -> None:
    texts = {
        name: [s.text for s in parse_document(name, (formats / name).read_bytes()).sentences]
        for name in ("library.md", "report.docx", "news.html")
    }
    everything = " ".join(t for sentences in texts.values() for t in sentences)
    for junk in (
        "**",
        "](",
        "```",
        "رمز برمجي",
        "تعليق المراجع",
        "إعلان",
        "ملفات تعريف",
        "شارك على",
        "الحقوق محفوظة",
        "tracking",
        "الرئيسية",
    ):
        assert junk not in everything, junk
    assert "بند الصرف — المبلغ" in texts["report.docx"]  # a table row, cells in order
    html = parse_document("news.html", (formats / "news.html").read_bytes())
    assert html.kind == "html" and "وفد تجاري" in html.title


def test_the_same_sentence_in_two_documents_is_one_answer_naming_both(formats: Path) -> None:
    collection = Collection.in_memory(
        [parse_document(n, (formats / n).read_bytes()) for n in ("wire-a.txt", "wire-b.txt")]
    )
    answer = collection.ask("كم سريرا في مستشفى الأطفال الجديد في حلب؟", 3)
    assert [h.text for h in answer.hits] == [WIRE]
    top = answer.hits[0]  # cited in one bulletin, the other named beside it
    assert len(top.also) == 1 and {top.title, *top.also} == {"خبر عاجل", "نشرة الصحة"}


def test_a_heading_is_no_answer_when_a_sentence_of_its_section_is(formats: Path) -> None:
    collection = Collection.in_memory(
        [parse_document("news.html", (formats / "news.html").read_bytes())]
    )
    answer = collection.ask("ما اتفاقيات الطاقة التي وقعها الوفد؟", 3)
    assert answer.hits and all(h.text != "اتفاقيات الطاقة" for h in answer.hits)


SENTENCE = "قال الوزير إن العلاقات بين البلدين متينة وإن التعاون الاقتصادي يزداد كل عام."
MISREADINGS = {
    "UTF-8 read as Windows-1252": SENTENCE.encode().decode("cp1252", "replace"),
    "UTF-8 read as Latin-1": SENTENCE.encode().decode("latin-1"),
    "UTF-8 read as Windows-1256": SENTENCE.encode().decode("cp1256", "replace"),
    "Windows-1256 read as Latin-1": SENTENCE.encode("cp1256").decode("latin-1"),
    "Windows-1256 read as Windows-1252": SENTENCE.encode("cp1256").decode("cp1252", "replace"),
}


@pytest.mark.parametrize("how", MISREADINGS)
def test_mojibake_is_refused_not_indexed(how: str) -> None:
    saved = MISREADINGS[how].encode("utf-8")  # what a naive program saved afterwards
    with pytest.raises(DocumentError, match="mojibake"):
        parse_document("garbled.txt", saved)


def test_bytes_that_are_no_arabic_text_name_the_encodings_tried() -> None:
    with pytest.raises(DocumentError) as error:
        parse_document("latin.txt", "Le café est à côté du musée".encode("cp1252"))
    assert "Windows-1256" in str(error.value) and "ISO-8859-6" in str(error.value)


@pytest.mark.parametrize(
    ("name", "raw", "message"),
    [
        ("fake.docx", b"PK\x03\x04" + b"\x00" * 40, "damaged ZIP"),
        ("empty.html", b"<html><body><nav>a | b</nav></body></html>", "no article text"),
    ],
)
def test_broken_documents_are_refused_with_one_line(name: str, raw: bytes, message: str) -> None:
    with pytest.raises(DocumentError, match=message):
        parse_document(name, raw)


def test_a_zip_of_something_else_is_no_word_document() -> None:
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("photos/a.txt", "صورة")
    with pytest.raises(DocumentError, match="not a Word document"):
        parse_document("photos.docx", out.getvalue())


PDFS = Path(__file__).resolve().parent / "data" / "pdf"
KNOWN = (PDFS / "sentences.txt").read_text(encoding="utf-8").split("\n")[:-1]


@pytest.mark.parametrize("producer", ["shaped.pdf", "reshaped.pdf"])
def test_a_pdf_gives_every_sentence_intact_without_its_running_heads(producer: str) -> None:
    document = parse_document(producer, (PDFS / producer).read_bytes())
    texts = [s.text for s in document.sentences]
    assert [k for k in KNOWN if k not in texts] == []  # glyph forms, order and wrapping mended
    assert not any("الهيئة العامة" in t or t.strip("- ").isdigit() for t in texts)
    assert document.kind == "pdf"


@pytest.mark.parametrize(
    ("question", "piece", "page", "section"),
    [
        ("كم مدرسة افتتحت الوزارة في القرى النائية؟", "ثلاثين مدرسة", 2, "التعليم"),
        ("كم بلغ إنتاج القمح؟", "أربعمئة ألف طن", 3, "الزراعة"),
    ],
)
@pytest.mark.parametrize("producer", ["shaped.pdf", "reshaped.pdf"])
def test_a_pdf_answer_is_cited_to_its_page(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    producer: str,
    question: str,
    piece: str,
    page: int,
    section: str,
) -> None:
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / producer).write_bytes((PDFS / producer).read_bytes())
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SANAD_INDEX_SEEDS", str(folder))
    monkeypatch.setenv("SANAD_ANALYSIS_SEGMENTER", "light")
    assert main(["ask", question, "--json"]) == 0
    hit = json.loads(capsys.readouterr().out)["hits"][0]
    assert piece in hit["text"] and (hit["page"], hit["section"]) == (page, section), hit


def test_a_scan_without_a_text_layer_is_reported_as_such() -> None:
    with pytest.raises(DocumentError, match="scanned PDF with no text layer"):
        parse_document("scan.pdf", (PDFS / "scan.pdf").read_bytes())


def test_damaged_and_encrypted_pdfs_are_refused_with_one_line() -> None:
    import pypdf

    with pytest.raises(DocumentError, match="damaged PDF"):
        parse_document("broken.pdf", b"%PDF-1.4\n" + b"garbage " * 100)
    writer = pypdf.PdfWriter(clone_from=io.BytesIO((PDFS / "shaped.pdf").read_bytes()))
    writer.encrypt(user_password="secret", algorithm="RC4-128")
    out = io.BytesIO()
    writer.write(out)
    with pytest.raises(DocumentError, match="encrypted PDF"):
        parse_document("locked.pdf", out.getvalue())


def test_the_bot_takes_every_format_from_an_admin_and_cites_page_and_section(
    fake: FakeTelegram, formats: Path, tmp_path: Path
) -> None:
    from harness.bot import ADMIN, make_services, running_bot
    from harness.fake_telegram import parse_html

    names = sorted(p.name for p in formats.iterdir() if not p.name.startswith("wire"))
    with running_bot(fake, make_services(tmp_path / "bot"), max_messages_per_second=1000):
        for name in names:
            fake.document(ADMIN, name, (formats / name).read_bytes())
        replies = fake.wait_sent("sendMessage", ADMIN, count=len(names), timeout=60)
        asked = {fake.message(1001, q)["message_id"]: case for q, *case in CASES}
        answers = fake.wait_sent("sendMessage", 1001, count=len(CASES), timeout=60)
    texts = [r.params["text"] for r in replies]
    assert sum(t.startswith("✅") for t in texts) == len(names) - 1  # all but the scan
    assert any("scanned PDF with no text layer" in t for t in texts)
    assert any("3 صفحات، 9 جمل" in t for t in texts)  # what was added, in the reply
    for answer in answers:
        doc, piece, section = asked[answer.params["reply_parameters"]["message_id"]]
        text = parse_html(answer.params["text"])  # as the reader sees it
        assert str(piece) in text and str(section or "") in text, text
        if doc == "pdf":
            assert "ص ٢" in text and "وورد أيضًا في" in text


@pytest.fixture
def web() -> Iterator[str]:
    """A local web server: a news page, a missing page, a slow one and a picture."""
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    class Pages(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:
            pass

        def do_GET(self) -> None:
            if self.path == "/slow":
                time.sleep(3)
            if self.path in ("/news/trade", "/slow"):
                body, kind, status = NEWS_PAGE.encode(), "text/html; charset=utf-8", 200
            elif self.path == "/picture":
                body, kind, status = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, "image/png", 200
            else:
                body, kind, status = b"not here", "text/plain", 404
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):  # a client gave up
                self.send_response(status)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Pages)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


@pytest.mark.slow
def test_sanad_add_url_fetches_a_page_once_and_cites_its_address(
    web: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    (seeds / "a.txt").write_text("روسيا دولة كبيرة.", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SANAD_ANALYSIS_SEGMENTER", "light")
    monkeypatch.setenv("SANAD_INDEX_FETCH_TIMEOUT", "1")
    url = f"{web}/news/trade"
    assert main(["add", url]) == 0
    assert "added 127.0.0.1_news_trade.html" in capsys.readouterr().out
    assert main(["ask", "ما مدة اتفاقية توريد الغاز الطبيعي؟", "--json"]) == 0
    hit = json.loads(capsys.readouterr().out)["hits"][0]
    assert hit["url"] == url and "عشر سنوات" in hit["text"]
    assert (tmp_path / "data" / "uploads" / "127.0.0.1_news_trade.html").is_file()  # kept
    assert main(["docs", "--json"]) == 0
    listed = {d["name"]: d for d in json.loads(capsys.readouterr().out)}
    assert listed["127.0.0.1_news_trade.html"]["source"] == url
    assert listed["127.0.0.1_news_trade.html"]["kind"] == "html" and listed["a.txt"]["added"]
    for path, message in (
        ("/missing", "answered 404"),
        ("/slow", "no answer within 1 s"),
        ("/picture", "not a web page or a document Sanad reads (image/png)"),
    ):
        assert main(["add", web + path]) == EXIT_ERROR
        assert message in capsys.readouterr().err


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("تقرير.pdf", "not a PDF (its bytes do not begin as a PDF's)"),
        ("تقرير.docx", "not a Word document (.docx: its bytes are no ZIP archive)"),
        ("تقرير.doc", "an old Word document (.doc): save it as .docx or as text"),
    ],
)
def test_bytes_named_as_a_format_they_are_not_say_so(name: str, message: str) -> None:
    junk = bytes(range(256)) * 8  # were told about text encodings
    with pytest.raises(DocumentError) as error:
        parse_document(name, junk)
    assert str(error.value) == f"{name}: {message}"


def test_a_damaged_pdf_is_said_once_in_sanads_words(caplog: pytest.LogCaptureFixture) -> None:
    with pytest.raises(DocumentError) as error:
        parse_document("تالف.pdf", b"%PDF-1.4\n1 0 obj<<>>endobj\n")
    assert str(error.value) == "تالف.pdf: a damaged PDF (PdfStreamError)"
    assert not [r for r in caplog.records if r.name.startswith("pypdf")]  # its own line, no more


def test_pdfs_read_side_by_side_take_turns_with_pdfium() -> None:
    """pdfium is not thread-safe, not even across documents: two uploads read in worker
    threads at once would corrupt it, so a second read waits for the first."""
    from index.reading.pdfium import LOCK

    raw = (PDFS / "shaped.pdf").read_bytes()
    alone = [s.text for s in parse_document("a.pdf", raw).sentences]
    read: list[list[str]] = []
    with LOCK:  # another thread's document open in pdfium
        reader = threading.Thread(
            target=lambda: read.append([s.text for s in parse_document("b.pdf", raw).sentences])
        )
        reader.start()
        reader.join(0.5)
        assert reader.is_alive() and not read  # waiting its turn
    reader.join(10)
    assert read == [alone]
