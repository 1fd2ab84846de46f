"""Find, inside an answering sentence, the phrase that answers a factoid question."""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Iterable, Sequence

from index.question.lexicon import MONTHS, NUMBER_WORDS, PLACE_NOUNS, normal_set
from index.question.questions import AnswerType
from index.text.analysis import STOPWORD_FORMS, light_stem
from index.text.words import Word, words_of

# The factoid kinds a phrase is looked for (a reason or a manner is a whole sentence).
FACTOIDS: frozenset[AnswerType] = frozenset(["number", "date", "person", "place", "name"])


_MONTHS = MONTHS | normal_set("ذو ذي")  # ذو القعدة، ذي الحجة
_MONTH_PARTS = normal_set("الأول الثاني الآخر الأولى الآخرة")  # كانون الثاني، جمادى الأولى
_ERAS = normal_set("هـ ه م ق.م ميلادي ميلادية هجري هجرية الميلادي الهجري للميلاد للهجرة")
_YEAR_NOUNS = normal_set("عام العام سنة السنة عامي")
_SCALES = normal_set("ألف آلاف مليون ملايين مليار مليارات بليون ترليون")
_TITLES = normal_set(
    """
    الرئيس الملك الملكة الأمير الأميرة الشيخ السيد السيدة الدكتور د المهندس الوزير الجنرال
    القائد البابا الإمام الخليفة السلطان الفيلسوف العالم الكاتب الشاعر المؤرخ اللاعب المدرب
    الفنان المخرج الممثل المغني القس الأب المطران العقيد اللواء الفريق المشير الرائد النقيب
    """
)
_NAMING = normal_set(
    """
    اسم باسم اسمه اسمها يسمى تسمى سمي سميت يسمي تسمي المسمى المسماة يعرف تعرف عرف عرفت
    المعروف المعروفة لقب يلقب تلقب الملقب الملقبة بلقب ويسمى وتسمى ويعرف وتعرف
    """
)
_PLACE_PREPOSITIONS = normal_set("في إلى الى ب من قرب بالقرب داخل شمال جنوب شرق غرب وسط")
_CONNECTORS = normal_set("بن ابن بنت أبو ابو أبي عبد آل ال دي دا فان فون")
_DIGITS = re.compile(r"[0-9٠-٩]+(?:[.,٫٬][0-9٠-٩]+)*")


# A found phrase: its rank among the finder's kinds (0 first), first and last word.
Candidate = tuple[int, int, int]


def _is_number(w: Word) -> bool:
    return bool(_DIGITS.fullmatch(w.normal)) or w.normal in NUMBER_WORDS or w.bare in NUMBER_WORDS


def _is_year(w: Word) -> bool:
    return w.normal.isdigit() and 3 <= len(w.normal) <= 4 and 100 <= int(w.normal) <= 2200


def _is_stopword(w: Word) -> bool:
    return w.normal in STOPWORD_FORMS or w.bare in STOPWORD_FORMS


def _gap(text: str, a: Word, b: Word) -> str:
    """What stands between two words: spaces and punctuation."""
    return text[a.end : b.start]


def _runs(text: str, words: Sequence[Word], member, joins: str = " ") -> list[tuple[int, int]]:
    """Maximal runs (first, last word index) of words for which ``member(i)`` holds, the
    words separated by nothing but ``joins`` characters."""
    runs: list[tuple[int, int]] = []
    i = 0
    while i < len(words):
        if not member(i):
            i += 1
            continue
        j = i
        while (
            j + 1 < len(words)
            and member(j + 1)
            and set(_gap(text, words[j], words[j + 1])) <= set(joins)
        ):
            j += 1
        runs.append((i, j))
        i = j + 1
    return runs


def asked_stems(normals: Iterable[str]) -> frozenset[str]:
    """A question's normalized words and their light stems: what a phrase must not repeat.

    >>> sorted(asked_stems(["كم", "نقطه"]))
    ['كم', 'نقط', 'نقطه']
    """
    words = list(normals)
    return frozenset(words) | {light_stem(w) for w in words}


