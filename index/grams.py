"""Character n-grams of words: a field that matches where spelling or stemming differs."""

from __future__ import annotations

import json
import math
import sys
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from index.analysis import is_stopword, normalize, word_spans

GRAM_SIZES = (3, 4)
# Gram statistics come from at most this many sentences, spread evenly over the collection
# (all of them in smaller collections, so there they are exact).
SAMPLE_SIZE = 20_000


def word_grams(word: str) -> tuple[str, ...]:
    """The 3- and 4-grams of a normalized word padded with ``#`` (so its start and end count).

    >>> word_grams("روسيا")
    ('#رو', 'روس', 'وسي', 'سيا', 'يا#', '#روس', 'روسي', 'وسيا', 'سيا#')
    >>> sorted(set(word_grams("رودنكو")) & set(word_grams("رودينكو")))
    ['#رو', '#رود', 'رود', 'كو#', 'نكو', 'نكو#']
    """
    padded = f"#{word}#"
    return tuple(
        sys.intern(padded[i : i + n])  # one string per gram, however many words share it
        for n in GRAM_SIZES
        for i in range(max(1, len(padded) - n + 1))
    )


CACHED_LENGTH = 30  # longer "words" (noise) are worked out each time, never kept


class Grams:
    """Text → its words' n-grams, stopwords aside; each word type is worked out once."""

    def __init__(self, cache_size: int = 100_000) -> None:
        self._cache: dict[str, tuple[str, ...]] = {}
        self._cache_size = cache_size

    def of_word(self, word: str) -> tuple[str, ...]:
        """The grams of one surface word (none for a stopword).

        >>> Grams().of_word("وأوزبكستان")[:3], Grams().of_word("عن")
        (('#وا', 'واو', 'اوز'), ())
        """
        found = self._cache.get(word)
        if found is None:
            folded = normalize(word)
            found = () if is_stopword(folded) else word_grams(folded)
            if len(word) <= CACHED_LENGTH:
                if len(self._cache) >= self._cache_size:
                    self._cache.clear()
                self._cache[word] = found
        return found

    def of_text(self, text: str) -> list[str]:
        """Every gram of every word of ``text``, in order.

        >>> len(Grams().of_text("قال رودينكو عن أوزبكستان"))
        35
        """
        out: list[str] = []
        for chunk in text.split():
            if chunk.isalnum():  # the common case: one plain word (see word_spans)
                out += self.of_word(chunk)
            else:
                for word, _, _ in word_spans(chunk):
                    out += self.of_word(word)
        return out


@dataclass(frozen=True, slots=True)
class GramStats:
    """How common each gram is (document frequency as a share of sampled sentences) and the
    average gram count of a sentence: what gram idf and length normalization need.
    ``count`` and ``generation`` are the collection's size and store generation when they
    were counted."""

    share: dict[str, float]
    sampled: int
    avg_len: float
    count: int = 0
    generation: int = 0

    @classmethod
    def from_texts(
        cls, texts: Iterable[str], grams: Grams, count: int | None = None, generation: int = 0
    ) -> GramStats:
        """Statistics of a sample of sentence texts.

        >>> s = GramStats.from_texts(["قال رودينكو", "قالت الوزارة"], Grams())
        >>> s.sampled, s.share["#قال"], s.share["#رود"]
        (2, 1.0, 0.5)
        """
        df: Counter[str] = Counter()
        total = sampled = 0
        for text in texts:
            found = grams.of_text(text)
            df.update(set(found))
            total += len(found)
            sampled += 1
        share = {g: n / sampled for g, n in df.items()} if sampled else {}
        avg_len = total / sampled if sampled else 0.0
        return cls(share, sampled, avg_len, sampled if count is None else count, generation)

    def idf(self, gram: str, size: int) -> float:
        """Lucene's BM25 idf for a collection of ``size`` sentences (always positive); a gram
        the sample never saw counts as in half a sentence's worth of the sample.

        >>> s = GramStats({"#قال": 1.0, "#رود": 0.5}, 2, 5.0)
        >>> round(s.idf("#قال", 100), 3), round(s.idf("#رود", 100), 3), round(s.idf("xyz", 100), 3)
        (0.005, 0.693, 1.376)
        """
        share = self.share.get(gram)
        df = share * size if share is not None else min(size, size / (2 * max(self.sampled, 1)))
        return math.log(1 + (size - df + 0.5) / (df + 0.5))

    def save(self, path: Path) -> None:
        payload = {
            "count": self.count,
            "generation": self.generation,
            "sampled": self.sampled,
            "avg_len": self.avg_len,
            "share": self.share,
        }
        path.write_text(json.dumps(payload, ensure_ascii=False), encoding="utf-8")

    @classmethod
    def load(cls, path: Path) -> GramStats:
        payload = json.loads(path.read_text(encoding="utf-8"))
        return cls(
            {str(k): float(v) for k, v in payload["share"].items()},
            int(payload["sampled"]),
            float(payload["avg_len"]),
            int(payload["count"]),
            int(payload["generation"]),
        )
