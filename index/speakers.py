"""Who is speaking in each sentence of a news text: reporting verbs, quotes, and aliases."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from index.analysis import is_stopword, light_stem, normalize, prepare, word_spans
from index.sentences import Sentence

# Reporting verbs (normalized; masculine and feminine past, present).
REPORTING = frozenset(
    normalize(w)
    for w in """
    قال قالت يقول تقول أكد أكدت يؤكد أشار أشارت يشير أضاف أضافت يضيف أعرب أعربت لفت لفتت
    صرح صرحت يصرح ذكر ذكرت أوضح أوضحت شدد شددت تابع تابعت أشاد أشادت اعتبر اعتبرت رأى
    أعلن أعلنت نفى نفت دعا دعت حذر حذرت أفاد أفادت أبلغ أبلغت كشف كشفت أوضح أكّد
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


def _stems(words: list[str]) -> set[str]:
    out = set()
    for word in words:
        folded = normalize(word)
        if folded and not is_stopword(folded):
            out.add(light_stem(prepare(word)))
    return out


def speaker_stems(words: str) -> frozenset[str]:
    """The stems :func:`track_speakers` would record for these words (a name, a title).

    >>> sorted(speaker_stems("أندريه رودينكو"))
    ['اندر', 'رودينكو']
    """
    return frozenset(_stems([w for w, _, _ in word_spans(words)]))


def _subject(words: list[str], verb_at: int) -> list[str]:
    """The words naming who speaks: after the verb, up to «أن»/«إلى»/… or, past the first
    word, a word carrying a preposition («بتوجهات»)."""
    subject: list[str] = []
    for word in words[verb_at + 1 : verb_at + 1 + MAX_SUBJECT_WORDS]:
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
    return len(word) > 3 and word[0] in "بل" and (word[1] in "تل" or word[1:3] == "ال")


def _verb_position(words: list[str]) -> int | None:
    """Index of a reporting verb among the first five words."""
    for i, word in enumerate(words[:5]):
        folded = normalize(word)
        if folded in REPORTING or (folded[:1] in "وف" and folded[1:] in REPORTING):
            return i
    return None


def track_speakers(sentences: Sequence[Sentence]) -> list[Voice | None]:
    r"""For each sentence of one document, who speaks in it (None: narration).

    A reporting verb near the start names a speaker: a new one, or one named before (by
    name, by a title sharing two words with how they were introduced, or by a definite
    description sharing a word with whoever spoke last, such as «الدبلوماسي الروسي»).
    «وأضاف:» with no subject, a sentence inside an open quotation, one that opens a
    quotation or refers back («ووفقا له») keeps the last speaker. Quotations close with
    their paragraph; headings have none.

    >>> from index.sentences import split_sentences
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
        speaker = _speaker_of(text, words, speakers, current, inside_quote)
        if speaker is not None:
            current = speaker
        out.append(Voice(frozenset(speaker.stems), speaker.name) if speaker else None)
        quotes = text.count('"') + text.count("«") + text.count("»")
        inside_quote = (inside_quote + quotes) % 2 == 1
    return out


def _speaker_of(
    text: str, words: list[str], speakers: list[Speaker], current: Speaker | None, quoted: bool
) -> Speaker | None:
    raw = text.strip()
    at = _verb_position(words)
    if at is not None:
        after = text[text.find(words[at]) + len(words[at]) :].lstrip()
        subject = [] if after.startswith((":", '"', "«")) else _subject(words, at)
        if not subject:
            return current  # «وأضاف:»
        found = _resolve(subject, speakers, current, new_allowed=at <= 1)
        if found is not None:
            return found
    if quoted or raw.startswith(('"', "«")) or raw.startswith(BACK_REFERENCES):
        return current
    return None


def _resolve(
    subject: list[str], speakers: list[Speaker], current: Speaker | None, new_allowed: bool
) -> Speaker | None:
    """The known speaker these words name, a new one (only for a verb at the very start),
    or None."""
    stems = _stems(subject)
    if not stems:
        return None
    first = _stems(subject[:1])
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
_FRAME = re.compile(
    r"^\s*(?:ماذا|بماذا|ما(?:\s+(?:الذي|هو|هي))?)\s+"
    r"(?P<verb>\S+)\s+(?P<rest>.+?)[\s؟?!.]*$"
)
_ABOUT = re.compile(r"\s(?:عن|حول|بشأن|بخصوص|في|من|تجاه)\s")
FRAME_NOUNS = frozenset(normalize(w) for w in "رأي موقف تصريح تصريحات كلام حديث".split())


@dataclass(frozen=True)
class SpeechQuestion:
    """A question about what someone said: who (their words) and about what."""

    who: str
    about: str


def speech_question(question: str) -> SpeechQuestion | None:
    """Recognise «ماذا قال X عن Y؟» and its kin; None for other questions.

    >>> speech_question("ماذا قال رودينكو عن أوزبكستان؟")
    SpeechQuestion(who='رودينكو', about='أوزبكستان')
    >>> speech_question("ما موقف روسيا من كازاخستان؟")
    SpeechQuestion(who='روسيا', about='كازاخستان')
    >>> speech_question("ما هي حصة روسيا في التجارة؟") is None
    True
    """
    match = _FRAME.match(question.replace("\u200f", ""))
    if not match:
        return None
    verb = normalize(match.group("verb"))
    if verb not in REPORTING and verb not in FRAME_NOUNS:
        return None
    rest = match.group("rest").strip()
    parts = _ABOUT.split(" " + rest + " ", maxsplit=1)
    who = parts[0].strip()
    about = parts[1].strip() if len(parts) > 1 else ""
    return SpeechQuestion(who, about) if who else None
