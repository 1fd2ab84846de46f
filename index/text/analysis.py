"""Turn Arabic text into index terms: normalize, tokenize, segment clitics, drop stopwords."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Protocol

from camel_tools.utils.normalize import (
    normalize_alef_ar,
    normalize_alef_maksura_ar,
    normalize_teh_marbuta_ar,
    normalize_unicode,
)

from index.text.unicode import AR_DIAC, AR_LETTERS, dediac_ar, simple_word_tokenize

TATWEEL = "\u0640"
_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")
# Arabic letters (camel-tools' charset) and those that Unicode normalization leaves as
# they are: a word of such letters and ASCII needs no normalization.
ARABIC_LETTERS: frozenset[str] = AR_LETTERS
_PLAIN_LETTERS = "".join(sorted(c for c in ARABIC_LETTERS if normalize_unicode(c) == c))
_PLAIN = re.compile(f"[{_PLAIN_LETTERS}A-Za-z0-9]+")
# Invisible formatting: bidi marks and embeddings, zero-width (non-)joiners and spaces, BOM.
_INVISIBLE = dict.fromkeys(
    [
        0x200B,
        0x200C,
        0x200D,
        0x200E,
        0x200F,
        0x061C,
        0xFEFF,
        *range(0x202A, 0x202F),
        *range(0x2066, 0x206A),
    ]
)


def prepare(word: str) -> str:
    """Unicode-normalize, drop diacritics and tatweel, make digits ASCII; keep hamza and ة.

    Invisible marks (right-to-left marks, zero-width joiners) go too.

    >>> prepare("الْعَرَبِيَّةُ"), prepare("جـــميل"), prepare("٢٠١٩"), prepare("ﻻ")
    ('العربية', 'جميل', '2019', 'لا')
    >>> prepare("\u200fما\u200d")
    'ما'
    """
    if not _PLAIN.fullmatch(word):  # plain Arabic letters and ASCII need no Unicode work
        word = normalize_unicode(word.translate(_INVISIBLE))
    return dediac_ar(word).replace(TATWEEL, "").translate(_DIGITS).casefold()


def fold_letters(word: str) -> str:
    """Fold the letters people write interchangeably: أ/إ/آ/ٱ→ا, ى→ي, ة→ه.

    >>> fold_letters("أإآ"), fold_letters("على"), fold_letters("مدرسة")
    ('ااا', 'علي', 'مدرسه')
    """
    return normalize_teh_marbuta_ar(normalize_alef_maksura_ar(normalize_alef_ar(word)))


def normalize(text: str) -> str:
    """The full normalization of a word or a text (what matching compares).

    >>> normalize("إِلى الْمَدْرَسَةِ ٢٠١٩")
    'الي المدرسه 2019'
    """
    return fold_letters(prepare(text))


_PRESENTATION = re.compile("[\ufb50-\ufdff\ufe70-\ufeff\u0653-\u0655\u06c0-\u06d3]")


def text_words(text: str) -> list[str]:
    """The words of a whole text, each as :func:`normalize` makes it, split at spaces and
    punctuation. Fast: one translation pass and a split; camel-tools' Unicode mapping (slow,
    one character at a time in Python) runs only where Arabic presentation forms or
    decomposed letters need it.

    >>> text_words("قال: «نعم»، وَقَّعَ ٢٠ اتفاقية (2020) ﻻ غير.")
    ['قال', 'نعم', 'وقع', '20', 'اتفاقيه', '2020', 'لا', 'غير']
    >>> text_words("روسيا🙂 3×4")
    ['روسيا', '3', '4']
    >>> all(normalize(w) == w for w in text_words("وأكد نائب وزير الخارجية الروسي"))
    True
    """
    if _PRESENTATION.search(text):
        text = normalize_unicode(text.translate(_INVISIBLE))
    words = text.translate(_FOLD_WORDS).casefold().split()
    if all(w.isalnum() for w in words):
        return words
    # symbols and emoji are no words, as for camel-tools' tokenizer (see word_spans)
    return [piece for w in words for piece in _ALNUM.findall(w)]


_ALNUM = re.compile(r"[^\W_]+")


# text_words' one translation table, derived from what prepare() and fold_letters() do to
# each character (invisible marks, camel-tools' diacritics and tatweel out, digits to
# ASCII, letters folded by camel-tools' normalizers), with punctuation turned to spaces.
_FOLD_WORDS = {
    **_INVISIBLE,
    **dict.fromkeys(map(ord, [*AR_DIAC, TATWEEL])),
    **_DIGITS,
    **{ord(c): fold_letters(c) for c in map(chr, range(0x0600, 0x0700)) if fold_letters(c) != c},
    **{ord(c): " " for c in """!"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~،؛؟٪٫٬«»“”‘’—–…•·\u00a0"""},
}


