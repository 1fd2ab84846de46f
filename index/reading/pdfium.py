"""pdfium, one thread at a time: it is not thread-safe, not even across documents."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pypdfium2 import PdfDocument

# Held for all of a document's pdfium work, from opening it to closing it (two uploads
# to the bot read side by side in worker threads; a crash in pdfium takes the process).
LOCK = threading.RLock()


@contextmanager
def pdfium_document(raw: bytes) -> Iterator[PdfDocument]:
    """The PDF ``raw`` opened by pdfium, for this thread alone until the block ends, and
    then closed (with its pages, text pages and bitmaps)."""
    import pypdfium2  # loaded only for PDFs

    with LOCK:
        document = pypdfium2.PdfDocument(raw)
        try:
            yield document
        finally:
            document.close()
