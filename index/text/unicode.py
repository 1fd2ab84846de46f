"""camel-tools' Arabic letters, dediacritization and word tokenizer, quick to import."""

# Importing camel_tools.utils.charsets walks all of Unicode (half a second of every
# command); these are the same sets and functions, checked against camel-tools by tests.

from __future__ import annotations

import unicodedata
from functools import cache

import regex

# camel_tools.utils.charsets.AR_LETTERS_CHARSET and AR_DIAC_CHARSET (a test holds them equal)
AR_LETTERS = frozenset(
    "\u0621\u0622\u0623\u0624\u0625\u0626\u0627\u0628\u0629\u062a\u062b\u062c\u062d\u062e"
    "\u062f\u0630\u0631\u0632\u0633\u0634\u0635\u0636\u0637\u0638\u0639\u063a\u0640\u0641"
    "\u0642\u0643\u0644\u0645\u0646\u0647\u0648\u0649\u064a\u0671\u067e\u0686\u06a4\u06af"
)
AR_DIAC = frozenset("\u064b\u064c\u064d\u064e\u064f\u0650\u0651\u0652\u0670")
_DIAC_RE = regex.compile("[" + regex.escape("".join(sorted(AR_DIAC))) + "]")

# camel_tools.tokenizers.word._SYMBOLS_RE, as it is written there: a flag pair, an emoji
# (with its modifiers and joined emoji), a keycap, a symbol or a punctuation mark.
_SYMBOLS_RE = regex.compile(
    r"(?:(?:\p{RI}\p{RI}|\p{Emoji}(?:\p{EMod}|\uFE0F\u20E3?|[\U000E0020-\U000E007E]+\U000E007F)?"
    r"(?:\u200D(?:\p{RI}\p{RI}|\p{Emoji}(?:\p{EMod}|\uFE0F\u20E3?|[\U000E0020-\U000E007E]+"
    r"\U000E007F)?))*)|(?:[0-9*#]\u20e3)|\p{S}|\p{P})"
)


def dediac_ar(text: str) -> str:
    """``camel_tools.utils.dediac.dediac_ar``: Arabic diacritics removed.

    >>> dediac_ar("وَقَّعَ")
    'وقع'
    """
    return _DIAC_RE.sub("", text)


@cache
def _emoji() -> frozenset[str]:
    from emoji import EMOJI_DATA  # only when an emoji is met

    return frozenset(EMOJI_DATA)


def _is_symbol(token: str) -> bool:
    """In camel-tools' ``_SYMBOLS_ALL``: a punctuation or symbol character, or an emoji.
    A digit (which Unicode counts among emoji characters) is never one on its own, so
    numbers never need the emoji table."""
    if len(token) == 1:
        if unicodedata.category(token)[0] in "PS":
            return True
        if token.isascii() and token.isdigit():
            return False
    return token in _emoji()


def simple_word_tokenize(text: str) -> list[str]:
    """``camel_tools.tokenizers.word.simple_word_tokenize``: split at whitespace, each
    punctuation mark, symbol and emoji a token of its own.

    >>> simple_word_tokenize("قال: «نعم»، 20% 🙂")
    ['قال', ':', '«', 'نعم', '»', '،', '20', '%', '🙂']
    """
    tokens: list[str] = []
    for word in text.split():
        at = start = 0
        while at < len(word):
            match = _SYMBOLS_RE.match(word, pos=at)
            if match is not None and _is_symbol(match[0]):
                if at != start:
                    tokens.append(word[start:at])
                tokens.append(match[0])
                at = start = match.end()
                continue
            at += 1
        if word[start:at]:
            tokens.append(word[start:])
    return tokens