# Stopwords in normalized form; question words included, since they carry the
# question's intent, never its content.
STOPWORDS: frozenset[str] = frozenset(
    normalize(w)
    for w in """
    ماذا ما من متى كيف لماذا لم هل كم أين أي أية ايش إيش شو وين ليش مين إيه امتى
    في على عن إلى الى مع منذ حتى عند عندما لدى لدي بين بعد قبل خلال حول ضد دون
    فوق تحت أمام وراء نحو سوى غير مثل كما حيث إذ إذا إذن
    أن إن أنه إنه أنها إنها أنهم لأن لكن لكنه ولكن بل أو أم ثم لا لن قد لقد
    سوف ليس ليست كان كانت يكون تكون كانوا يكونوا أصبح صار تم يتم
    هذا هذه هذان هاتان هؤلاء ذلك تلك أولئك هنا هناك هنالك
    الذي التي الذين اللذين اللتين اللاتي اللواتي اللذان اللتان
    هو هي هم هن هما نحن أنا أنت أنتم أنتن أنتما
    له لها لهم لهن لنا لي لك لكم به بها بهم فيه فيها فيهم منه منها منهم
    عليه عليها عليهم إليه إليها عنه عنها معه معها
    كل بعض جميع أيضا فقط جدا ذات ذو ذي إلا أما إما وهو وهي وقد ولا وفي ومن
    يا و ف ب ك ل ال
    """.split()
)


# Stopwords alone or behind the conjunction و or ف (one set lookup for is_stopword).
STOPWORD_FORMS: frozenset[str] = STOPWORDS | frozenset(
    c + w for w in STOPWORDS for c in "وف" if len(w) > 1
)


def is_stopword(word: str) -> bool:
    """A normalized word that carries no content, even behind a conjunction.

    >>> is_stopword("ماذا"), is_stopword("وماذا"), is_stopword("فان"), is_stopword("روسيا")
    (True, True, True, False)
    """
    return word in STOPWORD_FORMS


class Segmenter(Protocol):
    """Splits one prepared word into its content stems, clitics removed."""

    name: str

    def segment(self, word: str) -> tuple[str, ...]:
        """Stems of ``word`` (already through :func:`prepare`), letter-folded."""
        ...


ARTICLES = ("وال", "فال", "بال", "كال", "ولل", "فلل", "لل", "ال")  # longest first
SINGLE_PROCLITICS = "وفبكل"
_ARTICLE = re.compile("|".join(ARTICLES))


def split_proclitic(word: str, single_rest: int = 3, proclitics: str = SINGLE_PROCLITICS) -> int:
    """How many letters of a normalized word are a proclitic: the article with what comes
    before it (وال، بال، لل …) when three letters or more remain, else one of
    ``proclitics`` when ``single_rest`` letters or more remain; 0 when none.

    >>> split_proclitic("والقرن"), split_proclitic("بعام"), split_proclitic("بعام", 4)
    (3, 1, 0)
    >>> split_proclitic("عام"), split_proclitic("للتوقيع")
    (0, 2)
    """
    found = _ARTICLE.match(word)
    if found and len(word) - found.end() >= 3:
        return found.end()
    if word[:1] in proclitics and len(word) - 1 >= single_rest:
        return 1
    return 0


_IMPERFECTIVE = "يتنا"
_SUFFIXES = (
    "هما",
    "كما",
    "ية",
    "ات",
    "ون",
    "ين",
    "ان",
    "هم",
    "هن",
    "كم",
    "كن",
    "نا",
    "ها",
    "ه",
    "ة",
    "ك",
    "ي",
    "ا",
)
_MIN_STEM = 3
_SUFFIXES_BY_LENGTH = {n: frozenset(x for x in _SUFFIXES if len(x) == n) for n in (1, 2, 3)}


def light_stem(word: str) -> str:
    """Light10-style stemming of a prepared word: clitics and common suffixes off.

    Every rule strips only when a stem of three letters or more remains. Single-letter
    proclitics (و ف ب ك ل) come off whenever four letters remain; the article and
    the conjunctions are tried again after each strip, so a word stems the same with
    or without its clitics (الوزير and وزير, للاعبين and لاعبين).

    >>> [light_stem(w) for w in ["وأوزبكستان", "لأوزبكستان", "بالاتحاد", "سيفتحها", "نحترمه"]]
    ['اوزبكست', 'اوزبكست', 'اتحاد', 'يفتح', 'نحترم']
    >>> light_stem("العلاقات") == light_stem("علاقاتنا") == light_stem("وعلاقات")
    True
    >>> light_stem("قال"), light_stem("الوزير"), light_stem("وزير")
    ('قال', 'وزير', 'وزير')
    """
    w = word
    for _ in range(4):
        clitic = split_proclitic(w, single_rest=_MIN_STEM + 1)
        if clitic:
            w = w[clitic:]
        elif w[:1] == "س" and w[1:2] in _IMPERFECTIVE and len(w) - 1 >= _MIN_STEM:
            w = w[1:]  # future particle on a verb: سيفتح → يفتح
        else:
            break
    for _ in range(3):
        size = _suffix_length(w)
        if not size or len(w) - size < _MIN_STEM:
            break
        w = w[:-size]
    return fold_letters(w)


