"""Source documents: read one into cited sentences, derive its title, find documents on disk."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from index.reading.blocks import Limits, NoTextLayer, ReadError
from index.reading.readers import read
from index.reading.sentences import Sentence, split_blocks

# What a folder is searched for; other files are listed as ignored.
SUFFIXES = frozenset({".txt", ".md", ".markdown", ".docx", ".html", ".htm", ".pdf"})
# A title taken from the first sentence: its first TITLE_WORDS words. Any title, given
# (a page's <title>, a file's own) or taken, has at most TITLE_MAX_CHARS characters and
# GIVEN_TITLE_WORDS words: it is shown in every citation.
TITLE_WORDS = 7
TITLE_MAX_CHARS = 80
GIVEN_TITLE_WORDS = 14


class DocumentError(ValueError):
    """A document that cannot be indexed; the message says why, in one line."""


class ScannedDocument(DocumentError):
    """A document with no text layer (a scan): a build skips it and says so."""


@dataclass(frozen=True, slots=True)
class Document:
    """A source text ready to index: its name, title, text (its paragraphs, a line each)
    and sentences; the format it was read from and where it came from (a path or an
    address, for the citation)."""

    name: str
    title: str
    text: str
    sha256: str
    sentences: tuple[Sentence, ...]
    kind: str = "text"
    source: str = ""


def derive_title(sentences: tuple[Sentence, ...] | list[Sentence], fallback: str) -> str:
    """A short title: a first-line heading, else the first words of the first sentence.

    >>> from index.reading.sentences import split_sentences
    >>> derive_title(split_sentences("عنوان قصير\\nنص."), "x")
    'عنوان قصير'
    >>> first = "أكد نائب وزير الخارجية الروسي، أندريه رودينكو، أن العلاقات."
    >>> derive_title(split_sentences(first), "x")
    'أكد نائب وزير الخارجية الروسي، أندريه رودينكو…'
    """
    if not sentences:
        return fallback
    first = sentences[0]
    if first.heading and first.paragraph == 0:
        return shortened(first.text, TITLE_MAX_CHARS, GIVEN_TITLE_WORDS)
    return shortened(first.text, TITLE_MAX_CHARS, TITLE_WORDS)


def shortened(text: str, chars: int, words: int) -> str:
    """``text`` as it is when it has at most ``chars`` characters and ``words`` words;
    else its first words within both, and «…».

    >>> shortened("تقرير الأداء السنوي", 80, 7)
    'تقرير الأداء السنوي'
    >>> shortened("أكد نائب وزير الخارجية الروسي، أندريه رودينكو", 80, 5)
    'أكد نائب وزير الخارجية الروسي…'
    >>> shortened("x" * 300, 80, 7) == "x" * 80 + "…"
    True
    """
    if len(text) <= chars and len(text.split()) <= words:
        return text
    joined = " ".join(text.split()[:words])
    kept = joined[:chars]
    if len(joined) > chars and joined[chars] != " " and " " in kept:
        kept = kept.rsplit(" ", 1)[0]  # no word cut in two
    return kept.rstrip("،,:؛;") + "…"


def is_given_title(title: str) -> bool:
    """Whether a title was given (a first-line heading, a file's or page's own title) rather
    than taken from the first sentence: a cut one ends in «…», a whole sentence in its stop.

    >>> is_given_title("متلازمة بيندريد"), is_given_title("أكد نائب وزير الخارجية…")
    (True, False)
    >>> is_given_title("جملة أولى."), is_given_title("")
    (False, False)
    """
    return bool(title) and not title.rstrip().endswith(("…", ".", "؟", "?", "!"))


def parse_document(
    name: str, raw: bytes, source: str = "", limits: Limits | None = None
) -> Document:
    """Read and split one document's bytes (any format :mod:`index.reading.readers` reads).

    >>> d = parse_document("a.txt", "جملة أولى. جملة ثانية.".encode())
    >>> (d.title, len(d.sentences))
    ('جملة أولى.', 2)
    """
    limits = limits or Limits()
    if len(raw) > limits.max_bytes:
        raise DocumentError(
            f"{name}: too large ({len(raw):,} bytes; the limit is {limits.max_bytes:,})"
        )
    try:
        found = read(name, raw, limits)
    except NoTextLayer as exc:
        raise ScannedDocument(f"{name}: {exc}") from None
    except ReadError as exc:
        raise DocumentError(f"{name}: {exc}") from None
    sentences = tuple(split_blocks(found.blocks))
    text = "\n".join(block.text for block in found.blocks)
    if not sentences or not any(ch.isalnum() for ch in text):
        raise DocumentError(f"{name}: empty document (no text to index)")
    return Document(
        name=name,
        title=shortened(found.title, TITLE_MAX_CHARS, GIVEN_TITLE_WORDS)
        or derive_title(sentences, Path(name).stem),
        text=text,
        sha256=hashlib.sha256(raw).hexdigest(),
        sentences=sentences,
        kind=found.kind,
        source=source,
    )


def unique_name(name: str, taken: set[str]) -> str:
    """``name``, or the first ``stem-N.txt`` not taken.

    >>> unique_name("a.txt", {"b.txt"}), unique_name("a.txt", {"a.txt", "a-2.txt"})
    ('a.txt', 'a-3.txt')
    """
    if name not in taken:
        return name
    stem, suffix = Path(name).stem, Path(name).suffix
    numbered = (f"{stem}-{n}{suffix}" for n in range(2, len(taken) + 3))
    return next(candidate for candidate in numbered if candidate not in taken)


def find_documents(paths: list[Path]) -> tuple[list[Path], list[Path]]:
    """Documents named by ``paths``: files as given, ``*.txt`` found in folders.

    Returns (documents, ignored): the files in folders that are not ``.txt`` and are
    therefore left out, so the caller can say so. Hidden files are skipped.
    """
    found: list[Path] = []
    ignored: list[Path] = []
    for path in paths:
        if path.is_dir():
            inside = path.resolve()
            for child in sorted(path.rglob("*")):
                if not child.is_file() or any(p.startswith(".") for p in child.parts[-1:]):
                    continue
                if not child.resolve().is_relative_to(inside):
                    ignored.append(child)  # a link out of the folder: never followed
                    continue
                (found if child.suffix.lower() in SUFFIXES else ignored).append(child)
        elif path.is_file():
            found.append(path)
        else:
            raise DocumentError(f"{path}: no such file or folder")
    return found, ignored
