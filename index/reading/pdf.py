"""Arabic PDFs into paragraphs with their pages: glyphs, visual order, wrapping, running heads."""

from __future__ import annotations

import io
import logging
import re
import unicodedata
from collections import Counter
from collections.abc import Sequence

from index.reading.blocks import Block, NoTextLayer, Read, ReadError

MIN_TEXT = 20  # letters and digits in the whole file: fewer, and it is a scan
_PRESENTATION = re.compile("[\ufb50-\ufdff\ufe70-\ufeff]")
_LTR_RUN = re.compile(r"[0-9A-Za-z][0-9A-Za-z.,:%/\-]*")
_MIRRORED = str.maketrans("()[]{}«»<>", ")(][}{»«><")
_PAGE_NUMBER = re.compile(
    r"^[\s\-–—|]*(?:(?:صفحة|ص|page)\s*)?[0-9٠-٩]+(?:\s*(?:/|من|of)\s*[0-9٠-٩]+)?[\s\-–—|]*$", re.I
)
_ENDS_SENTENCE = tuple(".!?؟:…")


def read_pdf(raw: bytes, max_pages: int) -> Read:
    """A PDF's text layer, page by page (pypdf: see bench/pdf_extractors.py for why), as
    paragraphs that know their page."""
    import pypdf  # loaded only for PDFs
    from pypdf.errors import PdfReadError

    # pypdf logs what it repairs or cannot ("EOF marker not found"); Sanad says it once
    logging.getLogger("pypdf").setLevel(logging.ERROR)

    try:
        reader = pypdf.PdfReader(io.BytesIO(raw))
        if reader.is_encrypted and not reader.decrypt(""):
            raise ReadError("an encrypted PDF: save it without a password first")
        if len(reader.pages) > max_pages:
            raise ReadError(f"a PDF of {len(reader.pages):,} pages (the limit is {max_pages:,})")
        pages = [page.extract_text() or "" for page in reader.pages]
        title = (reader.metadata.title if reader.metadata else None) or ""
    except ReadError:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, OSError, RecursionError) as exc:
        raise ReadError(f"a damaged PDF ({type(exc).__name__})") from None
    return Read(pdf_blocks(pages), "pdf", title.strip())


def pdf_blocks(pages: Sequence[str]) -> list[Block]:
    """Paragraphs of a PDF's pages (their extracted text, lines as the extractor found
    them): glyph forms back to letters, visual order put back in logical order, running
    headers, footers and page numbers dropped, wrapped lines joined.

    >>> pages = ["التقرير\\nبلغ عدد السكان مليون\\nنسمة في المحافظة.\\n1", "التقرير\\nانتهى.\\n2"]
    >>> [(b.text, b.page) for b in pdf_blocks(pages)]
    [('بلغ عدد السكان مليون نسمة في المحافظة.', 1), ('انتهى.', 2)]
    """
    lines = [[line.strip() for line in page.splitlines() if line.strip()] for page in pages]
    if sum(ch.isalnum() for page in lines for line in page for ch in line) < MIN_TEXT:
        raise NoTextLayer("a scanned PDF with no text layer: run OCR on it first (e.g. ocrmypdf)")
    visual = in_visual_order([line for page in lines for line in page])
    lines = [[letters(line, visual) for line in page] for page in lines]
    furniture = running_lines(lines)
    blocks: list[Block] = []
    for number, page in enumerate(lines, start=1):
        kept = [line for line in page if line not in furniture and not _PAGE_NUMBER.match(line)]
        blocks += [Block(text, page=number) for text in paragraphs(kept)]
    return blocks


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
    return " ".join(line.split())


def running_lines(pages: Sequence[Sequence[str]]) -> set[str]:
    """Lines repeated at the top or the bottom of most pages (a running header or footer).

    >>> sorted(running_lines([["التقرير", "نص أ"], ["التقرير", "نص ب"], ["التقرير", "نص ج"]]))
    ['التقرير']
    """
    if len(pages) < 2:
        return set()
    edges: Counter[str] = Counter()
    for page in pages:
        edges.update(set(page[:2]) | set(page[-2:]))
    return {line for line, count in edges.items() if count >= max(2, len(pages) * 0.6)}


def paragraphs(lines: Sequence[str]) -> list[str]:
    """Lines joined into paragraphs: a line continues the one before unless that one ends
    a sentence or is a short line on its own (a heading, a paragraph's last line); a word
    broken by a hyphen at a line end is joined again.

    >>> paragraphs(["السكان", "بلغ عدد سكان المحافظة في نهاية العام نحو", "مليونين.", "التعليم"])
    ['السكان', 'بلغ عدد سكان المحافظة في نهاية العام نحو مليونين.', 'التعليم']
    """
    if not lines:
        return []
    lengths = sorted(len(line) for line in lines)
    full = lengths[len(lengths) * 3 // 4]  # a typical full line
    out: list[str] = []
    joinable = False
    for line in lines:
        if joinable and out:
            if out[-1].endswith("-") and out[-1][-2:-1].isalpha():
                out[-1] = out[-1][:-1] + line
            else:
                out[-1] = f"{out[-1]} {line}"
        else:
            out.append(line)
        joinable = not out[-1].endswith(_ENDS_SENTENCE) and len(line) >= 0.7 * full
    return out
