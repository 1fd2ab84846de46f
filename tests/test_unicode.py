"""index.text.unicode is camel-tools' tokenizer and Arabic character sets, only faster to import:
the same tokens and the same sets, checked against camel-tools itself."""

from __future__ import annotations

import random

import camel_tools.tokenizers.word as camel_word
import pytest
from camel_tools.tokenizers.word import simple_word_tokenize as camel_tokenize
from camel_tools.utils.charsets import AR_DIAC_CHARSET, AR_LETTERS_CHARSET
from camel_tools.utils.dediac import dediac_ar as camel_dediac
from emoji import EMOJI_DATA

from index.text import unicode
from index.text.unicode import AR_DIAC, AR_LETTERS, dediac_ar, simple_word_tokenize

PIECES = [
    *"ابتثجحخدذرزسشصضطظعغفقكلمنهويءآأؤإئىة",
    *"\u064b\u064e\u0650\u0651\u0652\u0670\u0640",
    *"0123456789٠١٢٣٤٥٦٧٨٩abcXYZ",
    *".,;:!?؟،؛«»\"'()[]{}-_/\\%$€£+=<>|~`^&*#@…—",
    " ",
    " ",
    "\n",
    "\t",
    "\u200f",
    "\u200d",
    "\ufe0f",
    "🙂",
    "👍🏽",
    "🇸🇦",
    "👨\u200d👩\u200d👧",
    "1\ufe0f\u20e3",
    "#\u20e3",
    "©",
    "™",
    "☺",
    "\U0001faeb",
    "ﻻ",
    "ﷲ",
    "𝔸",
]


def test_the_arabic_sets_and_the_symbol_pattern_are_camel_tools_own() -> None:
    assert AR_LETTERS == AR_LETTERS_CHARSET
    assert AR_DIAC == AR_DIAC_CHARSET
    assert unicode._SYMBOLS_RE.pattern == camel_word._SYMBOLS_RE.pattern


def test_no_digit_is_an_emoji_on_its_own() -> None:
    # what lets the tokenizer leave the emoji table unread for numbers
    assert not set("0123456789") & set(EMOJI_DATA)


@pytest.mark.parametrize("seed", range(40))
def test_tokens_and_dediacritization_are_camel_tools_own(seed: int) -> None:
    rng = random.Random(seed)
    for _ in range(50):
        text = "".join(rng.choice(PIECES) for _ in range(rng.randint(0, 40)))
        assert simple_word_tokenize(text) == camel_tokenize(text), repr(text)
        assert dediac_ar(text) == camel_dediac(text), repr(text)
