"""The phrase that answers, found inside a sentence: what a reader would underline."""

from __future__ import annotations

import pytest

from index.question.phrases import answer_phrase, asked_stems
from index.text.analysis import text_words


def phrase(sentence: str, kind: str, question: str) -> str | None:
    span = answer_phrase(sentence, kind, asked_stems(text_words(question)))  # type: ignore[arg-type]
    return sentence[span[0] : span[1]] if span else None


@pytest.mark.parametrize(
    ("sentence", "kind", "question", "expected"),
    [
        # a number with the noun it counts, not a year, not the question's own number
        ("في عام 1857 تبرع الرجل بـ 233 لوحة للمتحف.", "number", "كم لوحة تبرع للمتحف؟", "233"),
        (
            "بلغ عدد سكانها 711.988 نسمة في 1901.",
            "number",
            "كم كان عدد سكانها في 1901؟",
            "711.988 نسمة",
        ),
        ("ارتفعت الصادرات بنسبة 56,2٪ هذا العام.", "number", "كم ارتفعت الصادرات؟", "56,2٪"),
        (
            "كان لجفاف سنة 2010 ثلاثة مراكز سطحية.",
            "number",
            "كم مركزا كان لجفاف 2010؟",
            "ثلاثة مراكز",
        ),
        # a date: the year without «عام», a month with it, a decade, a century
        ("أغلق المعرض في 25 من شباط عام 2010.", "date", "متى أغلق المعرض؟", "25 من شباط عام 2010"),
        ("تجدد الاهتمام به منذ التسعينيات.", "date", "متى تجدد الاهتمام به؟", "التسعينيات"),
        (
            "أسست المدارس في أوائل القرن التاسع عشر.",
            "date",
            "متى أسست المدارس؟",
            "القرن التاسع عشر",
        ),
        # a place: where the question's own verb points, never a time or a language
        ("في وقت لاحق من الصيف زار الرئيس الصين بدعوة رسمية.", "place", "أين زار الرئيس؟", None),
        (
            "تقع سويسرا في غرب أوروبا، وتحدها ألمانيا من الشمال.",
            "place",
            "أين تقع سويسرا؟",
            "غرب أوروبا",
        ),
        (
            "سويسرا (بالألمانية: شفايتس) دولة في وسط أوروبا.",
            "place",
            "أين تقع سويسرا؟",
            "وسط أوروبا",
        ),
        # a person: a name, not a verb and its object
        (
            "ثم هزموا بطل الدوري، بينما سجل كاوان شورت هدفين.",
            "person",
            "من سجل الهدفين؟",
            "كاوان شورت",
        ),
    ],
)
def test_the_phrase_a_reader_would_underline(
    sentence: str, kind: str, question: str, expected: str | None
) -> None:
    assert phrase(sentence, kind, question) == expected