def _suffix_length(word: str) -> int:
    """Length of the longest suffix of ``word`` in _SUFFIXES (0 if none)."""
    for size in (3, 2, 1):
        if word[-size:] in _SUFFIXES_BY_LENGTH[size]:
            return size
    return 0


class LightSegmenter:
    """Rule-based clitic segmentation that needs no data files (see :func:`light_stem`)."""

    name = "light"

    def segment(self, word: str) -> tuple[str, ...]:
        return (light_stem(word),)


@dataclass(frozen=True, slots=True)
class Token:
    """One index term and the character span of the word it came from."""

    term: str
    start: int
    end: int


_CHUNK = re.compile(r"\S+")


def word_spans(text: str) -> list[tuple[str, int, int]]:
    """Words of ``text`` (camel-tools' tokenization) with their character offsets.

    A whitespace-separated chunk of letters and digits only is one word as it is (camel-tools'
    ``simple_word_tokenize`` splits only at spaces, punctuation, symbols and emoji); other
    chunks go through ``simple_word_tokenize``. Same words, a fraction of the time.

    >>> word_spans("قال: «نعم»، 20%")
    [('قال', 0, 3), ('نعم', 6, 9), ('20', 12, 14)]
    """
    spans: list[tuple[str, int, int]] = []
    for chunk in _CHUNK.finditer(text):
        word = chunk.group()
        start = chunk.start()
        if word.isalnum():
            spans.append((word, start, start + len(word)))
            continue
        cursor = 0
        for piece in simple_word_tokenize(word):
            at = word.find(piece, cursor)
            if at < 0:
                continue
            cursor = at + len(piece)
            if any(ch.isalnum() for ch in piece):
                spans.append((piece, start + at, start + cursor))
    return spans


class Analyzer:
    """Text → index terms with spans; each word type is analysed once, then cached."""

    def __init__(self, segmenter: Segmenter, cache_size: int = 500_000) -> None:
        self.segmenter = segmenter
        self._cache: dict[str, tuple[str, ...]] = {}
        self._cache_size = cache_size

    @property
    def signature(self) -> str:
        """Names the analysis, so an index built with another one is re-analysed."""
        return f"{self.segmenter.name}/2"

    def word_terms(self, word: str) -> tuple[str, ...]:
        """Index terms of one surface word (empty for stopwords and noise)."""
        cached = self._cache.get(word)
        if cached is not None:
            return cached
        terms = self._analyse_word(word)
        if len(self._cache) >= self._cache_size:
            self._cache.clear()
        self._cache[word] = terms
        return terms

    def _analyse_word(self, word: str) -> tuple[str, ...]:
        prepared = prepare(word)
        if not prepared or is_stopword(fold_letters(prepared)):
            return ()
        if prepared.isdigit() or not has_arabic(prepared):
            return (prepared,) if len(prepared) > 1 or prepared.isdigit() else ()
        stems = self.segmenter.segment(prepared)
        return tuple(s for s in stems if len(s) > 1 and not is_stopword(s))

    def tokens(self, text: str) -> list[Token]:
        """Every index term of ``text`` with the span of its word in ``text``.

        >>> a = Analyzer(LightSegmenter())
        >>> [(t.term, t.start, t.end) for t in a.tokens("ماذا قال رودينكو؟")]
        [('قال', 5, 8), ('رودينكو', 9, 16)]
        """
        return [
            Token(term, start, end)
            for word, start, end in word_spans(text)
            for term in self.word_terms(word)
        ]

    def terms(self, text: str) -> list[str]:
        """Just the index terms of ``text``, in order (what indexing needs: no spans).

        >>> Analyzer(LightSegmenter()).terms("ماذا قال رودينكو عن أوزبكستان؟")
        ['قال', 'رودينكو', 'اوزبكست']
        """
        out: list[str] = []
        for chunk in text.split():
            if chunk.isalnum():
                out.extend(self.word_terms(chunk))
            else:
                for word, _, _ in word_spans(chunk):
                    out.extend(self.word_terms(word))
        return out


def is_arabic_letter(ch: str) -> bool:
    """An Arabic letter: camel-tools' Arabic letters, or a letter Unicode names Arabic
    (Persian and Urdu letters, presentation forms).

    >>> is_arabic_letter("ع"), is_arabic_letter("ﻻ"), is_arabic_letter("٣"), is_arabic_letter("a")
    (True, True, False, False)
    """
    return ch in ARABIC_LETTERS or (ch.isalpha() and unicodedata.name(ch, "").startswith("ARABIC"))


def has_arabic(word: str) -> bool:
    """True when the text holds at least one Arabic letter.

    >>> has_arabic("abc"), has_arabic("abc سلام"), has_arabic("؟،٣")
    (False, True, False)
    """
    return any(is_arabic_letter(ch) for ch in word)
