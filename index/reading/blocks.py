"""What every reader gives and takes: paragraphs (blocks), what was read, limits, read errors."""

from __future__ import annotations

from dataclasses import dataclass


class ReadError(ValueError):
    """The bytes are not a document of the format they claim, or hold no text."""


class NoTextLayer(ReadError):
    """A scanned document: pictures of pages, no text to read."""


@dataclass(frozen=True, slots=True)
class Limits:
    """How big a document may be (index.max_document_mb, index.max_pdf_pages, and for a
    scan read by OCR, index.max_ocr_pages)."""

    max_bytes: int = 50 * 1024 * 1024
    max_pages: int = 2000
    max_ocr_pages: int = 200


@dataclass(frozen=True, slots=True)
class Block:
    """One paragraph: its text (one line), whether the format marks it as a heading (None:
    plain text, where a line without final punctuation is one) and its page, if any."""

    text: str
    heading: bool | None = None
    page: int | None = None


@dataclass(frozen=True, slots=True)
class Read:
    """What a reader found: the paragraphs, the format's name and the title it gives."""

    blocks: list[Block]
    kind: str
    title: str = ""
