"""Arabic PDFs into paragraphs with their pages: glyphs, visual order, running heads, scans."""

from __future__ import annotations

import io
import logging
import re
import unicodedata
from collections import Counter
from collections.abc import Sequence
from typing import TYPE_CHECKING, NamedTuple

from index.reading.blocks import Block, Limits, NoTextLayer, Read, ReadError

if TYPE_CHECKING:
    from pypdfium2 import PdfTextPage

MIN_TEXT = 20  # letters and digits in the whole file: fewer, and it is a scan
_PRESENTATION = re.compile("[\ufb50-\ufdff\ufe70-\ufeff]")
_LIGATURE = re.compile("[اأإآ]ل")  # a lam-alef glyph as pdfium spells it in right to left
_STOPS = "[.!?؟:،؛\"'»”]*[.!?؟:،؛][.!?؟:،؛\"'»”]*"  # a stop, with quotes about it
_NUMBER = "[0-9٠-٩]+(?:[.,٫][0-9٠-٩]+)?"
_STOPS_FIRST = re.compile(rf"^{_STOPS}(?=[\u0600-\u06ff0-9٠-٩%٪])")  # not «.NET»
_NUMBER_THEN_STOPS = re.compile(rf"^({_NUMBER})({_STOPS})(?=\s+\w)")
_STOPS_BEFORE_NUMBER = re.compile(rf"(?<=\s)({_STOPS})({_NUMBER})$")
_PERCENT_FIRST = re.compile(rf"(?<!\S)([%٪])({_NUMBER})(?!\S)")
_LTR_RUN = re.compile(r"[0-9A-Za-z][0-9A-Za-z.,:%/\-]*")
_MIRRORED = str.maketrans("()[]{}«»<>", ")(][}{»«><")
_PAGE_NUMBER = re.compile(
    r"^[\s\-–—|]*(?:(?:صفحة|ص|page)\s*)?[0-9٠-٩]+(?:\s*(?:/|من|of)\s*[0-9٠-٩]+)?[\s\-–—|]*$", re.I
)
# On a page's first or last two lines, a short line that names its page («صفحة 3»،
# «وكالة الأنباء ©2020 صفحة —1»، «3 من 12») is a running head or foot.
_PAGE_MARK = re.compile(
    r"(?:صفحة|الصفحة|page)\s*[-–—:]*\s*[0-9٠-٩]|[0-9٠-٩]\s*[-–—]*\s*(?:صفحة|page)"
    r"|[0-9٠-٩]+\s*(?:من|/|of)\s*[0-9٠-٩]+",
    re.I,
)
_DIGITS = re.compile(r"[0-9٠-٩]+")
_ENDS_SENTENCE = tuple(".!?؟:…")
_ELISION = re.compile(r"[\"«(\[]\s*(?:\.{3}|…)\s*[\"»)\]]$")


def read_pdf(raw: bytes, limits: Limits) -> Read:
    """A PDF's text layer, page by page, as paragraphs that know their page. pypdf opens
    and checks the file (damaged, encrypted, too long; its title); pdfium reads the text,
    in logical order whatever order the glyphs were laid out in (see
    bench/pdf_extractors.py for why: pypdf glues the cells of a right-to-left table and
    moves a stop across a number at a line's edge). A scan, with no text layer, is read
    by OCR (:mod:`index.reading.ocr`)."""
    import pypdf  # loaded only for PDFs
    from pypdf.errors import PdfReadError
    from pypdfium2 import PdfiumError

    # pypdf logs what it repairs or cannot ("EOF marker not found"); Sanad says it once
    logging.getLogger("pypdf").setLevel(logging.ERROR)

    try:
        reader = pypdf.PdfReader(io.BytesIO(raw))
        if reader.is_encrypted and not reader.decrypt(""):
            raise ReadError("an encrypted PDF: save it without a password first")
        if len(reader.pages) > limits.max_pages:
            raise ReadError(
                f"a PDF of {len(reader.pages):,} pages (the limit is {limits.max_pages:,})"
            )
        title = (reader.metadata.title if reader.metadata else None) or ""
        pages = pdfium_pages(raw)
    except ReadError:
        raise
    except (PdfReadError, PdfiumError, ValueError, KeyError, TypeError, OSError) as exc:
        raise ReadError(f"a damaged PDF ({type(exc).__name__})") from None
    except RecursionError:  # (not an Exception pypdf raises on purpose: a cycle in the file)
        raise ReadError("a damaged PDF (RecursionError)") from None
    if _letter_count(pages) < MIN_TEXT:
        return Read(_scan_blocks(raw, limits), "ocr", title.strip())
    return Read(pdf_blocks(pages, laid_out=True), "pdf", title.strip())


