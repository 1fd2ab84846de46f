"""An answer and its hits, and the checks every ranked sentence passes to be one."""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from index.question.query import REASONS
from index.question.questions import AnswerType
from index.retrieval.highlight import Spans
from index.retrieval.scoring import Scorer
from index.storage.rows import Rows
from index.storage.store import StoredSentence
from index.text.analysis import has_arabic, text_words

# A question asked in another language must hold this many words of letters
# (see :func:`worded`).
MIN_WORDS_OTHER = 2
# A sentence answers by meaning alone only with this many words: short ones («المصدر:
# تاس», a caption) sit near every question, however unrelated.
MEANING_MIN_WORDS = 5
# How a hit found by meaning alone is marked, wherever it is shown (it has no bold words).
MEANING_LABEL = "≈ بالمعنى"
# How a hit read by OCR from a scan is marked: its words may be misread.
OCR_LABEL = "🔍 قراءة آلية"
# How far a document's text may be from what its author wrote, by the kind it was read
# from: a PDF's as its extraction put it back together, a scan's as OCR read it; the
# others as written. A sentence standing in several documents is cited from the cleanest.
DAMAGE = {"pdf": 1, "ocr": 2}
# Questions the lexical engine cannot read that the encoder may still answer.
BY_MEANING_ONLY = frozenset(["not_arabic"])


@dataclass(frozen=True, slots=True, kw_only=True)
class Hit:
    """One answering sentence: its original text, where it is, and what matched."""

    text: str
    document: str  # the document's name (its file name)
    title: str
    ordinal: int  # the sentence's place in its document, from 1
    sentence_count: int  # how many sentences the document has
    score: float
    spans: Spans  # the matched words, as character offsets in ``text``
    sentence_id: int
    speaker: str = ""  # who says it, for a question about what someone said
    page: int | None = None  # the page it is on (PDF)
    section: str = ""  # the heading of its section (Word, web page, Markdown, a text's heading)
    url: str = ""  # the web page it came from
    also: tuple[str, ...] = ()  # titles of other documents that hold the same sentence
    copies: tuple[int, ...] = ()  # where else in its document it stands (its ordinals)
    answer: tuple[int, int] | None = None  # the phrase that answers a factoid question
    meaning: bool = False  # found by meaning alone: no word of the question is in it
    ocr: bool = False  # read by OCR from a scan


@dataclass(frozen=True, slots=True)
class Answer:
    """The ranked hits for a question, or an empty answer with the reason."""

    question: str
    hits: tuple[Hit, ...] = ()
    reason: str | None = None
    kind: AnswerType | None = None  # what the question asks for (index.question.questions)

    @property
    def empty(self) -> bool:
        return not self.hits

    @property
    def message(self) -> str | None:
        """The Arabic explanation of an empty answer."""
        return REASONS.get(self.reason) if self.reason else None


def evidence(
    stems: tuple[str, ...], number: int, engine: Scorer, count: int | None = None
) -> float:
    """Share of the question's stem idf weight that sentence ``number`` holds (read from
    the engine's postings); a question word no document has weighs as much as a word in no
    document could (log(2N + 1), N: ``count``, the collection's documents, by default all
    the engine scores).

    >>> from index.retrieval.scoring import Engine
    >>> e = Engine([["روس", "اوزبكست"], ["روس"], ["كازاخست"], ["طشقند"]])
    >>> round(evidence(("اوزبكست", "روس"), 0, e), 2)
    1.0
    >>> round(evidence(("اوزبكست", "برازيل"), 0, e), 2)
    0.28
    """
    unseen = math.log(2 * (engine.size if count is None else count) + 1)
    known = {t: engine.idf_of(t) for t in set(stems)}
    weights = {t: max(unseen if idf is None else idf, 0.0) for t, idf in known.items()}
    total = sum(weights.values())
    if total <= 0:
        return 1.0
    held = engine.term_matrix(list(weights), np.asarray([number]))[:, 0]
    return sum(w for (t, w), n in zip(weights.items(), held, strict=True) if n) / total


