"""Arabic word lists that more than one reader of questions and texts shares, normalized once."""

from __future__ import annotations

from index.text.analysis import normalize


def normal_set(words: str) -> frozenset[str]:
    """Words as the index compares them (normalized), from a space-separated list.

    >>> sorted(normal_set("أيار إبريل"))
    ['ابريل', 'ايار']
    """
    return frozenset(normalize(w) for w in words.split())


# Numbers written in words: a «كم» question's answer, a phrase that is a number.
NUMBER_WORDS = normal_set(
    """
    واحد واحدة اثنان اثنين اثنتان اثنتين ثلاث ثلاثة أربع أربعة خمس خمسة ست ستة سبع سبعة ثمان
    ثماني ثمانية تسع تسعة عشر عشرة عشرون عشرين ثلاثون ثلاثين أربعون أربعين خمسون خمسين ستون
    ستين سبعون سبعين ثمانون ثمانين تسعون تسعين مئة مائة مئتين مئتان مئات ألف ألفا آلاف ألفين
    مليون ملايين مليار مليارات نصف ربع ثلث عشرات مرتين مرتان
    """
)
# Months, Gregorian (both spellings), Syriac and Hijri: a «متى» question's answer.
MONTHS = normal_set(
    """
    يناير فبراير مارس أبريل ابريل إبريل مايو يونيو يونيه يوليو يوليه أغسطس اغسطس سبتمبر أكتوبر
    اكتوبر نوفمبر ديسمبر كانون شباط آذار نيسان أيار حزيران تموز آب أيلول تشرين
    محرم صفر ربيع جمادى رجب شعبان رمضان شوال القعدة الحجة
    """
)
# Nouns of time and of place: «في أي عام؟» asks for a date, «في أي مدينة؟» for a place.
TIME_NOUNS = normal_set("عام سنة قرن يوم شهر تاريخ عقد")
PLACE_NOUNS = normal_set("مدينة بلد دولة منطقة مكان قارة محافظة ولاية جزيرة قرية إقليم عاصمة شارع")
# Nouns that frame a question and point to nothing: «كم عدد سكانها؟» has no referent.
FRAME_NOUNS = normal_set(
    """
    عدد اسم نوع سبب أسباب مساحة طول عرض ارتفاع عمر عاصمة رئيس موقع تاريخ لغة عملة سكان
    حجم قيمة نسبة دور أهمية معنى شكل لون وزن مدة بداية نهاية أصل
    أغلب معظم أكثر أقل أول آخر كل بعض
    """
)
# Nouns that ask what someone said: «ما رأي X في Y؟», «ما موقف X من Y؟».
SPEECH_NOUNS = normal_set("رأي موقف تصريح تصريحات كلام حديث")
