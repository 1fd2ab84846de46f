"""A question parsed once: its words and spans, stems, grams, answer type and speech frame."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from index.question.phrases import asked_stems
from index.question.questions import AnswerType, answer_type, word_pieces
from index.question.speakers import NAMES, name_stems, speech_frame
from index.text.analysis import (
    STOPWORD_FORMS,
    Analyzer,
    has_arabic,
    normalize,
    word_spans,
)
from index.text.grams import word_grams
from index.text.spelling import correct, dot_variants
from index.text.words import Word

MAX_QUESTION_CHARS = 1000

# Why a question cannot be searched, or why its answer is empty, and what to tell the
# asker (Modern Standard Arabic).
REASONS: dict[str, str] = {
    "blank": "السؤال فارغ. اكتب سؤالك بالعربية، مثل: ماذا قال رودينكو عن أوزبكستان؟",
    "too_long": f"السؤال طويل جدًا. اختصره من فضلك إلى أقل من {MAX_QUESTION_CHARS} حرف.",
    "not_arabic": "أفهم الأسئلة المكتوبة بالعربية فقط. اكتب سؤالك بالعربية من فضلك.",
    "no_words": "لم أجد في السؤال كلمات يمكن البحث عنها. جرّب كلمات أوضح، مثل أسماء أو أماكن.",
    "no_match": "لا تتضمن الوثائق المتاحة إجابة عن هذا السؤال. جرّب صياغة أخرى أو كلمات مختلفة.",
    "no_documents": "لا توجد وثائق في الفهرس بعد.",
}
# Reasons that lie in the question itself (the documents were not even asked).
UNUSABLE = frozenset(["blank", "too_long", "not_arabic", "no_words"])

# How the index knows a stem: its idf, or None when no sentence has it.
Vocabulary = Callable[[str], float | None]


def unusable(question: str) -> str | None:
    """Why ``question`` cannot be searched at all (before any analysis), or None.

    >>> unusable("  "), unusable("What?"), unusable("ماذا قال رودينكو؟")
    ('blank', 'not_arabic', None)
    >>> unusable("؟؟؟ 🙂🙂")  # no word in any language: not a matter of Arabic
    'no_words'
    """
    stripped = question.strip()
    if not stripped:
        return "blank"
    if len(stripped) > MAX_QUESTION_CHARS:
        return "too_long"
    if not any(ch.isalnum() for ch in stripped):
        return "no_words"
    if not has_arabic(stripped):
        return "not_arabic"
    return None


@dataclass(frozen=True, slots=True)
class Speech:
    """The frame of «ماذا قال X عن Y؟»: the stems of X and of Y, and the stems that name
    X as speaker tracking records a speaker (see index.question.speakers)."""

    who: tuple[str, ...]
    about: tuple[str, ...]
    speaker: frozenset[str]


@dataclass(frozen=True, slots=True)
class Query:
    """Everything the ranking stages read of a question, derived once from its words."""

    text: str
    words: tuple[Word, ...]
    stems: tuple[str, ...]  # what the engine searches (for a speech question: X and Y)
    grams: tuple[str, ...]  # character grams of the content words (index.text.grams)
    answer_type: AnswerType | None
    speech: Speech | None

    @property
    def asked(self) -> frozenset[str]:
        """The question's words as :func:`index.question.phrases.answer_phrase` compares them."""
        return asked_stems(w.normal for w in self.words)

    @property
    def matched(self) -> frozenset[str]:
        """The stems whose words are marked in an answer."""
        return frozenset(self.stems)


def parse_query(
    question: str,
    analyzer: Analyzer,
    known: Vocabulary,
    misread: Callable[[str], bool] | None = None,
) -> Query | str:
    """The parsed question, or the reason it cannot be searched (see REASONS).

    Words come from one tokenizer (:func:`index.text.analysis.word_spans`); stems, grams, the
    answer type and the speech frame are all read from those words. A stem the index has
    never seen is corrected to a known one an edit away (index.text.spelling). Where some
    text was read by OCR, ``misread`` tells the words found in it: a stem is searched
    with those of them that differ from it by the dots of one letter («اوزيكست» for
    «اوزبكست», as OCR reads it).

    >>> from index.text.analysis import LightSegmenter
    >>> q = parse_query("ماذا قال رودنكو عن أوزبكستان؟", Analyzer(LightSegmenter()),
    ...                 {"رودينكو": 2.0, "اوزبكست": 1.0}.get)
    >>> q.stems, q.speech.who, q.answer_type
    (('رودينكو', 'اوزبكست'), ('رودينكو',), None)
    >>> parse_query("ماذا؟", Analyzer(LightSegmenter()), {}.get)
    'no_words'
    """
    reason = unusable(question)
    if reason:
        return reason
    spans = word_spans(question)
    normals = [normalize(text) for text, _, _ in spans]
    words = tuple(
        Word.of(text, start, end, stems + _misread(stems, misread))
        for (text, start, end), normal, pieces in zip(
            spans, normals, word_pieces(normals), strict=True
        )
        for terms in [
            analyzer.word_terms(text)
            if pieces == (normal,)
            else tuple(t for piece in pieces for t in analyzer.word_terms(piece))
        ]
        for stems in [tuple(correct(t, known) for t in terms)]
    )
    stems = tuple(t for w in words for t in w.stems)
    speech = _speech(words)
    if speech is not None and (speech.who or speech.about):
        stems = speech.who + speech.about
    if not stems:
        return "no_words"
    grams = tuple(
        g for w in words if w.stems and w.normal not in STOPWORD_FORMS for g in word_grams(w.normal)
    )
    return Query(
        question, words, stems, grams, answer_type([w.normal for w in words if w.normal]), speech
    )


def _misread(stems: tuple[str, ...], misread: Callable[[str], bool] | None) -> tuple[str, ...]:
    """The words OCR read for ``stems`` (see :func:`parse_query`)."""
    if misread is None:
        return ()
    return tuple(v for t in stems for v in dot_variants(t, misread) if v not in stems)


def _speech(words: tuple[Word, ...]) -> Speech | None:
    frame = speech_frame([w.text for w in words])
    if frame is None:
        return None
    who = tuple(t for w in words[frame.who] for t in w.stems)
    about = tuple(t for w in words[frame.about] for t in w.stems)
    named = name_stems([w.text for w in words[frame.who]], NAMES)
    return Speech(who, about, named | frozenset(who))