def near_copies(a: frozenset[str], b: frozenset[str]) -> bool:
    """Two sentences' word sets are the same sentence, give or take a parenthesis, a word
    or a footnote mark: both have five words or more, the smaller is nine tenths inside the
    larger, and every number of the smaller stands in the larger too.

    >>> w = lambda text: frozenset(text_words(text))
    >>> one = w("هي دولة عربية تقع في الركن الشمالي الشرقي من قارة أفريقيا")
    >>> near_copies(one, w("هي دولة عربية (1) تقع في الركن الشمالي الشرقي من قارة أفريقيا."))
    True
    >>> near_copies(w("بلغ عدد السكان 5 ملايين عام 2010"), w("بلغ عدد السكان 7 ملايين عام 2010"))
    False
    """
    small, large = (a, b) if len(a) <= len(b) else (b, a)
    if len(small) < 5 or len(small & large) < 0.9 * len(small) or len(small) < 0.5 * len(large):
        return False
    return all(w in large for w in small if w[0].isdigit())


def answers(
    ranked: list[tuple[int, float]], rows: Rows, k: int, damage: Mapping[int, int] | None = None
) -> tuple[list[tuple[int, float]], dict[int, list[int]]]:
    """The ``k`` best of ``ranked`` as answers. A sentence that stands again, word for word
    or nearly (:func:`near_copies`), is one answer, cited from the cleanest document that
    holds it (``damage``, by document id: see DAMAGE), where it first stands there; its
    copies (further on in the same document, or in another: a wire story republished, a
    circular sent twice, a PDF of the same article) are listed where they also stand
    (second value, by the number kept). A heading is no answer when a sentence of its
    section is one (it stays as context)."""
    damage = damage or {}
    found = rows.get([n for n, _ in ranked])
    sections = {
        (found[n].document, found[n].section)
        for n, _ in ranked
        if n in found and not found[n].heading
    }
    kept: list[tuple[int, float]] = []
    words: list[frozenset[str]] = []  # of each kept answer
    also: dict[int, list[int]] = {}
    for number, score in ranked:
        row = found.get(number)
        if row is None:
            continue
        if row.heading and (row.document, row.text) in sections:
            continue  # «الاقتصاد» is no answer when a sentence under it is
        mine = frozenset(text_words(row.text))
        copy = next((i for i, w in enumerate(words) if w == mine or near_copies(w, mine)), None)
        if copy is None:
            if len(kept) < k:
                kept.append((number, score))
                words.append(mine)
            continue
        first = kept[copy][0]
        earlier = found[first].document == row.document and row.ordinal < found[first].ordinal
        cleaner = damage.get(row.document, 0) < damage.get(found[first].document, 0)
        if earlier or cleaner:
            kept[copy] = (number, kept[copy][1])  # cited where it first stands, cleanest
            also[number] = [*also.pop(first, []), first]
        else:
            also.setdefault(first, []).append(number)
    return kept, also


MARKUP = re.compile(r"<[^>]*>|\w+://\S+|www\.\S+")  # tags and addresses
LETTER_WORD = re.compile(r"[^\W\d_]{2,}")  # two letters or more


def worded(question: str) -> bool:
    """The question is said in words (in any language), not markup, an address or a code:
    MIN_WORDS_OTHER words of letters once tags and addresses are left out.

    >>> worded("Why was the visit postponed?"), worded("Что сказал Руденко?")
    (True, True)
    >>> worded("<script>alert(1)</script>"), worded("hello"), worded("http://example.com")
    (False, False, False)
    """
    return len(LETTER_WORD.findall(MARKUP.sub(" ", question))) >= MIN_WORDS_OTHER


def meaningful(row: StoredSentence) -> bool:
    """A sentence that can answer by meaning alone: not a heading, in Arabic (a caption in
    another language is no answer to an Arabic reader), MEANING_MIN_WORDS words or more.

    >>> row = lambda text: StoredSentence(1, 1, 1, 0, 0, len(text), False, text)
    >>> meaningful(row("المصدر: تاس")), meaningful(row("Photo: Creative Commons by the agency"))
    (False, False)
    >>> meaningful(row("روسيا ستساعد كازاخستان في مكافحة الوباء"))
    True
    """
    return not row.heading and has_arabic(row.text) and len(row.text.split()) >= MEANING_MIN_WORDS
