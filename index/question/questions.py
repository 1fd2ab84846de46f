"""What kind of answer a question asks for (كم: a number, لماذا: a reason), and who offers one."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import Literal

from index.question.lexicon import MONTHS, NUMBER_WORDS, PLACE_NOUNS, TIME_NOUNS, normal_set
from index.text.analysis import normalize, split_proclitic, text_words

AnswerType = Literal["number", "date", "person", "place", "name", "reason", "manner"]
# Questions answered by an explanation, which follows the sentence that names its subject.
EXPLANATIONS: frozenset[AnswerType] = frozenset(["reason", "manner"])


_DATE_WORDS = MONTHS | normal_set("عام سنة قرن القرن عقد")
# Words that give a reason (لماذا، ما سبب) in a sentence.
_REASON_WORDS = normal_set(
    """
    لأن لان لأنه لأنها لأنهم بسبب نتيجة نظرا لذلك لذا ولذلك ولذا مما أدى
    """
)
_NAME_VERBS = normal_set("تسمى يسمى تسمي يسمي سمي سميت يعرف تعرف يلقب تلقب لقب")

# An interrogative written together with the next word («ماهي»، «لماذايستخدم»), or
# misspelt («لمادا»): the words it stands for.
_FUSED = {
    normalize(k): tuple(normalize(w) for w in v.split())
    for k, v in {
        "ماهو": "ما هو",
        "ماهي": "ما هي",
        "ماهم": "ما هم",
        "ماسبب": "ما سبب",
        "ماسم": "ما اسم",
        "مااسم": "ما اسم",
        "مانوع": "ما نوع",
        "ماعدد": "ما عدد",
        "مامعنى": "ما معنى",
        "لمادا": "لماذا",
        "مادا": "ماذا",
        "بمادا": "ب ماذا",
        "بماذا": "ب ماذا",
        "لمن": "ل من",
        "ممن": "من من",
        "بكم": "ب كم",
        "كييف": "كيف",
    }.items()
}
# Interrogatives a preposition may stand before: the question is still theirs.
_BEHIND = frozenset(["متي", "اين", "كم", "ماذا", "من"])
_GLUED = tuple(normalize(w) for w in ("لماذا", "ماذا"))  # never the start of another word
# Imperatives that open a question («علل …»، «اذكر …») and carry nothing to search for.
_COMMANDS = normal_set("علل اذكر أذكر اعط أعط اعطي أعطي وضح اشرح عدد")


def unfuse(word: str) -> tuple[str, ...]:
    """A normalized question word as the words it stands for: an interrogative written
    together with the next word is two words, a misspelt one is corrected.

    >>> unfuse("ماهي"), unfuse("لماذايستخدم"), unfuse("لمادا"), unfuse("ماليزيا")
    (('ما', 'هي'), ('لماذا', 'يستخدم'), ('لماذا',), ('ماليزيا',))
    """
    fused = _FUSED.get(word)
    if fused:
        return fused
    for glued in _GLUED:
        if word.startswith(glued) and len(word) > len(glued) + 2:
            return glued, word[len(glued) :]
    return (word,)


def word_pieces(normals: Sequence[str]) -> list[tuple[str, ...]]:
    """Each normalized question word as the words to search it by: unfused
    (:func:`unfuse`), and none for a command that opens the question («علل»، «اذكر»).

    >>> word_pieces(["علل", "سبب"]), word_pieces(["ماهي", "عاصمه", "مصر"])
    ([(), ('سبب',)], [('ما', 'هي'), ('عاصمه',), ('مصر',)])
    """
    pieces = [unfuse(w) for w in normals]
    if len(pieces) > 1 and normals[0] in _COMMANDS:
        pieces[0] = ()
    return pieces


def _bare(word: str) -> str:
    """A normalized word without the article or a one-letter proclitic.

    >>> _bare("والقرن"), _bare("بعام"), _bare("عام")
    ('قرن', 'عام', 'عام')
    """
    return word[split_proclitic(word, proclitics="وفبل") :]


def answer_type(normals: Sequence[str]) -> AnswerType | None:
    """The kind of answer a question asks for, read from its first normalized words.

    >>> kinds = lambda *qs: [answer_type(text_words(q)) for q in qs]
    >>> kinds("كم عدد سكان طشقند؟", "ما عدد الاتفاقيات؟", "متى وقعت؟", "في أي عام تأسست؟")
    ['number', 'number', 'date', 'date']
    >>> kinds("من هو اللاعب الذي سجل؟", "أين تقع طشقند؟", "في أي مدينة ولد؟", "ما اسم عاصمتها؟")
    ['person', 'place', 'place', 'name']
    >>> kinds("من هو رودينكو؟", "من قاد الوفد؟")
    [None, 'person']
    >>> kinds("لماذا سميت كذلك؟", "ما سبب التسمية؟", "علل سبب الحرب", "كيف تعمل الآلة؟")
    ['reason', 'reason', 'reason', 'manner']
    >>> kinds("ماذا قال رودينكو؟", "هل زار طشقند؟", "من أين جاء؟", "بماذا تسمى؟", "لمن الكتاب؟")
    [None, None, 'place', 'name', 'person']
    """
    words = list(normals[:4])
    opened_with_command = bool(words) and words[0] in _COMMANDS
    words = [w for pieces in word_pieces(words) for w in pieces]
    if not words:
        return None
    if opened_with_command and words[0] in ("سبب", "اسباب"):
        return "reason"
    if words[0] in ("و", "ف", "ثم"):
        words = words[1:]
    first, rest = (words[0], words[1:]) if words else ("", [])
    second = _bare(rest[0]) if rest else ""
    if first in ("من", "الي", "ب", "ل", "في", "منذ") and rest and rest[0] in _BEHIND:
        first, rest = rest[0], rest[1:]  # «من أين»، «منذ متى»، «إلى كم»، «بماذا»
        second = _bare(rest[0]) if rest else ""
    if first == "كم" or (first in ("ما", "في") and second == "عدد"):
        return "number"
    if first == "متي":
        return "date"
    if first == "اين":
        return "place"
    if first == "لماذا" or (first == "ما" and "سبب" in [_bare(w) for w in rest[:2]]):
        return "reason"
    if first == "كيف":
        return "manner"
    if first in ("في", "الي", "ب") and second == "اي" and len(rest) > 1:
        noun = _bare(rest[1])
        if noun in TIME_NOUNS:
            return "date"
        if noun in PLACE_NOUNS:
            return "place"
    if first in ("ما", "ماذا") and ("اسم" in [_bare(w) for w in rest[:2]] or second in _NAME_VERBS):
        return "name"
    if first == "ماذا" and second in _NAME_VERBS:
        return "name"
    if first == "من" and rest and rest[0] not in ("اي", "بين", "خلال", "اجل"):
        if rest[0] in ("هو", "هي") and len(rest) > 1 and not rest[1].startswith("ال"):
            return None  # «من هو رودينكو؟» asks who he is, not for a name
        return "person"
    return None


def offers(sentence: str, kind: AnswerType, asked: Collection[str] = ()) -> bool:
    """Whether the sentence holds an answer of that kind: digits or number words for a
    number, a date's words for a date, a causal link («لأن»، «بسبب») for a reason. A
    manner, a person, a place or a name is not told by a few words around it (measured:
    «من خلال»، «عن طريق» and the like pick no better sentence), and is never offered. A number
    or a date the question itself has (``asked``: its normalized words) answers nothing.

    >>> offers("تستعدان للتوقيع على حوالي 20 مشروع اتفاقية", "number")
    True
    >>> offers("وقعت في أيار الماضي", "date"), offers("وقعت أخيرا", "date")
    (True, False)
    >>> offers("أنجبت ولدا بعد تسعة أشهر", "number")
    True
    >>> offers("سميت بذلك لأن جلدها غامق", "reason"), offers("جلدها غامق", "reason")
    (True, False)
    >>> offers("فاز بالبطولة في 2000", "date", asked={"فاز", "قبل", "2000"})
    False
    """
    vocabulary = {
        "number": NUMBER_WORDS,
        "date": _DATE_WORDS,
        "reason": _REASON_WORDS,
    }.get(kind)
    if vocabulary is None:
        return False
    digits = kind in ("number", "date")
    return any(
        ((digits and w.isdigit()) or w in vocabulary or _bare(w) in vocabulary)
        and (not digits or w not in asked)
        for w in text_words(sentence)
    )