def answer_phrase(
    sentence: str, kind: AnswerType | None, asked: Collection[str]
) -> tuple[int, int] | None:
    """The span of the phrase of ``sentence`` that answers a question of that kind, or
    None. ``asked``: the question's words (:func:`asked_stems`); a number, date, person
    or place the question names is never its answer, nor a name made of the question's
    words alone. Of several candidates, the one nearest the question's words wins.

    >>> from index.text.analysis import text_words
    >>> def phrase(sentence, kind, question):
    ...     span = answer_phrase(sentence, kind, asked_stems(text_words(question)))
    ...     return sentence[span[0]:span[1]] if span else None
    >>> phrase("تخلى دفاع البانثرز عن 308 نقطة هذا الموسم.", "number", "كم نقطة تخلى عنها")
    '308'
    >>> phrase("وقع الوفد 20 اتفاقية في طشقند.", "number", "كم وثيقة وقع الوفد")
    '20 اتفاقية'
    >>> phrase("فاز بالبطولة في 2000، وفاز بها قبل ذلك في 1946.", "date", "متى فاز قبل عام 2000")
    '1946'
    >>> phrase("ولد في 13 أكتوبر 1958 في المدينة المنورة.", "date", "متى ولد خاشقجي")
    '13 أكتوبر 1958'
    >>> phrase("تأسست المكتبة عام 1921 في بيروت.", "place", "أين تأسست المكتبة")
    'بيروت'
    >>> phrase("قاد المنتخب المدرب هيرفي رونار إلى الفوز.", "person", "من قاد المنتخب إلى الفوز")
    'هيرفي رونار'
    >>> phrase("أطلق عليها اسم «مدينة السلام» منذ تأسيسها.", "name", "ما اسم المدينة")
    'مدينة السلام'
    >>> phrase("بلغ عدد السكان 5 ملايين.", "number", "كم بلغ عدد السكان 5 ملايين") is None
    True
    """
    if kind not in FACTOIDS:
        return None
    words = words_of(sentence)
    if not words:
        return None
    old = [w.stem in asked or w.normal in asked for w in words]
    finder = {
        "number": _numbers,
        "date": _dates,
        "person": _people,
        "place": _places,
        "name": _names,
    }[kind]
    strict = kind in ("number", "date", "person", "place")  # the asked one is no answer
    candidates = [
        (rank, a, b)
        for rank, a, b in finder(sentence, words, old)
        if not (any if strict else all)(old[a : b + 1])
    ]
    if not candidates:
        return None
    anchors = [i for i, is_old in enumerate(old) if is_old and not _is_stopword(words[i])]

    def support(a: int, b: int) -> float:
        """How close the question's words stand: near ones count most."""
        return sum(1 / (1 + min(abs(i - a), abs(i - b))) for i in anchors)

    _, a, b = min(candidates, key=lambda c: (c[0], -support(c[1], c[2]), c[1]))
    end = words[b].end
    if sentence[end : end + 1] in ("%", "٪"):
        end += 1
    return words[a].start, end


_NUMBER_JOINS = frozenset(".,٫٬،")  # inside a number: 711.988، 22،000، 2,8


def _numbers(text: str, words: Sequence[Word], old: Sequence[bool]) -> list[Candidate]:
    """A number (digits or words, with its scale) and the noun it counts; first the ones
    that count what the question counts («كم نقطة» — «308 نقطة»), never a year."""
    out: list[Candidate] = []
    i = 0
    while i < len(words):
        if not (_is_number(words[i]) or words[i].normal in _SCALES) or _is_dated(words, i):
            i += 1
            continue
        a = b = i
        while b + 1 < len(words) and (_is_number(words[b + 1]) or words[b + 1].normal in _SCALES):
            gap = _gap(text, words[b], words[b + 1])
            if gap.strip() and not (len(gap) == 1 and gap in _NUMBER_JOINS):
                break
            b += 1
        i = b + 1
        if all(words[j].normal in _SCALES for j in range(a, b + 1)):
            continue
        unit = b + 1
        if (
            unit < len(words)
            and words[unit].normal in ("من", "مرة", "مرات")
            and unit + 1 < len(words)
        ):
            unit += words[unit].normal == "من"  # «374 من الشركات»
        counted = unit < len(words) and old[unit]
        if (
            not counted
            and unit == b + 1
            and unit < len(words)
            and not _is_stopword(words[unit])
            and not _is_number(words[unit])
            and not words[unit].normal.startswith("و")
            and _gap(text, words[b], words[unit]).strip() == ""
        ):
            b = unit  # the noun it counts, when the question does not name it
        out.append((0 if counted else 1, a, b))
    return out


