"""Scanned PDFs read by OCR: pages rendered (pdfium) and read by Tesseract's Arabic model."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from concurrent.futures import ThreadPoolExecutor

from index.reading.blocks import NoTextLayer
from index.reading.pdfium import pdfium_document

DPI = 200  # a scan's usual resolution; Tesseract reads Arabic body text well from it
PAGE_SECONDS = 120  # one page's OCR, at most
INSTALL = "apt install tesseract-ocr tesseract-ocr-ara"
_ARABIC = "\u0600-\u06ff"
# Latin punctuation Tesseract reads where Arabic text has its own.
_PUNCTUATION = [
    (re.compile(rf"(?<=[{_ARABIC}])\s*,"), "،"),
    (re.compile(rf"(?<=[{_ARABIC}])\s*;"), "؛"),
    (re.compile(rf"(?<=[{_ARABIC}])\s*\?"), "؟"),
]


class OcrUnavailable(NoTextLayer):
    """A scan, and no Tesseract with its Arabic model to read it: the message says what
    to install."""


def tesseract() -> str | None:
    """The Tesseract program, when it is installed with its Arabic model; else None."""
    program = shutil.which("tesseract")
    if program is None:
        return None
    try:
        listed = subprocess.run(
            [program, "--list-langs"], capture_output=True, text=True, timeout=30
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    return program if "ara" in listed.split() else None


def read_scan(raw: bytes, max_pages: int) -> list[str]:
    """Each page's text as Tesseract's Arabic model reads it, pages side by side on the
    cores there are (pdfium renders them first, one thread at a time). Raises
    OcrUnavailable when Tesseract or its Arabic model is missing, NoTextLayer when a page
    is over ``max_pages``."""
    program = tesseract()
    if program is None:
        raise OcrUnavailable(
            f"a scanned PDF with no text layer: to read scans, install Tesseract ({INSTALL})"
        )
    with pdfium_document(raw) as document:
        if len(document) > max_pages:
            raise NoTextLayer(
                f"a scanned PDF of {len(document):,} pages: OCR reads {max_pages:,} at most"
                " (index.max_ocr_pages)"
            )
        images = [_page_image(document[i]) for i in range(len(document))]
    with ThreadPoolExecutor(max(1, min(os.cpu_count() or 1, 4))) as pool:
        return list(pool.map(lambda image: _ocr(program, image), images))


def _page_image(page: object) -> bytes:
    """A page as a grey PGM picture at DPI (what Tesseract reads from its input)."""
    bitmap = page.render(scale=DPI / 72, grayscale=True)  # type: ignore[attr-defined]
    pixels = bitmap.to_numpy()
    height, width = pixels.shape[:2]
    picture = f"P5\n{width} {height}\n255\n".encode("ascii") + pixels.tobytes()
    bitmap.close()  # now, under pdfium's lock, not whenever it is collected
    return picture


def _ocr(program: str, image: bytes) -> str:
    environ = {**os.environ, "OMP_THREAD_LIMIT": "1"}  # one core a page: pages side by side
    done = subprocess.run(
        [program, "stdin", "stdout", "-l", "ara", "--psm", "3"],
        input=image,
        capture_output=True,
        timeout=PAGE_SECONDS,
        env=environ,
        check=False,
    )
    return done.stdout.decode("utf-8", errors="replace")


def scan_text(page: str) -> str:
    """A page as Tesseract read it, a line a line (blank lines, which part its blocks,
    kept), with the Latin commas, semicolons and question marks it reads after Arabic
    letters made Arabic ones.

    >>> scan_text("قال رودينكو, إن\\nالعلاقات  قوية.\\n\\nلماذا ?\\n")
    'قال رودينكو، إن\\nالعلاقات قوية.\\n\\nلماذا؟'
    """
    text = "\n".join(" ".join(line.split()) for line in page.strip().splitlines())
    for pattern, arabic in _PUNCTUATION:
        text = pattern.sub(arabic, text)
    return text
