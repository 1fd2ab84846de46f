"""Where the matched words are in an answer's sentence, and how to mark them."""

from __future__ import annotations

from collections.abc import Callable, Collection

from index.analysis import Analyzer

Spans = tuple[tuple[int, int], ...]


def merge_spans(spans: list[tuple[int, int]]) -> Spans:
    """Sort spans and merge those that overlap.

    >>> merge_spans([(5, 8), (0, 3), (2, 4)])
    ((0, 4), (5, 8))
    """
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return tuple(merged)


def matched_spans(text: str, stems: Collection[str], analyzer: Analyzer) -> Spans:
    """The character spans of the words of ``text`` that have one of ``stems``.

    >>> from index.analysis import LightSegmenter
    >>> matched_spans("وأكد رودينكو أن أوزبكستان", {"اوزبكست"}, Analyzer(LightSegmenter()))
    ((16, 25),)
    """
    return merge_spans([(t.start, t.end) for t in analyzer.tokens(text) if t.term in stems])


def marked(
    text: str,
    spans: Spans,
    before: str,
    after: str,
    escape: Callable[[str], str] = str,
) -> str:
    """``text`` with each span wrapped in ``before``/``after``; ``escape`` applies to the
    text pieces only, so markup can be added around escaped text.

    >>> marked("قال رودينكو إن", ((4, 11),), "<b>", "</b>")
    'قال <b>رودينكو</b> إن'
    >>> marked("a<b", ((0, 1),), "[", "]", escape=lambda s: s.replace("<", "&lt;"))
    '[a]&lt;b'
    """
    out: list[str] = []
    cursor = 0
    for start, end in spans:
        out += [escape(text[cursor:start]), before, escape(text[start:end]), after]
        cursor = end
    out.append(escape(text[cursor:]))
    return "".join(out)
