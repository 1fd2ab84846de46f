"""The speech stage: for «ماذا قال X عن Y؟», the sentences X speaks in that concern Y."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from index.question.query import Speech
from index.question.speakers import NAMES, track_speakers
from index.retrieval.scoring import Scorer
from index.storage.rows import Rows
from index.storage.store import DocumentInfo, StoredSentence

SPEECH_DOCUMENTS = 5  # documents searched for a speaker's statements
# A document of up to WHOLE_DOCUMENT sentences is read whole; a longer one only WINDOW
# sentences either side of each of the engine's best sentences in it (who is speaking is
# settled within them), so that a question costs the same whatever the document's size
# (a 15 MB report made each «ماذا قال» take 8.6 s and 388 MB).
WHOLE_DOCUMENT = 2_000
WINDOW = 100
NEIGHBOUR_WEIGHT = 0.3  # what the sentences around say about Y
NAMED_WEIGHT = 0.2  # X named in the sentence (beyond being its speaker)


def speech_ranking(
    speech: Speech,
    pool: Sequence[tuple[int, float]],
    rows: Rows,
    engine: Scorer,
    documents: Mapping[int, DocumentInfo],
) -> tuple[list[tuple[int, float]], dict[int, str]]:
    """The ranking for a speech question, from the documents of the engine's best
    sentences for speaker and topic (``pool``), and the speaker's name where they speak;
    empty when the speaker is never found speaking there."""
    if not speech.who or not speech.speaker:
        return [], {}
    seeds = rows.get([d for d, _ in pool])
    candidates = list(dict.fromkeys(seeds[d].document for d, _ in pool if d in seeds))
    scored: list[tuple[int, float]] = []
    names: dict[int, str] = {}
    for doc in candidates[:SPEECH_DOCUMENTS]:
        info = documents.get(doc)
        count = info.sentences if info else 10**9
        if count <= WHOLE_DOCUMENT:
            spans = [(1, count)]
        else:
            hits = [seeds[d].ordinal for d, _ in pool if d in seeds and seeds[d].document == doc]
            spans = windows(hits, count)
        for first, last in spans:
            sentences = rows.document(doc, first, last)
            scored += _spoken(speech, sentences, rows, engine, names)
    scored.sort(key=lambda hit: (-hit[1], hit[0]))
    return scored, names


def windows(ordinals: Sequence[int], count: int, width: int = WINDOW) -> list[tuple[int, int]]:
    """The stretches of a long document read around the given sentences (its first is 1):
    ``width`` sentences either side of each, overlapping ones merged.

    >>> windows([500, 450, 5000], 10_000, width=100)
    [(350, 600), (4900, 5100)]
    >>> windows([3], 10, width=100)
    [(1, 10)]
    """
    spans: list[tuple[int, int]] = []
    for ordinal in sorted(ordinals):
        first, last = max(1, ordinal - width), min(count, ordinal + width)
        if spans and first <= spans[-1][1] + 1:
            spans[-1] = (spans[-1][0], max(spans[-1][1], last))
        else:
            spans.append((first, last))
    return spans


def _spoken(
    speech: Speech,
    sentences: Sequence[StoredSentence],
    rows: Rows,
    engine: Scorer,
    names: dict[int, str],
) -> list[tuple[int, float]]:
    """One stretch of a document's sentences ranked for the speech question (nothing when
    the speaker is never found speaking in it); where they speak, their name into
    ``names``."""
    speakers = track_speakers(sentences, NAMES)
    spoken = np.array([bool(sp and speech.speaker & sp.stems) for sp in speakers])
    if not spoken.any():
        return []
    numbers = rows.numbers([s.id for s in sentences])
    names.update(
        (int(n), sp.name)
        for n, sp, said in zip(numbers, speakers, spoken, strict=True)
        if said and sp
    )
    about = engine.score_docs(speech.about, numbers) if speech.about else np.zeros(len(numbers))
    who = engine.score_docs(speech.who, numbers)
    heading = np.array([s.heading for s in sentences])
    final = speech_scores(about, who, spoken, heading)
    return [(int(n), float(v)) for n, v in zip(numbers, final, strict=True) if v > 0]


def speech_scores(
    about: np.ndarray, who: np.ndarray, spoken: np.ndarray, heading: np.ndarray
) -> np.ndarray:
    """Rank a document's sentences for «what did X say about Y»: what concerns Y (the
    sentence, and a little its neighbours, headings aside), X named, above all X speaking.

    >>> no = np.array([False] * 4)
    >>> speech_scores(np.array([0.0, 2.0, 0.0, 1.0]), np.array([1.0, 0.0, 0.0, 0.0]),
    ...               np.array([False, True, True, False]), no).round(2).tolist()
    [0.8, 4.0, 2.6, 1.0]
    """
    around = np.where(heading, 0.0, about)  # a heading is not what a sentence is about
    before = np.concatenate([[0.0], around[:-1]])
    after = np.concatenate([around[1:], [0.0]])
    bonus = max(float(about.max(initial=0.0)), float(who.max(initial=0.0)), 1.0)
    context = NEIGHBOUR_WEIGHT * np.maximum(before, after)
    return about + context + NAMED_WEIGHT * who + bonus * spoken
