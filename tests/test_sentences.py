"""Sentence splitting: the seed article's sentences are pinned, and each rule has a case."""

from index.reading.sentences import split_sentences
from tests.conftest import SEED_DOC

# (paragraph, heading, first two words, last two words) of every seed sentence.
SEED_SENTENCES = [
    (0, False, "أكد نائب", "غير الإقليميين."),
    (1, False, "وجاء كلام", "ميخائيل غوسمان."),
    (2, False, "وقال وزير", "إلى المستقبل."),
    (2, False, "وهنا نحن", "حسن الجوار."),
    (2, False, "وأنا متأكد", 'هذه الشراكة".'),
    (3, False, "وأشار رودينكو", 'سلطان نزارباييف)".'),
    (3, False, '"نحن نتعاون', "العلاقات الثنائية."),
    (3, False, '"..." تحتل', 'في 2019".'),
    (4, False, "وفي الوقت", 'جميع التحديات".'),
    (5, False, 'وأضاف: "إن', 'الروسية الكازاخستانية"."'),
    (6, False, "وأشار رودينكو", "ليس حاسما."),
    (6, False, "نحن نثق", 'أوائل التسعينات".'),
    (7, True, "20 مشروع", "روسيا وأوزبكستان"),
    (8, False, "كما أشار", "حكومية دولية."),
    (9, False, 'وأضاف: "لسوء', "أي حال."),
    (9, False, "لدينا حوالي", "في محفظتنا."),
    (9, False, "وهي جاهزة", 'جاهزة للتوقيع".'),
    (10, False, "وأشاد الدبلوماسي", "موسكو وطشقند."),
    (10, False, "ووفقا له،", "رئيس أوزبكستان."),
    (11, False, "ولفت رودينكو", "الاقتصادي الأوراسي."),
    (11, False, '"نأمل أن', 'في الاتحاد."'),
    (12, False, "وأكد نائب", 'وسوف نحترمه".'),
    (13, True, "مجموعة الرؤية", 'العالم الإسلامي"'),
    (14, True, "Photo: Creative", "Creative Commons"),
    (15, True, "المصدر: تاس", "المصدر: تاس"),
]


def test_seed_article_sentences_are_pinned() -> None:
    text = SEED_DOC.read_text(encoding="utf-8")
    sentences = split_sentences(text)
    got = [
        (s.paragraph, s.heading, " ".join(s.text.split()[:2]), " ".join(s.text.split()[-2:]))
        for s in sentences
    ]
    assert got == SEED_SENTENCES
    for s in sentences:  # offsets point at the untouched original text
        assert text[s.start : s.end] == s.text


def texts(text: str) -> list[str]:
    return [s.text for s in split_sentences(text)]


def test_numbers_never_split() -> None:
    assert texts("ارتفع بنسبة 2.5 في المئة أي 20% يوم 16 تموز/ يوليو. ثم هبط.") == [
        "ارتفع بنسبة 2.5 في المئة أي 20% يوم 16 تموز/ يوليو.",
        "ثم هبط.",
    ]


def test_closing_quote_and_bracket_stay_with_their_sentence() -> None:
    assert texts('قال: "وصلنا." ثم غادر (بسرعة.) وانتهى.') == [
        'قال: "وصلنا."',
        "ثم غادر (بسرعة.)",
        "وانتهى.",
    ]


def test_elision_inside_a_quote_does_not_end_a_sentence() -> None:
    assert texts('قال: "من المهم "..." أن نبقى". وانتهى… ثم عاد.') == [
        'قال: "من المهم "..." أن نبقى".',
        "وانتهى… ثم عاد.",
    ]


def test_question_and_exclamation_marks_end_sentences() -> None:
    assert texts("هل وصلت؟ نعم! حسنا?") == ["هل وصلت؟", "نعم!", "حسنا?"]


def test_a_line_without_final_punctuation_is_a_heading() -> None:
    sentences = split_sentences("عنوان الخبر\nالنص الأول. والثاني\n\nخاتمة.")
    assert [(s.text, s.paragraph, s.heading) for s in sentences] == [
        ("عنوان الخبر", 0, True),
        ("النص الأول.", 1, False),
        ("والثاني", 1, False),
        ("خاتمة.", 3, False),
    ]
