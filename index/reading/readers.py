"""Read a document's bytes, whatever its format, into paragraphs: text, Markdown, Word, HTML."""

from __future__ import annotations

import io
import re
import time
import zipfile
from pathlib import Path
from xml.etree import ElementTree

from index.reading.blocks import Block, Limits, Read, ReadError
from index.reading.encodings import EncodingError, decode

# Formats whose files begin with their own mark: a file so named without it is none.
NOT_TEXT = {
    ".pdf": "not a PDF (its bytes do not begin as a PDF's)",
    ".docx": "not a Word document (.docx: its bytes are no ZIP archive)",
    ".doc": "an old Word document (.doc): save it as .docx or as text",
}


def read(name: str, raw: bytes, limits: Limits | None = None) -> Read:
    """Read a document by its content (and, for Markdown and HTML, its name's ending).

    >>> [b.text for b in read("a.txt", "سطر أول.\\r\\nسطر ثان".encode("cp1256")).blocks]
    ['سطر أول.', 'سطر ثان']
    >>> r = read("a.md", "# عنوان\\n\\nنص **مهم** [هنا](http://x).".encode())
    >>> r.kind, [(b.text, b.heading) for b in r.blocks]
    ('markdown', [('عنوان', True), ('نص مهم هنا.', False)])
    """
    suffix = Path(name).suffix.lower()
    if raw.startswith(b"PK\x03\x04"):
        return read_docx(raw)
    if raw.startswith(b"%PDF-"):
        from index.reading.pdf import read_pdf  # PDF support loads only for PDFs

        return read_pdf(raw, limits or Limits())
    if suffix in NOT_TEXT:  # named so, but its bytes are not: say what it is not, once
        raise ReadError(NOT_TEXT[suffix])
    head = raw[:1024].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if suffix in (".html", ".htm") or head.startswith((b"<!doctype html", b"<html")):
        return read_html(text_of(raw))
    if suffix in (".md", ".markdown"):
        return read_markdown(text_of(raw))
    return Read([Block(line) for line in text_of(raw).split("\n")], "text")


def text_of(raw: bytes) -> str:
    """Decoded text with unified line breaks; binary data refused."""
    try:
        text, _ = decode(raw, "")
    except EncodingError as exc:
        raise ReadError(str(exc).removeprefix(": ")) from None
    if "\x00" in text:
        raise ReadError("binary data (NUL bytes), not a text document")
    return text.replace("\r\n", "\n").replace("\r", "\n")


# -- Markdown ---------------------------------------------------------------------------

_MD_HEADING = re.compile(r"^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$")
_MD_RULE = re.compile(r"^\s{0,3}([-*_])(\s*\1){2,}\s*$")
_MD_LIST = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+")
_MD_INLINE: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"!\[([^\]]*)\]\([^)]*\)"), r"\1"),  # images: their alt text
    (re.compile(r"\[([^\]]*)\]\([^)]*\)"), r"\1"),  # links: their text
    (re.compile(r"`([^`]*)`"), r"\1"),
    (re.compile(r"(\*\*|__)(.+?)\1"), r"\2"),
    (re.compile(r"(?<![\w*])[*_](\S(?:.*?\S)?)[*_](?![\w*])"), r"\1"),
    (re.compile(r"<[^>]+>"), ""),
]


def markdown_inline(text: str) -> str:
    """A Markdown line's words without their markup.

    >>> markdown_inline("قال **الوزير** إن [الاتفاق](http://x) `نافذ` *اليوم*")
    'قال الوزير إن الاتفاق نافذ اليوم'
    """
    for pattern, replacement in _MD_INLINE:
        text = pattern.sub(replacement, text)
    return text.strip()


