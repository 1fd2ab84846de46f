"""Make the test PDFs (run by hand; the PDFs are committed): two producers of Arabic text,
and a scan.

    uv run python tests/data/pdf/make.py

- shaped.pdf: what a word processor's export writes: text shaped by HarfBuzz (fpdf2's text
  shaping), the characters behind each glyph recorded in logical order.
- reshaped.pdf: what report generators write: each line reshaped to presentation-form
  glyphs (U+FB50–U+FEFF) and laid out in visual order (arabic-reshaper and python-bidi).
- scan.pdf: pages that are pictures only, no text layer, and no text in the pictures.
- seed-visual.pdf: the seed article as a report generator writes it (glyph forms, visual
  order, lines with numbers in them) with a foot «صفحة 1 من 2».
- seed-visual-tight.pdf: the same in a narrow column at 14 points, with no space between
  paragraphs: a heading or a paragraph's end is told by the room left on its line.
- seed-libreoffice.pdf: the seed article as LibreOffice exports a Word file of it: right
  to left paragraphs in Arial at 14 points (a line then opens with «20»), a right to left
  table, a foot «وكالة الأنباء ©2020 صفحة —1» (needs soffice).
- seed-libreoffice-text.pdf: the seed .txt as LibreOffice prints it: left-to-right
  paragraphs, so quotes cross the stops at line ends (needs soffice).
- seed-weasyprint.pdf: the seed as a web page (right to left, 14 points, a table) printed
  by WeasyPrint: headings in large type wrap over two lines.
- seed-scan.pdf: the seed article printed (shaped as a word processor would) and scanned:
  grey pictures of its pages at 200 dpi, JPEG, no text layer, a running foot that counts
  the pages. OCR reads it.
Every text page carries a running header and a page number, and paragraphs wrap over lines.
"""

from __future__ import annotations

from pathlib import Path

from arabic_reshaper import reshape
from bidi import get_display
from fpdf import FPDF
from PIL import Image, ImageDraw

HERE = Path(__file__).resolve().parent
SEED = HERE.parent.parent.parent / "seeds" / "000_4df2e2abeb755126.txt"
FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
HEADER = "الهيئة العامة للإحصاء — التقرير السنوي"
PAGES = [
    [
        ("heading", "السكان"),
        (
            "text",
            "بلغ عدد سكان المحافظة في نهاية العام نحو مليونين ومئتي ألف نسمة، "
            "يعيش أكثر من نصفهم في المدن الكبرى.",
        ),
        ("text", "وارتفع متوسط العمر المتوقع عند الولادة إلى اثنين وسبعين عاما."),
    ],
    [
        ("heading", "التعليم"),
        (
            "text",
            "افتتحت الوزارة ثلاثين مدرسة جديدة في القرى النائية خلال العام الدراسي، "
            "وزاد عدد المعلمين بنسبة عشرة في المئة.",
        ),
        ("text", "وتراجعت نسبة الأمية بين الشباب إلى أقل من خمسة في المئة."),
    ],
    [
        ("heading", "الزراعة"),
        (
            "text",
            "زادت المساحات المزروعة بالقمح بفضل مشاريع الري الحديثة التي نفذت في وادي النهر، "
            "وبلغ الإنتاج أربعمئة ألف طن.",
        ),
        ("text", "وصدرت المحافظة التمور إلى اثنتي عشرة دولة للمرة الأولى."),
    ],
]
SENTENCES = [text for page in PAGES for kind, text in page if kind == "text"]


def shaped(path: Path, repeat: int = 1) -> None:
    pdf = FPDF()
    pdf.set_auto_page_break(False)
    pdf.add_font("dejavu", fname=FONT)
    pdf.set_font("dejavu", size=13)
    pdf.set_text_shaping(use_shaping_engine=True, direction="rtl", script="arab", language="ara")
    for number, page in enumerate(PAGES * repeat, start=1):
        pdf.add_page()
        pdf.set_font_size(9)
        pdf.cell(0, 8, HEADER, align="R", new_x="LMARGIN", new_y="NEXT")
        pdf.set_font_size(13)
        for kind, text in page:
            pdf.set_font_size(16 if kind == "heading" else 13)
            pdf.multi_cell(120, 9, text, align="R", new_x="LMARGIN", new_y="NEXT")
            pdf.ln(4)
        pdf.set_y(-20)
        pdf.set_font_size(9)
        pdf.cell(0, 8, f"- {number} -", align="C")
    pdf.output(str(path))


