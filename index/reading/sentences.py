"""Split a document into sentences that keep their character offsets and paragraph."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from index.reading.blocks import Block

TERMINATORS = ".!?؟"
ELLIPSIS = "…"
CLOSERS = "\"'»”’)]}›"
_SYMMETRIC_QUOTES = "\"'"

# One candidate boundary: a run of terminators (with an ellipsis char allowed inside).
_TERMINATOR_RUN = re.compile(r"[.!?؟…]+")

# Bounds, whatever the document: a longer run of text with no stop is cut into sentences
# of at most MAX_SENTENCE_CHARS characters and MAX_SENTENCE_WORDS words (at a comma or
# a space where it can); a line is a heading only up to MAX_HEADING_CHARS characters and
# MAX_HEADING_WORDS words (a longer one is text: one long line is no title). Real
# sentences stay whole: the dev sets' longest of 3,851 has 1,816 characters (one in a
# thousand has more than 1,000), their headings a few words.
MAX_SENTENCE_CHARS = 1000
MAX_SENTENCE_WORDS = 200
MAX_HEADING_CHARS = 150
MAX_HEADING_WORDS = 20
_SOFT_BREAK = re.compile(r"[،؛,;:](?=\s)")
_WORD = re.compile(r"\S+")


@dataclass(frozen=True, slots=True)
class Sentence:
    """One sentence: its text and where it sits in the document.

    ``start``/``end`` index the document text, ``paragraph`` counts lines from 0 and
    ``heading`` marks a heading (in plain text: a line that ends with no punctuation, a
    title or a caption). ``page`` is the page it is on (PDF), ``section`` the heading of
    the section it is in.
    """

    text: str
    start: int
    end: int
    paragraph: int
    heading: bool
    page: int | None = None
    section: str = ""


def _is_decimal_point(text: str, i: int) -> bool:
    """A ``.`` or ``,`` between two digits is part of a number, never a boundary."""
    return 0 < i < len(text) - 1 and text[i - 1].isdigit() and text[i + 1].isdigit()


# Abbreviations closed by a period that never end a sentence (with their inner periods:
# «أ.د.» is a word «أ.د» before its last period); any single letter is an initial.
ABBREVIATIONS = frozenset(["أ.د", "ص.ب", "ق.م", "هـ", "ت.ع", "م.ب"])


def _is_abbreviation(line: str, i: int) -> bool:
    """The word before the period at ``i`` is an abbreviation or an initial.

    >>> [_is_abbreviation(s, s.index(".", 4)) for s in ["قال د. أحمد", "رقم ص.ب. 12", "وصل أمس."]]
    [True, True, False]
    """
    word = line[line.rfind(" ", 0, i) + 1 : i].lstrip("(«\"'")
    return (len(word) == 1 and word.isalpha()) or word in ABBREVIATIONS


def _boundaries(line: str) -> list[int]:
    """End offsets (exclusive) of the sentences closed by punctuation inside ``line``."""
    ends: list[int] = []
    start = 0
    for match in _TERMINATOR_RUN.finditer(line):
        run = match.group()
        i, j = match.start(), match.end()
        if run == "." and (_is_decimal_point(line, i) or _is_abbreviation(line, i)):
            continue
        if set(run) <= {".", ELLIPSIS} and (len(run) > 1 or run == ELLIPSIS):
            continue  # an elision ("..." or "…") does not end a sentence
        # A closing quote or bracket right after the terminator belongs to this sentence.
        while j < len(line) and line[j] in CLOSERS:
            ch = line[j]
            opens = j + 1 < len(line) and not line[j + 1].isspace()
            if ch in _SYMMETRIC_QUOTES and line.count(ch, start, j) % 2 == 0 and opens:
                break  # an even count, and text right after it: it opens the next sentence
            j += 1
        if j < len(line) and not line[j].isspace():
            continue  # "a.b", "3.5%": no space after the terminator, not a boundary
        ends.append(j)
        start = j
    return ends


def _bounded(line: str, a: int, b: int) -> list[tuple[int, int]]:
    """``[a, b)`` cut into pieces within the sentence bounds: each ends at the last comma
    (or «،», «؛», ;, :) in its second half, else at its last space, else where the bound
    falls.

    >>> line = "كلمة، " * 300
    >>> pieces = _bounded(line, 0, len(line))
    >>> [(b - a, line[b - 1]) for a, b in pieces][:2], len(pieces)
    ([(995, '،'), (805, ' ')], 2)
    >>> _bounded("x" * 2500, 0, 2500)
    [(0, 1000), (1000, 2000), (2000, 2500)]
    """
    pieces = []
    while b - a > MAX_SENTENCE_CHARS or _too_many_words(line, a, b):
        limit = a + MAX_SENTENCE_CHARS
        words = list(_WORD.finditer(line, a, min(b, limit)))
        if len(words) > MAX_SENTENCE_WORDS:
            limit = words[MAX_SENTENCE_WORDS - 1].end()
        half = a + (limit - a) // 2
        soft = [m.end() for m in _SOFT_BREAK.finditer(line, half, limit)]
        space = line.rfind(" ", a + 1, limit + 1)
        cut = soft[-1] if soft else space + 1 if space > a else limit
        pieces.append((a, cut))
        a = cut
    return [*pieces, (a, b)]


def _too_many_words(line: str, a: int, b: int) -> bool:
    return any(n > MAX_SENTENCE_WORDS for n, _ in enumerate(_WORD.finditer(line, a, b), 1))


def _heading_sized(text: str) -> bool:
    """Short enough to be a heading (MAX_HEADING_CHARS characters, MAX_HEADING_WORDS
    words)."""
    return len(text) <= MAX_HEADING_CHARS and len(text.split()) <= MAX_HEADING_WORDS


def split_sentences(text: str) -> list[Sentence]:
    """Split ``text`` into sentences at ``. ! ? ؟`` and at line breaks.

    >>> [s.text for s in split_sentences("قال: نعم. وأضاف: لا!\\nعنوان بلا نقطة")]
    ['قال: نعم.', 'وأضاف: لا!', 'عنوان بلا نقطة']
    >>> [s.heading for s in split_sentences("قال: نعم. وأضاف: لا!\\nعنوان بلا نقطة")]
    [False, False, True]
    >>> [s.text for s in split_sentences("بلغت 2.5 مليون في 2019. ثم زادت")]
    ['بلغت 2.5 مليون في 2019.', 'ثم زادت']
    >>> [s.text for s in split_sentences("قال د. أحمد زويل إن العلم نور. وأضاف أ.د. سامي.")]
    ['قال د. أحمد زويل إن العلم نور.', 'وأضاف أ.د. سامي.']
    >>> [s.text for s in split_sentences('قال: "نعم." ثم مضى. وقال: "لا". "ولم؟"')]
    ['قال: "نعم."', 'ثم مضى.', 'وقال: "لا".', '"ولم؟"']
    >>> s = split_sentences("  أول.\\n\\nثان؟")[1]
    >>> (s.text, s.start, s.end, s.paragraph)
    ('ثان؟', 8, 12, 2)
    >>> long = split_sentences("كلمة " * 1000)  # one line with no stop: text, cut
    >>> len(long), max(len(s.text) for s in long), any(s.heading for s in long)
    (5, 999, False)
    """
    sentences: list[Sentence] = []
    offset = 0
    for paragraph, line in enumerate(text.split("\n")):
        pieces: list[tuple[int, int]] = []
        start = 0
        for end in [*_boundaries(line), len(line)]:
            pieces += _bounded(line, start, end)
            start = end
        trimmed = [_trim(line, a, b) for a, b in pieces]
        trimmed = [(a, b) for a, b in trimmed if a < b]
        for a, b in trimmed:
            body = line[a:b]
            heading = len(trimmed) == 1 and not _ends_with_terminator(body) and _heading_sized(body)
            sentences.append(Sentence(body, offset + a, offset + b, paragraph, heading))
        offset += len(line) + 1
    return sentences


def _trim(line: str, a: int, b: int) -> tuple[int, int]:
    """Narrow ``[a, b)`` to drop surrounding whitespace."""
    while a < b and line[a].isspace():
        a += 1
    while b > a and line[b - 1].isspace():
        b -= 1
    return a, b


def _ends_with_terminator(sentence: str) -> bool:
    """True when the sentence ends with ``. ! ? ؟``, closing quotes aside.

    >>> _ends_with_terminator('قال "نعم".'), _ends_with_terminator('قال "نعم."')
    (True, True)
    >>> _ends_with_terminator('روسيا - العالم الإسلامي"')
    False
    """
    body = sentence.rstrip(CLOSERS)
    return bool(body) and body[-1] in TERMINATORS + ELLIPSIS


def split_blocks(blocks: Sequence[Block]) -> list[Sentence]:
    """Sentences of a document read as paragraphs (one line each, joined by line breaks):
    as :func:`split_sentences` splits them, where the format marks a heading it is one
    sentence and a heading, and each sentence knows its page and section. Marks with no
    letter or digit («""» an extractor left on a line of its own) are no sentence.

    >>> from index.reading.blocks import Block
    >>> blocks = [Block("1. مقدمة", heading=True), Block("نص أول. نص ثان", heading=False)]
    >>> [(s.text, s.heading, s.section) for s in split_blocks(blocks)]
    [('1. مقدمة', True, '1. مقدمة'), ('نص أول.', False, '1. مقدمة'), ('نص ثان', False, '1. مقدمة')]
    >>> [s.text for s in split_blocks([Block("نص أول."), Block('""'), Block("نص ثان.")])]
    ['نص أول.', 'نص ثان.']
    """
    text = "\n".join(block.text for block in blocks)
    out: list[Sentence] = []
    section = ""
    for sentence in split_sentences(text):
        if not any(ch.isalnum() for ch in sentence.text):
            continue  # a stray mark («""», «—», «...»): no sentence to cite
        block = blocks[sentence.paragraph]
        if block.heading and not _heading_sized(block.text.strip()):
            block = replace(block, heading=False)  # a whole paragraph styled as a heading
        if block.heading:
            if out and out[-1].paragraph == sentence.paragraph:
                continue  # one sentence for the whole heading line
            start = sentence.start
            line_end = text.find("\n", start)
            end = len(text) if line_end < 0 else line_end
            sentence = replace(
                sentence, text=text[start:end].rstrip(), end=start + len(text[start:end].rstrip())
            )
        heading = sentence.heading if block.heading is None else block.heading
        if heading:
            section = sentence.text
        out.append(replace(sentence, heading=heading, page=block.page, section=section))
    return out
