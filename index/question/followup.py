"""Read a short question that leans on the previous one («وعن كازاخستان؟») as a whole one."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from index.question.lexicon import FRAME_NOUNS
from index.question.speakers import REPORTING, speech_frame
from index.text.analysis import STOPWORD_FORMS, normalize
from index.text.words import Word, words_of

# Interrogatives (normalized), alone or behind a preposition («بماذا»، «لمن»).
INTERROGATIVES = frozenset(
    normalize(w) for w in "ماذا ما من متى كيف لماذا لم هل كم أين أي أية بماذا لمن بكم ممن".split()
)
# Prepositions a follow-up may open with: «وعن كازاخستان؟»، «وفي سمرقند؟».
PREPOSITIONS = frozenset(
    normalize(w) for w in "عن في حول بشأن بخصوص من إلى الى مع على تجاه".split()
)
# Pronouns standing alone with a preposition: «عنها» → «عن» + what «ها» points to.
_PREPOSITION_PRONOUNS = {
    normalize(p + s): (p, s)
    for p in ("عن", "من", "في", "ل", "ب", "على", "إلى", "مع")
    for s in ("ه", "ها", "هم", "هما")
}
_SUFFIXES = ("هما", "هم", "ها", "ه")  # longest first
MIN_STEM = 3


def _join(words: Sequence[Word]) -> str:
    return " ".join(w.text for w in words)


def _content(words: Sequence[Word]) -> list[Word]:
    return [
        w
        for w in words
        if w.normal not in STOPWORD_FORMS
        and w.normal not in INTERROGATIVES
        and w.normal not in REPORTING
    ]


def _without_conjunction(words: list[Word]) -> tuple[list[Word], bool]:
    """The words without an opening «و / ف / ثم», and whether there was one."""
    if not words:
        return words, False
    first = words[0]
    if first.normal in ("و", "ف", "ثم"):
        return words[1:], True
    if first.normal[:1] in "وف" and len(first.normal) > 1:
        rest = first.normal[1:]
        alone = len(words) == 1 and len(rest) >= MIN_STEM
        if rest in INTERROGATIVES or rest in PREPOSITIONS or alone:
            return [Word.of(first.text[1:]), *words[1:]], True
    return words, False


def _pronoun(word: Word) -> tuple[str, str] | None:
    """A word that carries a pronoun: (the word without it, the pronoun), or None.

    >>> _pronoun(Word.of("سكانها")), _pronoun(Word.of("عنه"))
    (('سكان', 'ها'), ('عن', 'ه'))
    >>> _pronoun(Word.of("عاصمة")) is None
    True
    """
    if word.normal in _PREPOSITION_PRONOUNS:
        return _PREPOSITION_PRONOUNS[word.normal]
    if word.normal in STOPWORD_FORMS:
        return None
    for suffix in _SUFFIXES:
        # the written word, so «ة» (a feminine noun, «عاصمة») is never read as «ه»
        if word.text.endswith(suffix) and len(word.text) - len(suffix) >= MIN_STEM:
            stem = word.text[: -len(suffix)]
            if suffix == "ه" and stem.endswith(("ا", "ي", "و")):
                return None  # «اتجاه»، «مياه»، «وجه»-like words end so on their own
            return stem.removesuffix("ت") + ("ة" if stem.endswith("ت") else ""), suffix
    return None


@dataclass(frozen=True, slots=True)
class Topic:
    """What a question was about: who speaks in it (if anyone) and its subject."""

    who: str
    about: str


_BEFORE_VERBS = frozenset(normalize(w) for w in "متى أين كيف لماذا ماذا هل لم بماذا".split())


def _verb_at(words: Sequence[Word]) -> int | None:
    """The word right after the question word, read as its verb when it has no article
    («متى ولد …»، «أين تقع …»)."""
    if len(words) > 1 and words[0].normal in _BEFORE_VERBS:
        after = words[1]
        if not after.normal.startswith("ال") and after.normal not in STOPWORD_FORMS:
            return 1
    return None


def _subject(words: Sequence[Word]) -> list[Word]:
    """The words that name what a question is about: its last run of content words, the
    verb and the framing nouns («عدد»، «سكان») left out.

    >>> [w.text for w in _subject(words_of("متى تأسست بورصة وارسو؟"))]
    ['بورصة', 'وارسو']
    >>> [w.text for w in _subject(words_of("كم عدد سكان طشقند؟"))]
    ['طشقند']
    """
    verb = _verb_at(words)
    keep = [
        i
        for i, w in enumerate(words)
        if i != verb and w in _content(words) and w.normal.removeprefix("ال") not in FRAME_NOUNS
    ]
    if not keep:
        return []
    start = keep[-1]
    while start - 1 in keep:
        start -= 1
    return list(words[start : keep[-1] + 1])


def topic_of(question: str) -> Topic:
    """The speaker and the subject of a question, for follow-ups to point back to.

    >>> topic_of("ماذا قال رودينكو عن أوزبكستان؟")
    Topic(who='رودينكو', about='أوزبكستان')
    >>> topic_of("كم عدد سكان طشقند؟"), topic_of("من هو رودينكو؟")
    (Topic(who='', about='طشقند'), Topic(who='رودينكو', about='رودينكو'))
    """
    words = words_of(question)
    frame = speech_frame([w.text for w in words])
    if frame is not None:
        return Topic(_join(words[frame.who]), _join(words[frame.about]))
    about = _join(_subject(words))
    person = len(words) > 2 and words[0].normal == "من" and words[1].normal in ("هو", "هي")
    return Topic(_join(words[2:]) if person else "", about)


def follow_up(question: str, previous: str) -> str | None:
    """``question`` read together with ``previous`` when it leans on it, or None when it
    stands on its own. It leans when, past an opening «و / ثم», it is

    - a subject alone, with no question word: «وعن كازاخستان؟»، «وسمرقند؟» (it takes the
      place of the previous question's subject);
    - a question word alone: «ولماذا؟»، «ومتى؟» (asked of the previous question);
    - «ماذا قال عن …؟» with nobody named (the previous speaker is carried over);
    - a pronoun with nothing in the question to point to: «كم عدد سكانها؟».

    >>> before = "ماذا قال رودينكو عن أوزبكستان؟"
    >>> follow_up("وعن كازاخستان؟", before)
    'ماذا قال رودينكو عن كازاخستان؟'
    >>> follow_up("وماذا قال عن كازاخستان؟", before)
    'ماذا قال رودينكو عن كازاخستان؟'
    >>> follow_up("ولماذا؟", before)
    'لماذا قال رودينكو عن أوزبكستان؟'
    >>> follow_up("كم عدد سكانها؟", "أين تقع طشقند؟")
    'كم عدد سكان طشقند؟'
    >>> follow_up("ما عاصمة كازاخستان؟", before) is None
    True
    """
    words, joined = _without_conjunction(words_of(question))
    before = words_of(previous)
    if not words or not before:
        return None
    asks = words[0].normal in INTERROGATIVES
    content = _content(words)
    topic = topic_of(previous)
    reported = any(w.normal in REPORTING for w in words)
    if asks and joined and len(words) > 2 and words[1].normal in PREPOSITIONS and not reported:
        return _replace_subject(words[1:], before, topic)  # «وماذا عن كازاخستان؟»
    if not asks and joined and content and len(words) <= 4:
        return _replace_subject(words, before, topic)
    if asks and not content and not reported:
        return _ask_again(words, before)
    frame = speech_frame([w.text for w in words])
    if joined and frame is not None and frame.about.start >= len(words) and topic.about:
        return _question([*words, Word.of("عن"), Word.of(topic.about)])  # «وماذا قال لافروف؟»
    resolved = _resolve_pronouns(words, topic)
    if topic.who and _unnamed_speech(resolved or words) is not None:
        base = resolved or words
        at = _unnamed_speech(base) or 0
        return _question([*base[:at], Word.of(topic.who), *base[at:]])
    if resolved:
        return _question(resolved)
    subject = topic.who or topic.about
    if len(words) == 2 and _verb_at(words) == 1 and subject:
        return _question([*words, Word.of(subject)])  # «أين عاش؟»: who did, the previous says
    return None


def _question(words: Sequence[Word]) -> str:
    return _join(words) + "؟"


def _replace_subject(words: list[Word], before: list[Word], topic: Topic) -> str | None:
    """«وعن كازاخستان؟» after «ماذا قال رودينكو عن أوزبكستان؟»: the new subject in the old
    one's place (after the same preposition, where the previous question has it)."""
    opener = words[0].normal if words[0].normal in PREPOSITIONS else ""
    subject = words[1:] if opener else words
    if not _content(subject):
        return None
    if opener:
        at = max((i for i, w in enumerate(before) if w.normal == opener), default=-1)
        if at >= 0:
            return _question([*before[: at + 1], *subject])
    frame = speech_frame([w.text for w in before])
    if frame is not None and frame.about.start < len(before):
        return _question([*before[: frame.about.start], *subject])
    last = max((i for i, w in enumerate(before) if w in _content(before)), default=-1)
    if last < 0 or not topic.about:
        return None
    return _question([*before[:last], *subject, *before[last + 1 :]])


def _ask_again(words: list[Word], before: list[Word]) -> str | None:
    """«ولماذا؟» after «ماذا قال رودينكو عن أوزبكستان؟»: the new question word in place of
    the old one."""
    start = 0
    while start < len(before) and (
        before[start].normal in INTERROGATIVES or before[start].normal in ("هو", "هي", "الذي")
    ):
        start += 1
    rest = before[start:]
    if not _content(rest):
        return None
    return _question([*words, *rest])


def _unnamed_speech(words: Sequence[Word]) -> int | None:
    """Where the speaker belongs in «ماذا قال عن …؟» that names nobody, or None."""
    for i, w in enumerate(words[:3]):
        if w.normal in REPORTING:
            after = words[i + 1] if i + 1 < len(words) else None
            if after is None or after.normal in PREPOSITIONS:
                return i + 1
            return None
    return None


def _resolve_pronouns(words: list[Word], topic: Topic) -> list[Word] | None:
    """«كم عدد سكانها؟»: each pronoun with nothing to point to in the question replaced by
    the previous question's subject (a masculine one, outside «ماذا قال عنه؟», by its
    speaker where it had one); None when there is none, or something it points to."""
    pronouns = {i: found for i, w in enumerate(words) if (found := _pronoun(w))}
    if not pronouns or not (topic.about or topic.who):
        return None
    carriers = [words[i] for i in pronouns]
    verb = _verb_at(words)
    others = [
        w for w in _content(words) if w not in carriers and (verb is None or w != words[verb])
    ]
    if any(w.normal.removeprefix("ال") not in FRAME_NOUNS for w in others):
        return None  # «ما عاصمة مصر وكم عدد سكانها؟»: «مصر» is what it points to
    speech = _unnamed_speech(words) is not None
    out: list[Word] = []
    for i, w in enumerate(words):
        if i not in pronouns:
            out.append(w)
            continue
        stem, suffix = pronouns[i]
        masculine = suffix == "ه" and topic.who and not speech
        referent = topic.who if masculine else topic.about or topic.who
        if stem in ("ل", "ب"):
            out.append(Word.of(stem + referent))
        else:
            out += [Word.of(stem), Word.of(referent)]
    return out