def _letter_count(pages: Sequence[str]) -> int:
    return sum(ch.isalnum() for page in pages for ch in page)


def pdfium_pages(raw: bytes) -> list[str]:
    """Each page's text as pdfium reads it, in logical order, a line a line (see
    :func:`_page_lines`), with a blank line where a paragraph surely ends (see
    :func:`paragraph_starts`)."""
    from index.reading.pdfium import pdfium_document

    with pdfium_document(raw) as document:
        pages = [_page_lines(page.get_textpage()) for page in document]
    starts = paragraph_starts([placed for _, placed in pages])
    return [
        "\n".join(f"\n{line}" if new else line for line, new in zip(lines, page, strict=True))
        for (lines, _), page in zip(pages, starts, strict=True)
    ]


def _page_lines(textpage: PdfTextPage) -> tuple[list[str], list[PlacedLine | None]]:
    """A page's lines and where each stands: a lam-alef ligature (one glyph for two
    letters, which pdfium spells backwards in right-to-left text: «اال» for «الا») spelt
    forwards again; a line's size is its most common one, as a stop may be set in another
    font. Characters outside the BMP leave no boxes to read: no places then."""
    import ctypes

    import pypdfium2.raw as pdfium

    text = textpage.get_text_range()
    if len(text) != textpage.count_chars():
        lines = text.splitlines()
        return lines, [None] * len(lines)
    box = textpage.get_charbox
    chars = list(text)
    for match in _LIGATURE.finditer(text):
        i = match.start()
        if box(i) == box(i + 1):  # two letters, one glyph
            chars[i], chars[i + 1] = chars[i + 1], chars[i]
    x, y = ctypes.c_double(), ctypes.c_double()

    def across(first: int, last: int) -> float:  # the width from one glyph to another
        a, b = box(first), box(last)
        return max(a[2], b[2]) - min(a[0], b[0])

    lines = "".join(chars).split("\r\n")
    placed: list[PlacedLine | None] = []
    start = 0
    for line in lines:
        inked = [i for i, ch in enumerate(line) if not ch.isspace()]
        if inked:
            pdfium.FPDFText_GetCharOrigin(textpage.raw, start + inked[0], x, y)
            sizes = Counter(
                pdfium.FPDFText_GetFontSize(textpage.raw, start + i)
                for i in inked[:: max(1, len(inked) // 5)]  # a few, not every one
            )
            space = line.find(" ", inked[0])
            word_end = (space if space > 0 else len(line)) - 1
            placed.append(
                PlacedLine(
                    y.value,
                    sizes.most_common(1)[0][0] or 1.0,  # (a font that tells no size)
                    across(start + inked[0], start + inked[-1]),
                    across(start + inked[0], start + word_end),
                    len(inked),
                )
            )
        else:
            placed.append(None)
        start += len(line) + 2
    return lines, placed


class PlacedLine(NamedTuple):
    """Where a line of a PDF page stands (in points): its baseline's height on the page,
    its type size, its width and its first word's; and how many letters it holds."""

    baseline: float
    size: float
    width: float
    first_word: float
    letters: int  # (a table's row is wide on the page, with few letters)


def paragraph_starts(pages: Sequence[Sequence[PlacedLine | None]]) -> list[list[bool]]:
    """For each line of each page (None for an empty one), whether it surely begins a
    paragraph: the step down to it is wider by a third than the document's usual one
    between lines (measured in its type's size), or it steps up (another column, a foot
    drawn first), or its type is of another size (a heading, a caption), or the line
    before ended short: its first word would have fitted there, or that line holds fewer
    letters, for their size, than the document's full lines (a heading, a paragraph's
    end, a table's row). The usual step and a full line are the whole document's, so that a
    last page of a few short lines is read as the others.

    >>> def line(y, size=12, width=400, letters=60):
    ...     return PlacedLine(y, size, width, 40, letters)
    >>> text = [line(700 - 14 * i) for i in range(3)]
    >>> paragraph_starts([[*text, line(650), line(636, size=10), None, line(622, size=10)]])
    [[False, False, False, True, True, False, False]]
    >>> paragraph_starts([[*text, line(658)], [line(700, width=250, letters=35), line(686)]])
    [[False, False, False, False], [False, True]]
    >>> paragraph_starts([[*text, line(658, letters=20), line(644)]])  # a table's row
    [[False, False, False, False, True]]
    """
    placed = [line for page in pages for line in page if line is not None]
    widths = sorted(line.width for line in placed)
    widest = widths[(len(widths) - 1) * 9 // 10] if widths else 0.0  # a full line's width
    aboves = [_above(page) for page in pages]
    usual = sorted(  # steps in lines of its size (a heading's lines are farther apart)
        (above.baseline - line.baseline) / line.size
        for page, page_aboves in zip(pages, aboves, strict=True)
        for line, above in zip(page, page_aboves, strict=True)
        if line is not None and above is not None and above.baseline > line.baseline
    )
    typical = usual[len(usual) // 2] if usual else 0.0
    extents = sorted(line.letters * line.size for line in placed)
    full = extents[len(extents) * 3 // 4] if extents else 0.0  # a full line, in letters
    return [
        [
            _begins(line, above, typical, widest, full)
            for line, above in zip(page, page_aboves, strict=True)
        ]
        for page, page_aboves in zip(pages, aboves, strict=True)
    ]


def _begins(
    line: PlacedLine | None,
    above: PlacedLine | None,
    typical: float,
    widest: float,
    full: float,
) -> bool:
    """Whether ``line`` begins a paragraph, by the line above it (see paragraph_starts)."""
    if line is None or above is None:
        return False
    step = (above.baseline - line.baseline) / line.size
    room = 0.95 * widest - above.width - 0.3 * line.size  # after a space
    return (
        step <= 0
        or step > 1.3 * typical
        or max(line.size, above.size) > 1.05 * min(line.size, above.size)
        or 0 < line.first_word < room
        or above.letters * above.size < 0.7 * full
    )


def _above(page: Sequence[PlacedLine | None]) -> list[PlacedLine | None]:
    """For each line of a page, the nearest line with ink above it (None: none)."""
    aboves: list[PlacedLine | None] = []
    last: PlacedLine | None = None
    for line in page:
        aboves.append(last)
        last = line if line is not None else last
    return aboves


def _scan_blocks(raw: bytes, limits: Limits) -> list[Block]:
    """The paragraphs of a scan, read by OCR, cleaned up as a text layer is (see
    :func:`pdf_blocks`: running heads and page numbers dropped, a heading or a short
    line ending its paragraph, a paragraph over a page break joined)."""
    from index.reading.ocr import read_scan, scan_text

    pages = [scan_text(page) for page in read_scan(raw, limits.max_ocr_pages)]
    if _letter_count(pages) < MIN_TEXT:
        raise NoTextLayer("a scanned PDF with no text layer, and OCR found no text in it")
    return pdf_blocks(pages)


def pdf_blocks(pages: Sequence[str], laid_out: bool = False) -> list[Block]:
    """Paragraphs of a PDF's pages (their extracted text, lines as the extractor found
    them, a blank line where a paragraph surely ends): glyph forms back to letters, visual
    order put back in logical order, running headers, footers and page numbers dropped,
    wrapped lines joined. ``laid_out``: the blank lines come from the page's layout (see
    :func:`paragraph_starts`), which tells a paragraph's end better than a line's length
    in letters does (a heading's large type fits fewer on a full line).

    >>> pages = ["التقرير\\nبلغ عدد السكان مليون\\nنسمة في المحافظة.\\n1", "التقرير\\nانتهى.\\n2"]
    >>> [(b.text, b.page) for b in pdf_blocks(pages)]
    [('بلغ عدد السكان مليون نسمة في المحافظة.', 1), ('انتهى.', 2)]
    """
    lines = [[line.strip() for line in page.splitlines()] for page in pages]
    visual = in_visual_order([line for page in lines for line in page])
    lines = [[letters(line, visual) for line in page] for page in lines]
    return across_pages([paragraphs(page, laid_out) for page in without_furniture(lines)])


def across_pages(pages: Sequence[Sequence[str]]) -> list[Block]:
    """Each page's paragraphs as blocks that know their page; a paragraph that runs on
    to the next page (its last line ends no sentence, the next page's first paragraph
    begins none) is one block, on the page where it begins.

    >>> first = ["العنوان", "وقال إننا اضطررنا إلى تأجيل زيارة الرئيس التي"]
    >>> pages = [first, ["كانت مقررة الشهر."]]
    >>> [(b.text, b.page) for b in across_pages(pages)]
    [('العنوان', 1), ('وقال إننا اضطررنا إلى تأجيل زيارة الرئيس التي كانت مقررة الشهر.', 1)]
    """
    blocks: list[Block] = []
    for number, page in enumerate(pages, start=1):
        rest = list(page)
        last = blocks[-1] if blocks else None
        if last is not None and rest and last.page == number - 1 and _runs_on(last.text, rest[0]):
            blocks[-1] = Block(f"{last.text} {rest.pop(0)}", page=last.page)
        blocks += [Block(text, page=number) for text in rest]
    return blocks


def ends_sentence(line: str) -> bool:
    """The line ends a sentence: its stop may stand inside or outside a closing quote or
    bracket (an extractor moves a quote across the stop at a right-to-left line's end).

    A quoted elision («"..."»، «(…)») marks words left out, not a sentence's end.

    >>> ends_sentence('في أوائل التسعينات."'), ends_sentence("في أوائل"), ends_sentence("(انتهى.)")
    (True, False, True)
    >>> ends_sentence('من المهم بالنسبة لنا "..."'), ends_sentence("وقال (…)")
    (False, False)
    """
    if _ELISION.search(line):
        return False
    return line.rstrip("\"'»”’)]").endswith(_ENDS_SENTENCE)


def _runs_on(text: str, following: str) -> bool:
    """``text`` ends no sentence and is long (a heading is short), and ``following``
    does not open with a number or a heading's shortness."""
    return (
        not ends_sentence(text)
        and len(text.split()) >= 8
        and len(following.split()) >= 3
        and not following[:1].isdigit()
    )


def without_furniture(pages: Sequence[Sequence[str]]) -> list[list[str]]:
    """Each page's lines without its running head and foot: lines repeated at the top or
    the bottom of most pages, page numbers on a page's edges (see :func:`running_lines`
    and :func:`names_page`), and page numbers alone anywhere.

    >>> pages = [["التقرير", "نص أول.", "وكالة الأنباء ©2020 صفحة —1"], ["نص ثان.", "صفحة 2"]]
    >>> without_furniture(pages)
    [['التقرير', 'نص أول.'], ['نص ثان.']]
    """
    furniture = running_lines(pages)
    kept = []
    for page in pages:
        filled = [i for i, line in enumerate(page) if line]  # a blank line ends a paragraph
        edges = set(filled[:2] + filled[-2:])
        kept.append(
            [
                line
                for i, line in enumerate(page)
                if _DIGITS.sub("#", line) not in furniture
                and not _PAGE_NUMBER.match(line)
                and not (i in edges and names_page(line))
            ]
        )
    return kept


def names_page(line: str) -> bool:
    """A short line that names a page: its number with «صفحة» or «page», or «N من M»
    (a running head or foot when it stands on a page's edge), and no sentence.

    >>> names_page("وكالة الأنباء ©2020 صفحة —1"), names_page("صفحة 1 من 2")
    (True, True)
    >>> names_page("انظر الجدول في صفحة 12 من التقرير."), names_page("بلغ عدد السكان 5 ملايين")
    (False, False)
    """
    short = len(line.split()) <= 8 and not line.rstrip().endswith(_ENDS_SENTENCE)
    return short and _PAGE_MARK.search(line) is not None


def in_visual_order(lines: Sequence[str]) -> bool:
    """Whether the text came out in visual order (right to left stored left to right, as
    some extractors give it): the article «ال» then ends words instead of starting them.

    >>> in_visual_order(["ةظفاحملا ناكس ددع غلب"]), in_visual_order(["بلغ عدد سكان المحافظة"])
    (True, False)
    """
    words = [unicodedata.normalize("NFKC", w) for line in lines for w in line.split()]
    starts = sum(w.startswith("ال") for w in words)
    ends = sum(w.endswith("لا") and len(w) > 3 for w in words)
    return ends > 2 * starts and ends >= 1


def letters(line: str, visual: bool) -> str:
    """A line of text with presentation-form glyphs made letters again, in logical order
    when it came in visual order (numbers and Latin words keep their own direction).

    >>> letters("ﺍﻟﺴﻼﻡ", False), letters("ﻡﺎﻋ 2025 ﻡﻼﺴﻟﺍ", True)
    ('السلام', 'السلام 2025 عام')
    """
    if visual:
        line = _LTR_RUN.sub(lambda m: m.group()[::-1], line[::-1]).translate(_MIRRORED)
    if _PRESENTATION.search(line):
        line = "".join(
            unicodedata.normalize("NFKC", ch) if _PRESENTATION.match(ch) else ch for ch in line
        )
    return stops_home(" ".join(line.split()))


def stops_home(line: str) -> str:
    """A line with the stops and quotes that an extractor set at the wrong edge of a
    right-to-left run (in the order they were drawn) put back at the end: before the line's
    first word, or before a number that ends it; and a percent sign back after its number.

    >>> stops_home('."لاعبين من خارج المنطقة'), stops_home('أكثر من %20 في ."2019')
    ('لاعبين من خارج المنطقة".', 'أكثر من 20% في 2019".')
    >>> stops_home('"..." تحتل روسيا'), stops_home('"نحن نتعاون'), stops_home(".NET إطار")
    ('"..." تحتل روسيا', '"نحن نتعاون', '.NET إطار')
    """
    first = _STOPS_FIRST.match(line)
    if first:
        line = line[first.end() :] + first.group()[::-1]
    line = _STOPS_BEFORE_NUMBER.sub(lambda m: m.group(2) + m.group(1)[::-1], line)
    return _PERCENT_FIRST.sub(r"\2\1", line)


def continued(line: str) -> str:
    """A line that continues a paragraph, with the stops that an extractor set after the
    number it opens with (as it does in a left-to-right paragraph of Arabic) put back at
    its end. Only there: elsewhere «1. المقدمة» is a list's item.

    >>> continued("20. مشروع اتفاقية حكومية دولية"), continued("20 مشروع اتفاقية.")
    ('20 مشروع اتفاقية حكومية دولية.', '20 مشروع اتفاقية.')
    """
    found = _NUMBER_THEN_STOPS.match(line)
    if found is None or ends_sentence(line):
        return line
    return found.group(1) + line[found.end() :] + found.group(2)[::-1]


def unmirrored(line: str) -> str:
    """A line whose brackets (or «») all stand mirrored, each pair closed before it opens
    (as an extractor leaves them at the edge of a right-to-left run), turned back.

    >>> unmirrored(")رئيس أوزبكستان شوكت( ميرزيوييف"), unmirrored("شوكت) و (كذا)")
    ('(رئيس أوزبكستان شوكت) ميرزيوييف', 'شوكت) و (كذا)')
    """
    for close, open_ in ((")", "("), ("]", "["), ("»", "«")):
        marks = "".join(ch for ch in line if ch in (close, open_))
        if marks and marks == (close + open_) * (len(marks) // 2):
            line = line.translate({ord(close): open_, ord(open_): close})
    return line


def running_lines(pages: Sequence[Sequence[str]]) -> set[str]:
    """Lines repeated at the top or the bottom of most pages (a running header or footer),
    their numbers as «#» (a foot that counts the pages is one line).

    >>> sorted(running_lines([["التقرير", "نص أ"], ["التقرير", "نص ب"], ["التقرير", "نص ج"]]))
    ['التقرير']
    >>> sorted(running_lines([["أ.", "الوكالة 1"], ["ب.", "الوكالة 2"], ["ج.", "الوكالة 3"]]))
    ['الوكالة #']
    """
    if len(pages) < 2:
        return set()
    edges: Counter[str] = Counter()
    for page in pages:
        filled = [line for line in page if line]
        edges.update({_DIGITS.sub("#", line) for line in [*filled[:2], *filled[-2:]]})
    return {line for line, count in edges.items() if count >= max(2, len(pages) * 0.6)}


def paragraphs(lines: Sequence[str], laid_out: bool = False) -> list[str]:
    """Lines joined into paragraphs: a line continues the one before unless that one ends
    a sentence or is a short line on its own (a heading, a paragraph's last line), or a
    blank line stands between them (``laid_out``: then the blank lines alone tell a short
    line); a word broken by a hyphen at a line end is joined again. A paragraph whose
    brackets all came out mirrored is mended (:func:`unmirrored`).

    >>> paragraphs(["السكان", "بلغ عدد سكان المحافظة في نهاية العام نحو", "مليونين.", "التعليم"])
    ['السكان', 'بلغ عدد سكان المحافظة في نهاية العام نحو مليونين.', 'التعليم']
    >>> paragraphs(["مجموعة الرؤية الاستراتيجية للتعاون بين الدول", "", "المصدر: تاس"])
    ['مجموعة الرؤية الاستراتيجية للتعاون بين الدول', 'المصدر: تاس']
    """
    filled = sorted(len(line) for line in lines if line)
    if not filled:
        return []
    full = filled[len(filled) * 3 // 4]  # a typical full line
    out: list[str] = []
    joinable = False
    for line in lines:
        if not line:
            joinable = False
            continue
        if joinable and out:
            line = continued(line)
            if out[-1].endswith("-") and out[-1][-2:-1].isalpha():
                out[-1] = out[-1][:-1] + line
            else:
                out[-1] = f"{out[-1]} {line}"
        else:
            out.append(line)
        joinable = not ends_sentence(out[-1]) and (laid_out or len(line) >= 0.7 * full)
    return [unmirrored(paragraph) for paragraph in out]
