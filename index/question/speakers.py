"""Who is speaking in each sentence of a news text: reporting verbs, quotes, and aliases."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from index.question.lexicon import SPEECH_NOUNS
from index.text.analysis import (
    LightSegmenter,
    is_stopword,
    normalize,
    prepare,
    split_proclitic,
    word_spans,
)

# What stems a word (a segmenter's ``segment``, see index.text.analysis.Segmenter).
Stemmer = Callable[[str], tuple[str, ...]]
# Speakers are told apart by the light stems of the words naming them, in the question and
# in the text alike, whatever segmenter the index uses: the names and titles that identify
# a speaker are where a morphological guesser errs most, and both sides must agree. (With
# the light segmenter configured, speaker tracking reuses nothing the index stored: it
# needs a few words of each sentence, not its terms.)
NAMES: Stemmer = LightSegmenter().segment


class Line(Protocol):
    """A sentence as speaker tracking reads it (a split or a stored sentence)."""

    @property
    def text(self) -> str: ...

    @property
    def paragraph(self) -> int: ...

    @property
    def heading(self) -> bool: ...


# Reporting verbs (normalized; masculine and feminine past, present).
REPORTING = frozenset(
    normalize(w)
    for w in """
    قال قالت يقول تقول أكد أكدت يؤكد أشار أشارت يشير أضاف أضافت يضيف أعرب أعربت لفت لفتت
    صرح صرحت يصرح ذكر ذكرت أوضح أوضحت شدد شددت تابع تابعت أشاد أشادت اعتبر اعتبرت رأى
    أعلن أعلنت نفى نفت دعا دعت حذر حذرت أفاد أفادت أبلغ أبلغت كشف كشفت
    """.split()
)
# Words that end the subject of a reporting verb.
SUBJECT_END = frozenset(
    normalize(w) for w in "أن إن أنه أنها إلى عن في على من خلال أمس يوم لـ بأن".split()
)
# Openings that refer back to the last speaker: «ووفقا له», «وبحسب قوله» …
BACK_REFERENCES = ("وفقا له", "ووفقا له", "وبحسب", "بحسب", "على حد قوله", "وتابع قائلا")
MAX_SUBJECT_WORDS = 7


@dataclass
class Speaker:
    """One speaker: the stems of every way the text named them, and how it first did."""

    stems: set[str] = field(default_factory=set)
    name: str = ""


@dataclass(frozen=True, slots=True)
class Voice:
    """Who speaks in one sentence: the stems naming them so far, and their first naming."""

    stems: frozenset[str]
    name: str


def name_stems(words: Sequence[str], stem: Stemmer = NAMES) -> frozenset[str]:
    """The stems :func:`track_speakers` records for these words (a name, a title).

    >>> sorted(name_stems(["أندريه", "رودينكو"]))
    ['اندر', 'رودينكو']
    """
    out: set[str] = set()
    for word in words:
        folded = normalize(word)
        if folded and not is_stopword(folded):
            out.update(stem(prepare(word)))
    return frozenset(out)


def speaker_stems(text: str, stem: Stemmer = NAMES) -> frozenset[str]:
    """:func:`name_stems` of the words of a text.

    >>> sorted(speaker_stems("أندريه رودينكو"))
    ['اندر', 'رودينكو']
    """
    return name_stems([w for w, _, _ in word_spans(text)], stem)


_QUOTE_OPENERS = re.compile(r'[:"«“]')


def _subject(after: str) -> list[str]:
    """The words naming who speaks, in the text after the reporting verb: up to a colon
    or a quotation mark, «أن»/«إلى»/… or, past the first word, a word carrying a
    preposition («بتوجهات»).

    >>> _subject('الوزير خالد: "الاقتصاد ينمو بسرعة".')
    ['الوزير', 'خالد']
    >>> _subject("نائب الوزير أن العلاقات متينة")
    ['نائب', 'الوزير']
    """
    cut = _QUOTE_OPENERS.search(after)
    words = [w for w, _, _ in word_spans(after[: cut.start()] if cut else after)]
    subject: list[str] = []
    for word in words[:MAX_SUBJECT_WORDS]:
        folded = normalize(word)
        if folded in SUBJECT_END or (subject and _prepositional(folded)):
            break
        subject.append(word)
    return subject


def _prepositional(word: str) -> bool:
    """«بتوجهات», «بالحوار», «للتوقيع», «لتعزيز»: a preposition on a noun or verbal noun,
    where the subject has ended (names such as «لافروف», «بوتين» do not match).

    >>> [_prepositional(w) for w in ["بتوجهات", "بالحوار", "للتوقيع", "لافروف", "بوتين"]]
    [True, True, True, False, False]
    """
    if word[:1] not in "بل" or not split_proclitic(word, proclitics="بل"):
        return False
    return word[1] in "تل" or word[1:3] == "ال"  # ب/ل, then تـ (a verbal noun) or the article


def _verb_position(words: list[str]) -> int | None:
    """Index of a reporting verb among the first five words."""
    for i, word in enumerate(words[:5]):
        folded = normalize(word)
        if folded in REPORTING or (folded[:1] in "وف" and folded[1:] in REPORTING):
            return i
    return None


def track_speakers(sentences: Sequence[Line], stem: Stemmer = NAMES) -> list[Voice | None]:
    r"""For each sentence of one document, who speaks in it (None: narration).

    A reporting verb near the start names a speaker: a new one, or one named before (by
    name, by a title sharing two words with how they were introduced, or by a definite
    description sharing a word with whoever spoke last, such as «الدبلوماسي الروسي»).
    «وأضاف:» with no subject, a sentence inside an open quotation, one that opens a
    quotation or refers back («ووفقا له») keeps the last speaker. Quotations close with
    their paragraph; headings have none.

    >>> from index.reading.sentences import split_sentences
    >>> text = (
    ...     "أكد نائب وزير الخارجية الروسي، أندريه رودينكو، أن العلاقات متينة.\n"
    ...     'وأضاف: "نحن نثق بهم. وهي علاقات قديمة".\n'
    ...     "مشروعات بين البلدين\n"
    ...     "وأكد نائب وزير الخارجية أن الخيار لهم. وذكرت وكالة تاس أن الزيارة تأجلت.")
    >>> voices = track_speakers(split_sentences(text))
    >>> ["رودينكو" in v.stems if v else None for v in voices]
    [True, True, True, None, True, False]
    >>> voices[4].name
    'نائب وزير الخارجية الروسي أندريه رودينكو'

    """
    speakers: list[Speaker] = []
    current: Speaker | None = None
    inside_quote = False
    paragraph = -1
    out: list[Voice | None] = []
    for sentence in sentences:
        text = sentence.text
        if sentence.paragraph != paragraph:
            paragraph, inside_quote = sentence.paragraph, False
        if sentence.heading:
            out.append(None)
            continue
        words = [w for w, _, _ in word_spans(text)]
        speaker = _speaker_of(text, words, speakers, current, inside_quote, stem)
        if speaker is not None:
            current = speaker
        out.append(Voice(frozenset(speaker.stems), speaker.name) if speaker else None)
        quotes = text.count('"') + text.count("«") + text.count("»")
        inside_quote = (inside_quote + quotes) % 2 == 1
    return out


def _speaker_of(
    text: str,
    words: list[str],
    speakers: list[Speaker],
    current: Speaker | None,
    quoted: bool,
    stem: Stemmer,
) -> Speaker | None:
    raw = text.strip()
    at = _verb_position(words)
    if at is not None:
        after = text[text.find(words[at]) + len(words[at]) :].lstrip()
        subject = _subject(after)
        if not subject:
            return current  # «وأضاف:»
        found = _resolve(subject, speakers, current, stem, new_allowed=at <= 1)
        if found is not None:
            return found
    if quoted or raw.startswith(('"', "«")) or raw.startswith(BACK_REFERENCES):
        return current
    return None


def _resolve(
    subject: list[str],
    speakers: list[Speaker],
    current: Speaker | None,
    stem: Stemmer,
    new_allowed: bool,
) -> Speaker | None:
    """The known speaker these words name, a new one (only for a verb at the very start),
    or None."""
    stems = name_stems(subject, stem)
    if not stems:
        return None
    first = name_stems(subject[:1], stem)
    for known in speakers:
        shared = stems & known.stems
        if len(shared) >= 2:
            known.stems |= stems
            return known
        if shared and first <= known.stems:  # «ولفت رودينكو الانتباه»: the name comes first
            return known
    definite = normalize(subject[0]).startswith("ال")
    if current is not None and definite and len(stems) <= 4 and stems & current.stems:
        return current  # «الدبلوماسي الروسي …»: a description of whoever just spoke
    if not new_allowed:
        return None
    speaker = Speaker(set(stems), " ".join(subject))
    speakers.append(speaker)
    return speaker


# «ماذا قال X عن Y؟», «ما رأي X في Y؟», «ما موقف X من Y؟» …
_LEADS = frozenset(["ماذا", "بماذا", "ما"])
_AFTER_MA = frozenset(["الذي", "هو", "هي"])
_ABOUT = frozenset(["عن", "حول", "بشأن", "بخصوص", "في", "من", "تجاه"])


@dataclass(frozen=True, slots=True)
class SpeechFrame:
    """Where, in a question's words, «ماذا قال X عن Y؟» names X and Y: ``words[who]``,
    ``words[about]``."""

    who: slice
    about: slice


def speech_frame(words: Sequence[str]) -> SpeechFrame | None:
    """Recognise «ماذا قال X عن Y؟» and its kin in a question's words; None for others.

    >>> frame = speech_frame(["ماذا", "قال", "رودينكو", "عن", "أوزبكستان"])
    >>> frame.who, frame.about
    (slice(2, 3, None), slice(4, 5, None))
    >>> speech_frame(["ما", "هي", "حصة", "روسيا", "في", "التجارة"]) is None
    True
    """
    if not words or words[0] not in _LEADS:
        return None
    verb = 2 if words[0] == "ما" and len(words) > 1 and words[1] in _AFTER_MA else 1
    rest = verb + 1
    if len(words) <= rest:
        return None
    if normalize(words[verb]) not in REPORTING and normalize(words[verb]) not in SPEECH_NOUNS:
        return None
    split = next((i for i in range(rest, len(words)) if words[i] in _ABOUT), len(words))
    if split == rest:
        return None  # «ماذا قال عن …»: nobody named
    return SpeechFrame(slice(rest, split), slice(split + 1, len(words)))


@dataclass(frozen=True, slots=True)
class SpeechQuestion:
    """A question about what someone said: who (their words) and about what."""

    who: str
    about: str


def speech_question(question: str) -> SpeechQuestion | None:
    """:func:`speech_frame` of a question's text, X and Y as words.

    >>> speech_question("ماذا قال رودينكو عن أوزبكستان؟")
    SpeechQuestion(who='رودينكو', about='أوزبكستان')
    >>> speech_question("ما موقف روسيا من كازاخستان؟")
    SpeechQuestion(who='روسيا', about='كازاخستان')
    >>> speech_question("ما هي حصة روسيا في التجارة؟") is None
    True
    """
    words = [w for w, _, _ in word_spans(question)]
    frame = speech_frame(words)
    if frame is None:
        return None
    return SpeechQuestion(" ".join(words[frame.who]), " ".join(words[frame.about]))