def visual(line: str) -> str:
    return get_display(reshape(line))


def reshaped(path: Path) -> None:
    pdf = FPDF()
    pdf.set_auto_page_break(False)
    pdf.add_font("dejavu", fname=FONT)
    for number, page in enumerate(PAGES, start=1):
        pdf.add_page()
        pdf.set_font("dejavu", size=9)
        pdf.cell(0, 8, visual(HEADER), align="R", new_x="LMARGIN", new_y="NEXT")
        for kind, text in page:
            pdf.set_font("dejavu", size=16 if kind == "heading" else 13)
            words, line = text.split(), ""
            lines = []
            for word in words:  # wrap in logical order, then lay each line out visually
                if line and pdf.get_string_width(visual(line + " " + word)) > 120:
                    lines.append(line)
                    line = word
                else:
                    line = f"{line} {word}".strip()
            lines.append(line)
            for one in lines:
                pdf.cell(190, 9, visual(one), align="R", new_x="LMARGIN", new_y="NEXT")
            pdf.ln(4)
        pdf.set_y(-20)
        pdf.set_font("dejavu", size=9)
        pdf.cell(0, 8, f"- {number} -", align="C")
    pdf.output(str(path))


def scan(path: Path) -> None:
    pdf = FPDF()
    for number in range(2):
        image = Image.new("L", (600, 800), 255)
        draw = ImageDraw.Draw(image)
        for row in range(20):  # ink where lines of text would be
            draw.rectangle((60, 60 + row * 34, 540, 74 + row * 34), fill=40)
        picture = HERE / f"page{number}.png"
        image.save(picture)
        pdf.add_page()
        pdf.image(str(picture), x=10, y=10, w=190)
        picture.unlink()
    pdf.output(str(path))


def seed_lines() -> list[str]:
    return [line for line in SEED.read_text(encoding="utf-8").split("\n") if line.strip()]


def seed_visual(path: Path, size: int = 12, width: int = 170, gap: float = 3) -> None:
    pdf = FPDF()
    pdf.set_auto_page_break(False)
    pdf.add_font("dejavu", fname=FONT)
    pdf.set_font("dejavu", size=size)
    lines: list[str] = []
    for text in seed_lines():  # wrap in logical order; each line is then laid out visually
        line = ""
        for word in text.split():
            if line and pdf.get_string_width(visual(line + " " + word)) > width:
                lines.append(line)
                line = word
            else:
                line = f"{line} {word}".strip()
        lines += [line, ""]
    pitch = size * 6.5 / 12
    per_page = int(247 / pitch)
    pages = [lines[i : i + per_page] for i in range(0, len(lines), per_page)]
    for number, page in enumerate(pages, start=1):
        pdf.add_page()
        pdf.set_font("dejavu", size=size)
        for one in page:
            if one:
                pdf.cell(190, pitch, visual(one), align="R", new_x="LMARGIN", new_y="NEXT")
            elif gap:
                pdf.ln(gap)
        pdf.set_y(-20)
        pdf.set_font("dejavu", size=9)
        pdf.cell(0, 8, visual(f"صفحة {number} من {len(pages)}"), align="C")
    pdf.output(str(path))


def seed_libreoffice(path: Path) -> None:
    import tempfile

    import docx
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    def right_to_left(paragraph):
        paragraph._p.get_or_add_pPr().append(OxmlElement("w:bidi"))
        for run in paragraph.runs:
            run._r.get_or_add_rPr().append(OxmlElement("w:rtl"))
        return paragraph

    word = docx.Document()
    normal = word.styles["Normal"]
    normal.font.name = "DejaVu Sans"
    fonts = normal.element.get_or_add_rPr().get_or_add_rFonts()
    fonts.set(qn("w:cs"), "Arial")  # Arabic in Word's complex-script font, at 14 points
    size = OxmlElement("w:szCs")
    size.set(qn("w:val"), "28")
    normal.element.get_or_add_rPr().append(size)
    for line in seed_lines():
        heading = line.startswith(("20 مشروع", "مجموعة الرؤية"))
        right_to_left(word.add_heading(line, level=2) if heading else word.add_paragraph(line))
        if line.startswith("وأشار رودينكو إلى أنه"):
            table = word.add_table(rows=3, cols=2)
            table.style = "Table Grid"
            table._tbl.tblPr.append(OxmlElement("w:bidiVisual"))  # its first column at the right
            rows = [
                ("البلد", "ما ورد في التصريحات"),
                ("كازاخستان", "شراكة استراتيجية"),
                ("أوزبكستان", "20 مشروع اتفاقية"),
            ]
            for r, row in enumerate(rows):
                for c, text in enumerate(row):
                    cell = table.cell(r, c).paragraphs[0]
                    cell.add_run(text)
                    right_to_left(cell)
    foot = word.sections[0].footer.paragraphs[0]
    foot.add_run("وكالة الأنباء ©2020 صفحة —")
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), "PAGE")
    foot._p.append(field)
    right_to_left(foot)
    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / "seed.docx"
        word.save(str(source))
        libreoffice_pdf(source, path)


