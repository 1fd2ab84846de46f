"""Character n-grams of words: a field that matches where spelling or stemming differs."""

from __future__ import annotations

import json
import math
import sys
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from index.text.analysis import STOPWORD_FORMS, text_words

GRAM_SIZES = (3, 4)
# Gram statistics come from at most this many sentences, spread evenly over the collection
# (all of them in smaller collections, so there they are exact).
SAMPLE_SIZE = 10_000


def gram_words(text: str) -> list[str]:
    """The normalized words of ``text`` that carry content (stopwords out).

    >>> gram_words("قال رودينكو عن «أوزبكستان»، 2020")
    ['قال', 'رودينكو', 'اوزبكستان', '2020']
    """
    return [w for w in text_words(text) if w not in STOPWORD_FORMS]


def word_grams(word: str) -> list[str]:
    """The 3- and 4-grams of a normalized word padded with ``#`` (so its start and end count).

    >>> word_grams("روسيا")
    ['#رو', 'روس', 'وسي', 'سيا', 'يا#', '#روس', 'روسي', 'وسيا', 'سيا#']
    >>> sorted(set(word_grams("رودنكو")) & set(word_grams("رودينكو")))
    ['#رو', '#رود', 'رود', 'كو#', 'نكو', 'نكو#']
    """
    padded = f"#{word}#"
    return [padded[i : i + n] for n in GRAM_SIZES for i in range(len(padded) - n + 1)]


def text_grams(text: str) -> list[str]:
    """Every gram of every content word of ``text``.

    >>> len(text_grams("قال رودينكو عن أوزبكستان"))
    35
    """
    return [g for w in gram_words(text) for g in word_grams(w)]


@dataclass(frozen=True, slots=True)
class GramLine:
    """A sentence's content words as one string (``#word# #word#``) to count grams in, and
    how many grams it has: the gram field of one sentence, without listing its grams."""

    padded: str
    length: int

    @classmethod
    def of(cls, text: str) -> GramLine:
        """
        >>> line = GramLine.of("روسيا وروسيا")
        >>> line.padded, line.length
        ('#روسيا# #وروسيا#', 20)
        """
        words = gram_words(text)
        length = 2 * sum(map(len, words)) - len(words)  # a word of n letters: n + (n - 1)
        return cls(f"#{'# #'.join(words)}#" if words else "", length)


def gram_counts(grams: Sequence[str], lines: Sequence[GramLine]) -> np.ndarray:
    """Grams × sentences: how often each gram occurs in each sentence's words, found by
    one scan per gram over all the sentences at once.

    >>> gram_counts(["#رو", "سيا#", "xyz"], [GramLine.of("روسيا"), GramLine.of("وروسيا روسيا")])
    array([[1., 1.],
           [1., 2.],
           [0., 0.]])
    """
    joined = "\n".join(line.padded for line in lines)
    which: list[int] = []  # gram of each occurrence
    where: list[int] = []
    for i, gram in enumerate(grams):
        at = joined.find(gram)
        while at >= 0:
            which.append(i)
            where.append(at)
            at = joined.find(gram, at + 1)
    out = np.zeros((len(grams), len(lines)))
    if where:
        starts = np.cumsum([0] + [len(line.padded) + 1 for line in lines[:-1]])
        sentence = np.searchsorted(starts, where, side="right") - 1
        np.add.at(out, (np.asarray(which), sentence), 1)
    return out


@dataclass(frozen=True, slots=True)
class GramStats:
    """How common each gram is (``df``: sentences of the sample holding it) and the average
    gram count of a sentence: what gram idf and length normalization need. ``count`` and
    ``generation`` are the collection's size and store generation when they were counted."""

    df: dict[str, int]
    sampled: int
    avg_len: float
    count: int = 0
    generation: int = 0

    @classmethod
    def from_texts(
        cls, texts: Iterable[str], count: int | None = None, generation: int = 0
    ) -> GramStats:
        """Statistics of a sample of sentence texts. When the sample is only part of the
        collection, grams seen once in it are left out (counted as unseen: see :meth:`idf`).

        >>> s = GramStats.from_texts(["قال رودينكو", "قالت الوزارة"])
        >>> s.sampled, s.df["#قال"], s.df["#رود"]
        (2, 2, 1)
        >>> "#رود" in GramStats.from_texts(["قال رودينكو", "قالت الوزارة"], count=100).df
        False
        """
        df: Counter[str] = Counter()
        grams_of: dict[str, list[str]] = {}  # a word's grams, made once (words repeat)
        total = sampled = 0
        for text in texts:
            found: set[str] = set()
            for word in gram_words(text):
                grams = grams_of.get(word)
                if grams is None:
                    grams = grams_of[word] = word_grams(word)
                found.update(grams)
                total += len(grams)
            df.update(found)
            sampled += 1
        count = sampled if count is None else count
        least = 2 if sampled < count else 1
        # each gram is interned: the statistics of many sets of documents (one a chat's)
        # share one copy of each gram instead of one each
        kept = {sys.intern(gram): n for gram, n in df.items() if n >= least}
        avg_len = total / sampled if sampled else 0.0
        return cls(kept, sampled, avg_len, count, generation)

    def idf(self, gram: str, size: int) -> float:
        """Lucene's BM25 idf for a collection of ``size`` sentences (always positive); a gram
        the sample does not hold counts as in half a sentence's worth of the sample.

        >>> s = GramStats({"#قال": 2, "#رود": 1}, 2, 5.0)
        >>> round(s.idf("#قال", 100), 3), round(s.idf("#رود", 100), 3), round(s.idf("xyz", 100), 3)
        (0.005, 0.693, 1.376)
        """
        sampled = max(self.sampled, 1)
        df = self.df.get(gram, 0.5) * size / sampled
        return math.log(1 + (size - min(df, size) + 0.5) / (min(df, size) + 0.5))

    def to_json(self) -> str:
        """The statistics as JSON (what :meth:`load` reads)."""
        payload = {
            "count": self.count,
            "generation": self.generation,
            "sampled": self.sampled,
            "avg_len": self.avg_len,
            "df": self.df,
        }
        return json.dumps(payload, ensure_ascii=False)

    @classmethod
    def load(cls, path: Path) -> GramStats:
        payload = json.loads(path.read_text(encoding="utf-8"))
        df = payload["df"]
        if not isinstance(df, dict):
            raise ValueError("df is not a mapping")
        return cls(
            df,
            int(payload["sampled"]),
            float(payload["avg_len"]),
            int(payload["count"]),
            int(payload["generation"]),
        )
