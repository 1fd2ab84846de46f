"""Document titles as evidence: what a title says, every sentence of its document is about."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from index.reading.documents import is_given_title
from index.storage.store import DocumentInfo
from index.text.grams import GramLine, gram_counts


@dataclass(frozen=True, slots=True)
class Title:
    """A document title's stems (with their counts) and its gram line."""

    stems: Counter[str]
    line: GramLine


class Titles:
    """The titles of a generation's documents, analysed once each, when first needed.

    A title counts only where the document was given one (a heading on its first line,
    the file's own title, a web page's ``<title>``); a title cut from the start of the
    first sentence is that sentence's words, not a topic, and counts for nothing.

    >>> from index.text.analysis import Analyzer, LightSegmenter
    >>> info = lambda i, title: DocumentInfo(i, f"{i}.txt", title, "", "", i, "text", "")
    >>> t = Titles({1: info(1, "مدينة حلب"), 2: info(2, "قال الوزير إن مدينة حلب…")},
    ...            Analyzer(LightSegmenter()).terms)
    >>> t.stem_counts(["حلب", "مدين", "سوق"], [1, 2, 1]).tolist()
    [[1.0, 0.0, 1.0], [1.0, 0.0, 1.0], [0.0, 0.0, 0.0]]
    >>> t.gram_counts(["#حلب#", "سوق"], [2, 1]).tolist()
    [[0.0, 1.0], [0.0, 0.0]]
    """

    def __init__(
        self, documents: Mapping[int, DocumentInfo], terms: Callable[[str], list[str]]
    ) -> None:
        self.documents = documents
        self.terms = terms
        self._found: dict[int, Title] = {}

    def of(self, document: int) -> Title:
        """The title of ``document`` (empty where it was not given one)."""
        found = self._found.get(document)
        if found is None:
            info = self.documents.get(document)
            text = info.title if info is not None and is_given_title(info.title) else ""
            found = Title(Counter(self.terms(text)), GramLine.of(text))
            self._found[document] = found
        return found

    def stem_counts(self, stems: Sequence[str], documents: Sequence[int]) -> np.ndarray:
        """Stems × documents: how often each stem stands in each document's title."""
        titles = [self.of(d).stems for d in documents]
        return np.array(
            [[float(title.get(s, 0)) for title in titles] for s in stems], dtype=np.float64
        ).reshape(len(stems), len(documents))

    def gram_counts(self, grams: Sequence[str], documents: Sequence[int]) -> np.ndarray:
        """Grams × documents: how often each gram stands in each document's title."""
        distinct = sorted(set(documents))
        counts = gram_counts(grams, [self.of(d).line for d in distinct])
        column = {d: i for i, d in enumerate(distinct)}
        return counts[:, [column[d] for d in documents]]