def seed_weasyprint(path: Path) -> None:
    """The seed as a web page printed by WeasyPrint (Cairo and Pango; not a dependency:
    ``uv run --with weasyprint python tests/data/pdf/make.py``)."""
    from weasyprint import HTML

    body = []
    for line in seed_lines():
        heading = line.startswith(("20 مشروع", "مجموعة الرؤية"))
        body.append(f"<h2>{line}</h2>" if heading else f"<p>{line}</p>")
        if line.startswith("وأشار رودينكو إلى أنه"):
            rows = [
                ("البلد", "ما ورد في التصريحات"),
                ("كازاخستان", "شراكة استراتيجية"),
                ("أوزبكستان", "20 مشروع اتفاقية"),
            ]
            cells = "".join(f"<tr><td>{a}</td><td>{b}</td></tr>" for a, b in rows)
            body.append(f"<table border=1>{cells}</table>")
    page = (
        '<html dir="rtl" lang="ar"><head><meta charset="utf-8"></head>'
        f'<body style="font-size:14pt">{"".join(body)}</body></html>'
    )
    HTML(string=page).write_pdf(str(path))


def seed_libreoffice_text(path: Path) -> None:
    libreoffice_pdf(SEED, path)


def libreoffice_pdf(source: Path, path: Path) -> None:
    """``source`` (a Word file, a text) as LibreOffice exports it to PDF, written to ``path``."""
    import shutil
    import subprocess
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        subprocess.run(
            ["soffice", "--headless", "--convert-to", "pdf", "--outdir", folder, str(source)],
            check=True,
            capture_output=True,
        )
        shutil.copy(Path(folder) / (source.stem + ".pdf"), path)


def seed_scan(path: Path) -> None:
    import io

    import pypdfium2

    printed = FPDF()
    printed.add_font("dejavu", fname=FONT)
    printed.set_text_shaping(
        use_shaping_engine=True, direction="rtl", script="arab", language="ara"
    )
    printed.set_auto_page_break(True, margin=25)
    printed.add_page()
    for line in seed_lines():
        printed.set_font("dejavu", size=12)
        printed.multi_cell(0, 8, line, align="R", new_x="LMARGIN", new_y="NEXT")
        printed.ln(3)
    pages = printed.pages_count
    for number in range(1, pages + 1):  # a foot that counts the pages, on every one
        printed.page = number
        printed.set_y(-18)
        printed.set_font("dejavu", size=9)
        printed.cell(0, 8, f"وكالة الأنباء — صفحة {number} من {pages}", align="C")
    scanned = FPDF()
    for page in pypdfium2.PdfDocument(bytes(printed.output())):
        picture = page.render(scale=200 / 72, grayscale=True).to_pil()
        jpeg = io.BytesIO()
        picture.save(jpeg, "JPEG", quality=70)
        scanned.add_page()
        scanned.image(jpeg, x=0, y=0, w=210, h=297)
    scanned.output(str(path))


if __name__ == "__main__":
    shaped(HERE / "shaped.pdf")
    reshaped(HERE / "reshaped.pdf")
    scan(HERE / "scan.pdf")
    seed_scan(HERE / "seed-scan.pdf")
    seed_visual(HERE / "seed-visual.pdf")
    seed_visual(HERE / "seed-visual-tight.pdf", size=14, width=120, gap=0)
    seed_libreoffice(HERE / "seed-libreoffice.pdf")
    seed_libreoffice_text(HERE / "seed-libreoffice-text.pdf")
    try:
        seed_weasyprint(HERE / "seed-weasyprint.pdf")
    except ImportError:
        print("seed-weasyprint.pdf kept: run with --with weasyprint to make it again")
    (HERE / "sentences.txt").write_text("\n".join(SENTENCES) + "\n", encoding="utf-8")
