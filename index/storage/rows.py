"""The stored sentences behind engine document numbers, fetched once per question."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from index.storage.store import Store, StoredSentence


class Rows:
    """The stored sentences behind engine document numbers (``ids[n]`` is the sentence id
    of engine document ``n``), each fetched once per question however many steps of the
    ranking look at it."""

    def __init__(self, store: Store, ids: np.ndarray) -> None:
        self.store = store
        self.ids = ids
        self._rows: dict[int, StoredSentence] = {}

    def get(self, numbers: Sequence[int]) -> dict[int, StoredSentence]:
        """The rows of these engine document numbers (those still stored), fetching only
        those not seen yet."""
        missing = [n for n in numbers if n not in self._rows]
        if missing:
            stored = self.store.sentences([int(self.ids[n]) for n in missing])
            for n in missing:
                row = stored.get(int(self.ids[n]))
                if row is not None:
                    self._rows[n] = row
        return {n: self._rows[n] for n in numbers if n in self._rows}

    def document(self, document: int, first: int, last: int) -> list[StoredSentence]:
        """The sentences of one document from ``first`` to ``last`` (its first is 1), in
        order."""
        return self.store.document_sentences(document, first, last)

    def numbers(self, sentence_ids: Sequence[int]) -> np.ndarray:
        """The engine document numbers of these sentence ids (ids ascend with numbers)."""
        return np.searchsorted(self.ids, sentence_ids)
