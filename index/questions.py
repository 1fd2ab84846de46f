"""What kind of answer a question asks for (كم: a number, متى: a date), and who offers one."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

from index.analysis import normalize, split_proclitic, text_words

AnswerType = Literal["number", "date"]

_NUMBER_WORDS = frozenset(
    normalize(w)
    for w in """
    واحد اثنان اثنين اثنتان اثنتين ثلاث ثلاثة أربع أربعة خمس خمسة ست ستة سبع سبعة ثمان ثماني
    ثمانية تسع تسعة عشر عشرة عشرون عشرين ثلاثون ثلاثين أربعون أربعين خمسون خمسين ستون ستين
    سبعون سبعين ثمانون ثمانين تسعون تسعين مئة مائة مئات ألف آلاف مليون ملايين مليار مليارات
    نصف ربع ثلث عشرات
    """.split()
)
_DATE_WORDS = frozenset(
    normalize(w)
    for w in """
    يناير فبراير مارس أبريل ابريل مايو يونيو يوليو أغسطس سبتمبر أكتوبر نوفمبر ديسمبر
    كانون شباط آذار نيسان أيار حزيران تموز آب أيلول تشرين
    عام سنة قرن القرن عقد
    """.split()
)
_TIME_NOUNS = frozenset(normalize(w) for w in "عام سنة قرن يوم شهر تاريخ عقد".split())


def _bare(word: str) -> str:
    """A normalized word without the article or a one-letter proclitic.

    >>> _bare("والقرن"), _bare("بعام"), _bare("عام")
    ('قرن', 'عام', 'عام')
    """
    return word[split_proclitic(word, proclitics="وفبل") :]


def answer_type(words: Sequence[str]) -> AnswerType | None:
    """The kind of answer a question's first (normalized) words ask for, if it is a number
    or a date.

    >>> answer_type(text_words("كم عدد سكان طشقند؟")), answer_type(text_words("ما عدد الاتفاقيات؟"))
    ('number', 'number')
    >>> answer_type(text_words("متى وقعت الاتفاقية؟"))
    'date'
    >>> answer_type(text_words("في أي عام تأسست المدينة؟"))
    'date'
    >>> answer_type(text_words("من هو رودينكو؟")) is None
    True
    """
    words = list(words[:3])
    if not words:
        return None
    first, rest = words[0], words[1:]
    if first in ("كم", "بكم") or (first in ("ما", "في") and rest[:1] == ["عدد"]):
        return "number"
    if first == "متي":
        return "date"
    if first == "في" and len(rest) == 2 and rest[0] == "اي" and _bare(rest[1]) in _TIME_NOUNS:
        return "date"
    return None


def offers(sentence: str, kind: AnswerType) -> bool:
    """Whether the sentence holds an answer of that kind: digits, or number (date) words.

    >>> offers("تستعدان للتوقيع على حوالي 20 مشروع اتفاقية", "number")
    True
    >>> offers("وقعت في أيار الماضي", "date"), offers("وقعت أخيرا", "date")
    (True, False)
    >>> offers("أنجبت ولدا بعد تسعة أشهر", "number")
    True
    """
    vocabulary = _NUMBER_WORDS if kind == "number" else _DATE_WORDS
    return any(w.isdigit() or _bare(w) in vocabulary for w in text_words(sentence))
