"""Decode text files as Windows and the web save Arabic; refuse mojibake instead of indexing it."""

from __future__ import annotations

import re

from index.text.analysis import is_arabic_letter

# Legacy Arabic code pages, tried in this order when a file is not UTF-8 or UTF-16.
LEGACY = ("cp1256", "iso-8859-6")
TRIED = "UTF-8, UTF-16 (with a byte order mark), Windows-1256, ISO-8859-6"
BOMS = (
    (b"\xef\xbb\xbf", "utf-8-sig"),
    (b"\xff\xfe", "utf-16-le"),
    (b"\xfe\xff", "utf-16-be"),
)
MIN_ARABIC_SHARE = 0.5  # of the letters of a legacy-decoded text: else it was no Arabic

# UTF-8 Arabic read as Latin-1 / Windows-1252 («Ø§Ù„»): Ø or Ù, then a continuation byte.
_LATIN_MOJIBAKE = re.compile(
    "[ØÙÚÛ][\u0080-\u00bf\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192\u02c6\u02dc\u2013-\u203a\u20ac\u2122]"
)
# UTF-8 Arabic read as Windows-1256 («ط§ظ„»): ط or ظ before almost every other letter.
_ARABIC_MOJIBAKE = re.compile("[طظ][^\\sطظ]")


class EncodingError(ValueError):
    """The bytes are no text in an encoding Sanad reads, or they are mojibake."""


def mojibake(text: str) -> str | None:
    """The kind of mojibake ``text`` holds (Arabic once decoded wrongly, then saved), or
    None for text that reads as written.

    >>> mojibake("العربية"), mojibake("Ø§Ù„Ø¹Ø±Ø¨ÙŠØ©"), mojibake("ط§ظ„ط¹ط±ط¨ظٹط©")
    (None, 'UTF-8 read as Latin-1', 'UTF-8 read as Windows-1256')
    >>> mojibake("ÞÇá ÇáæÒíÑ Åä ÇáÚáÇÞÇÊ"), mojibake("Le café est à côté du musée")
    ('Windows-1256 read as Latin-1', None)
    >>> mojibake("ضبط النظام والظروف") is None
    True
    """
    letters = sum(ch.isalpha() for ch in text) or 1
    if len(_LATIN_MOJIBAKE.findall(text)) * 2 > 0.3 * letters:
        return "UTF-8 read as Latin-1"
    arabic = sum(is_arabic_letter(ch) for ch in text) or 1
    if len(_ARABIC_MOJIBAKE.findall(text)) * 2 > 0.6 * arabic:
        return "UTF-8 read as Windows-1256"
    if sum("\u00c0" <= ch <= "\u00ff" for ch in text) > 0.5 * letters:
        return "Windows-1256 read as Latin-1"  # accented Latin letters, nearly all of them
    return None


def arabic_share(text: str) -> float:
    """Share of the letters of ``text`` that are Arabic.

    >>> arabic_share("سلام hello"), arabic_share("")
    (0.44, 0.0)
    """
    letters = [ch for ch in text if ch.isalpha()]
    if not letters:
        return 0.0
    return round(sum(map(is_arabic_letter, letters)) / len(letters), 2)


def plausibility(text: str) -> float:
    """How much ``text`` reads like Arabic: its share of Arabic letters, and how often its
    words carry the article «ال» (the commonest pair of letters in Arabic).

    >>> misread = "السلام عليكم".encode("iso-8859-6").decode("cp1256")
    >>> misread, plausibility("السلام عليكم") > plausibility(misread)
    ('انسناه ظنêمه', True)
    """
    words = text.split() or [""]
    return arabic_share(text) + sum(w.startswith(("ال", "وال", "بال")) for w in words) / len(words)


def decode(raw: bytes, name: str) -> tuple[str, str]:
    """The text of a file and the encoding it was in: UTF-8 (a byte order mark allowed),
    UTF-16 with a byte order mark, else Windows-1256 or ISO-8859-6 when that reads as
    Arabic. Mojibake and bytes that are no such text raise EncodingError naming the file
    and the encodings tried.

    >>> decode("السلام عليكم".encode("cp1256"), "a.txt")
    ('السلام عليكم', 'cp1256')
    >>> decode("السلام عليكم".encode("iso-8859-6"), "a.txt")
    ('السلام عليكم', 'iso-8859-6')
    >>> decode("\\ufeffسلام".encode("utf-16-le"), "a.txt")
    ('سلام', 'utf-16-le')
    """
    for bom, encoding in BOMS:
        if raw.startswith(bom):
            try:
                text = raw.decode(encoding).lstrip("\ufeff")
            except UnicodeDecodeError as exc:
                raise EncodingError(
                    f"{name}: not {encoding} text (bad bytes at {exc.start})"
                ) from None
            return _checked(text, encoding, name), encoding
    try:
        return _checked(raw.decode("utf-8"), "utf-8", name), "utf-8"
    except UnicodeDecodeError as exc:
        first_bad = exc.start
    readings = []
    for encoding in LEGACY:
        try:
            text = raw.decode(encoding)
        except UnicodeDecodeError:
            continue
        if arabic_share(text) >= MIN_ARABIC_SHARE and mojibake(text) is None:
            readings.append((plausibility(text), text, encoding))
    if readings:  # the two code pages both read most bytes as Arabic: the likelier one
        _, text, encoding = max(readings, key=lambda r: r[0])
        return text, encoding
    raise EncodingError(
        f"{name}: not UTF-8 text, nor Arabic in another encoding Sanad reads (tried {TRIED}; "
        f"bad byte 0x{raw[first_bad]:02x} at offset {first_bad} for UTF-8)"
    )


def _checked(text: str, encoding: str, name: str) -> str:
    found = mojibake(text)
    if found:
        raise EncodingError(
            f"{name}: mojibake ({found}): the file was saved after being decoded wrongly; "
            "open it in the program that wrote it and save it again as UTF-8"
        )
    return text
