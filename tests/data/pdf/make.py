"""Make the test PDFs (run by hand; the PDFs are committed): two producers of Arabic text,
and a scan.

    uv run python tests/data/pdf/make.py

- shaped.pdf: what a word processor's export writes: text shaped by HarfBuzz (fpdf2's text
  shaping), the characters behind each glyph recorded in logical order.
- reshaped.pdf: what report generators write: each line reshaped to presentation-form
  glyphs (U+FB50–U+FEFF) and laid out in visual order (arabic-reshaper and python-bidi).
- scan.pdf: pages that are pictures only, no text layer.
Every text page carries a running header and a page number, and paragraphs wrap over lines.
"""

from __future__ import annotations

from pathlib import Path

from arabic_reshaper import reshape
from bidi import get_display
from fpdf import FPDF
from PIL import Image, ImageDraw

HERE = Path(__file__).resolve().parent
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


if __name__ == "__main__":
    shaped(HERE / "shaped.pdf")
    reshaped(HERE / "reshaped.pdf")
    scan(HERE / "scan.pdf")
    (HERE / "sentences.txt").write_text("\n".join(SENTENCES) + "\n", encoding="utf-8")