def _is_dated(words: Sequence[Word], i: int) -> bool:
    """A year that stands as a date («عام 1857»، «في 2014»، «1347 م»), not a count."""
    if not _is_year(words[i]):
        return False
    before = words[i - 1] if i > 0 else None
    after = words[i + 1] if i + 1 < len(words) else None
    return bool(
        (before and (before.normal in _YEAR_NOUNS or before.bare in _YEAR_NOUNS))
        or (before and before.normal in ("في", "منذ", "حتي", "عام", "سنه"))
        or (before and (before.bare in _MONTHS or before.normal in _MONTHS))
        or (after and after.normal in _ERAS)
    )


_DECADE = re.compile(r"^(ال)?(عشر|ثلاث|اربع|خمس|ست|سبع|ثمان|تسع)يني?ات$")  # السبعينيات
_CENTURY = normal_set("القرن قرن القرون")
_ORDINALS = normal_set(
    """
    الأول الثاني الثالث الرابع الخامس السادس السابع الثامن التاسع العاشر الحادي عشر
    الميلادي الهجري الماضي
    """
)


def _date_word(words: Sequence[Word], i: int) -> bool:
    """A word of a date: a month, a year, an era, a decade, a century and its number, a
    day next to its month, «عام» before a year, «من» between a day and its month."""
    w = words[i]
    before = words[i - 1] if i > 0 else None
    after = words[i + 1] if i + 1 < len(words) else None
    if w.bare == "ربيع" or w.normal == "ربيع":  # the month, not the season
        return bool(after and after.normal in _MONTH_PARTS)
    if w.normal in _MONTHS or w.bare in _MONTHS or w.normal in _ERAS or _is_year(w):
        return True
    if _DECADE.match(w.normal) or w.normal in _CENTURY or w.bare in _CENTURY:
        return True
    if before and (w.normal in _MONTH_PARTS or w.normal in _ORDINALS):
        return before.normal in _MONTHS or (_date_word(words, i - 1) and not _is_year(before))
    if w.normal in _YEAR_NOUNS or w.bare in _YEAR_NOUNS:
        return bool(after and _is_year(after))
    if w.normal.isdigit() and int(w.normal) <= 31:  # a day next to its month
        near = [words[j] for j in (i - 1, i + 1, i + 2) if 0 <= j < len(words)]
        return any(n.normal in _MONTHS or n.bare in _MONTHS for n in near)
    if w.normal == "من" and before and after:  # «25 من شباط»
        return before.normal.isdigit() and (after.normal in _MONTHS or after.bare in _MONTHS)
    return False


def _dates(text: str, words: Sequence[Word], old: Sequence[bool]) -> list[Candidate]:
    """A run of date words, without the «عام» it opens with; first the ones with a year, a
    decade or a century."""
    out: list[Candidate] = []
    for a, b in _runs(text, words, lambda i: _date_word(words, i), joins=" /-،,"):
        while a < b and (words[a].normal in _YEAR_NOUNS or words[a].bare in _YEAR_NOUNS):
            a += 1  # «عام 1921» answers «1921»
        run = words[a : b + 1]
        if all(w.normal in _ERAS or w.normal in _YEAR_NOUNS for w in run):
            continue
        dated = any(_is_year(w) or _DECADE.match(w.normal) or w.normal in _CENTURY for w in run)
        out.append((0 if dated else 1, a, b))
    return out


def _name_word(w: Word) -> bool:
    """A word that may be part of a name: no article, no stopword, no number."""
    return (
        not _is_stopword(w)
        and not _is_number(w)
        and not w.normal.startswith("ال")
        and w.normal not in _TITLES
        and w.normal.isalpha()
    ) or w.normal in _CONNECTORS


def _people(text: str, words: Sequence[Word], old: Sequence[bool]) -> list[Candidate]:
    """The name after a title (الرئيس، الشيخ، المدرب …), then any run of two to four
    words with no article that are not the question's (كاوان شورت، محمد بن سعود) and hold
    no linking word («بينما») or verb of the plural («هزموا»)."""
    out: list[Candidate] = []
    for i, w in enumerate(words[:-1]):
        if w.normal in _TITLES or w.bare in _TITLES:
            run = _name_after(text, words, i + 1, 3)
            if run:
                out.append((0, *run))
    for a, b in _runs(text, words, lambda i: _name_word(words[i]) and not old[i]):
        while b > a and words[b].normal in _CONNECTORS:
            b -= 1
        if 1 <= b - a <= 3 and _plausible_name(words, a, b):
            out.append((1, a, b))
    return out


