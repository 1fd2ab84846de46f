"""What kind of answer a question asks for (كم: a number, متى: a date), and who offers one."""

from __future__ import annotations

from typing import Literal

from index.analysis import normalize, text_words

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
_CLITICS = ("وال", "بال", "فال", "لل", "ال", "و", "ب", "ل", "ف")


def _bare(word: str) -> str:
    """A normalized word without the article or a one-letter proclitic.

    >>> _bare("والقرن"), _bare("بعام"), _bare("عام")
    ('قرن', 'عام', 'عام')
    """
    for clitic in _CLITICS:
        if word.startswith(clitic) and len(word) - len(clitic) >= 3:
            return word[len(clitic) :]
    return word


def answer_type(question: str) -> AnswerType | None:
    """The kind of answer the question's first words ask for, if it is a number or a date.

    >>> answer_type("كم عدد سكان طشقند؟"), answer_type("ما عدد الاتفاقيات؟")
    ('number', 'number')
    >>> answer_type("متى وقعت الاتفاقية؟"), answer_type("في أي عام تأسست المدينة؟")
    ('date', 'date')
    >>> answer_type("من هو رودينكو؟") is None
    True
    """
    words = text_words(question)[:3]
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