def read_markdown(text: str) -> Read:
    """Headings as headings, paragraphs (soft-wrapped lines joined), list items and table
    rows as paragraphs; code blocks, rules and markup left out."""
    blocks: list[Block] = []
    paragraph: list[str] = []
    fenced = False

    def flush() -> None:
        if paragraph:
            blocks.append(Block(" ".join(paragraph), heading=False))
            paragraph.clear()

    for line in text.split("\n"):
        if line.strip().startswith(("```", "~~~")):
            fenced = not fenced
            flush()
            continue
        heading = _MD_HEADING.match(line)
        if fenced or not line.strip() or _MD_RULE.match(line):
            flush()
        elif heading:
            flush()
            blocks.append(Block(markdown_inline(heading.group(2)), heading=True))
        elif _MD_LIST.match(line) or line.lstrip().startswith("|"):
            flush()
            cells = [
                markdown_inline(c) for c in _MD_LIST.sub("", line).strip().strip("|").split("|")
            ]
            row = " — ".join(c for c in cells if c and not set(c) <= set("-: "))
            if row:
                blocks.append(Block(row, heading=False))
        else:
            paragraph.append(markdown_inline(line.lstrip("> ")))
    flush()
    return Read([b for b in blocks if b.text], "markdown")


# -- Word -------------------------------------------------------------------------------


DOCX_SECONDS = 20.0  # reading one Word document at most (shutdown waits for no longer)


def read_docx(raw: bytes) -> Read:
    """Paragraphs in order, heading styles as headings, each table row as a paragraph;
    footnotes and comments left out (they live outside the document's body)."""
    try:
        names = zipfile.ZipFile(io.BytesIO(raw)).namelist()
    except zipfile.BadZipFile:
        raise ReadError("a damaged ZIP archive, not a Word document") from None
    if "word/document.xml" not in names:
        raise ReadError("a ZIP archive, not a Word document (.docx)")
    import docx  # python-docx: loaded only for Word documents
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    try:
        document = docx.Document(io.BytesIO(raw))
    except Exception as exc:  # python-docx raises KeyError, ValueError, lxml errors…
        raise ReadError(f"a damaged Word document ({type(exc).__name__})") from None
    blocks: list[Block] = []
    # a paragraph's style by its id, from one table: python-docx's paragraph.style scans
    # every style for each paragraph (1.6 ms each: a crafted 72 KB file took minutes)
    headings = {
        s.style_id for s in document.styles if (s.name or "").startswith(("Heading", "Title"))
    }
    deadline = time.monotonic() + DOCX_SECONDS
    for n, item in enumerate(document.iter_inner_content()):
        if n % 1024 == 0 and time.monotonic() > deadline:
            raise ReadError(
                f"a Word document too slow to read (over {DOCX_SECONDS:.0f} s): split it, or "
                "save it as text"
            )
        if isinstance(item, Paragraph):
            text = " ".join(item.text.split())
            if text:
                blocks.append(Block(text, heading=item._p.style in headings))
        elif isinstance(item, Table):
            for row in item.rows:
                cells = list(dict.fromkeys(" ".join(c.text.split()) for c in row.cells))
                text = " — ".join(c for c in cells if c)
                if text:
                    blocks.append(Block(text, heading=False))
    title = document.core_properties.title or ""
    return Read(blocks, "docx", title.strip())


# -- HTML -------------------------------------------------------------------------------


def read_html(html: str) -> Read:
    """The article of a web page (trafilatura: no navigation, ads, scripts, banners or
    share buttons), headings as headings, its title."""
    import trafilatura  # loaded only for web pages

    xml = trafilatura.extract(
        html, output_format="xml", with_metadata=True, include_tables=True, include_comments=False
    )
    if not xml:
        raise ReadError("a web page with no article text")
    root = ElementTree.fromstring(xml)
    main = root.find("main")
    blocks: list[Block] = []

    def walk(element: ElementTree.Element) -> None:
        kind = _HTML_BLOCKS.get(element.tag)
        if kind is None:
            for child in element:
                walk(child)
            return
        text = " ".join("".join(element.itertext()).split())  # a block and all inside it
        if text:
            blocks.append(Block(text, heading=kind))

    if main is not None:
        walk(main)
    if not blocks:
        raise ReadError("a web page with no article text")
    return Read(blocks, "html", root.get("title") or "")


# trafilatura's XML: which elements are paragraphs (False) or headings (True); a row of a
# table is one paragraph (its cells are inside it).
_HTML_BLOCKS: dict[str, bool] = {
    "head": True,
    "p": False,
    "item": False,
    "row": False,
    "quote": False,
}