_LINKS = normal_set("بينما حين حيث كما ثم قد لقد إذ إذا لكن ولكن بعدما قبلما عندما لما")


def _plausible_name(words: Sequence[Word], a: int, b: int) -> bool:
    """A run of words that may be a name: no linking word, no plural verb («هزموا»).

    >>> [_plausible_name(words_of(t), 0, 1) for t in ("كاوان شورت", "بينما أجبر", "هزموا بطل")]
    [True, False, False]
    """
    return not any(
        w.normal in _LINKS or w.bare in _LINKS or w.normal.endswith("وا") for w in words[a : b + 1]
    )


def _last_of_run(
    text: str, words: Sequence[Word], start: int, most: int, fits: Callable[[int], bool]
) -> int:
    """The last word of a run of up to ``most`` words from ``start`` for which ``fits(i)``
    holds, with no punctuation between them."""
    j = start
    while (
        j + 1 < len(words)
        and j + 1 - start < most
        and fits(j + 1)
        and _gap(text, words[j], words[j + 1]).strip() == ""
    ):
        j += 1
    return j


def _name_after(text: str, words: Sequence[Word], i: int, most: int) -> tuple[int, int] | None:
    """Up to ``most`` name words from ``i``, stopping at punctuation."""
    if i >= len(words) or not _name_word(words[i]):
        return None
    j = _last_of_run(text, words, i, most, lambda k: _name_word(words[k]))
    while j > i and words[j].normal in _CONNECTORS:
        j -= 1
    return i, j


def _phrase_after(text: str, words: Sequence[Word], start: int, most: int) -> int:
    """The last word of a phrase of up to ``most`` words from ``start``: no stopword, no
    number, no date, no punctuation inside."""
    return _last_of_run(
        text,
        words,
        start,
        most,
        lambda k: not (_is_stopword(words[k]) or _is_number(words[k]) or _date_word(words, k)),
    )


# Nouns of time and manner that follow «في / من» without naming a place.
_NOT_PLACES = normal_set(
    """
    وقت الوقت فترة الفترة أثناء مرحلة المرحلة حين نهاية بداية أجل قبل بعد خلال حالة الحالة
    مجال المجال إطار الإطار شكل صورة طريقة الصيف الشتاء الربيع الخريف عهد العهد ظل
    """
)


def _places(text: str, words: Sequence[Word], old: Sequence[bool]) -> list[Candidate]:
    """What follows a preposition of place: up to three words, no date, number, time or
    language; first the ones right after the question's own words («تقع في …» for «أين
    تقع …»), then those that name a kind of place («مدينة») or have no article (بيروت)."""
    out: list[Candidate] = []
    for i, w in enumerate(words):
        lead = w.normal in _PLACE_PREPOSITIONS
        # «بالقاهرة», not «بالألمانية» (in German: an adjective of the language)
        glued = w.normal.startswith("بال") and len(w.normal) > 5 and not w.normal.endswith("يه")
        start = i + 1 if lead else i if glued else -1
        if start < 0 or start >= len(words):
            continue
        first = words[start]
        if (
            _is_stopword(first)
            or _is_number(first)
            or _date_word(words, start)
            or first.normal in _NOT_PLACES
            or first.bare in _NOT_PLACES
        ):
            continue
        end = _phrase_after(text, words, start, 3)
        after_question = any(old[j] for j in range(max(0, i - 2), i))
        named = first.bare in PLACE_NOUNS or not first.normal.startswith(("ال", "بال"))
        out.append((0 if after_question else 1 if named else 2, start, end))
    return out


_QUOTED = re.compile(r"[«\"“]([^«»\"“”]{2,80})[»\"”]")


def _names(text: str, words: Sequence[Word], old: Sequence[bool]) -> list[Candidate]:
    """The words after «اسم / يسمى / يعرف ب / لقب», then a quoted name."""
    out: list[Candidate] = []
    for i, w in enumerate(words[:-1]):
        if w.normal in _NAMING or w.bare in _NAMING:
            start = i + 1
            if words[start].normal in ("ب", "باسم", "اسم") and start + 1 < len(words):
                start += 1
            if not _is_stopword(words[start]):
                out.append((0, start, _phrase_after(text, words, start, 4)))
    for match in _QUOTED.finditer(text):
        inside = [
            i for i, w in enumerate(words) if match.start(1) <= w.start and w.end <= match.end(1)
        ]
        if inside:
            out.append((1, inside[0], inside[-1]))
    return out
