"""Where the matched words are in an answer's sentence, and how to mark them."""

from __future__ import annotations

from collections.abc import Callable, Collection
from itertools import pairwise

from index.text.analysis import Analyzer

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

    >>> from index.text.analysis import LightSegmenter
    >>> matched_spans("وأكد رودينكو أن أوزبكستان", {"اوزبكست"}, Analyzer(LightSegmenter()))
    ((16, 25),)
    """
    return merge_spans([(t.start, t.end) for t in analyzer.tokens(text) if t.term in stems])


# One kind of mark: its spans, and what goes before and after each.
Layer = tuple[Spans, str, str]


def marked(
    text: str,
    spans: Spans,
    before: str,
    after: str,
    escape: Callable[[str], str] = str,
    *,
    outer: Layer | None = None,
) -> str:
    """``text`` with each span wrapped in ``before``/``after``; ``escape`` applies to the
    text pieces only, so markup can be added around escaped text. ``outer``: a second
    kind of mark (the answer phrase), opened outside the first where they overlap, so the
    markup always nests. Each layer's spans are sorted and do not overlap (as
    :func:`merge_spans` gives them): one pass over the text, however many spans.

    >>> marked("قال رودينكو إن", ((4, 11),), "<b>", "</b>")
    'قال <b>رودينكو</b> إن'
    >>> marked("a<b", ((0, 1),), "[", "]", escape=lambda s: s.replace("<", "&lt;"))
    '[a]&lt;b'
    >>> marked("وقع 20 اتفاقية", ((7, 14),), "<b>", "</b>", outer=(((4, 14),), "<u>", "</u>"))
    'وقع <u>20 <b>اتفاقية</b></u>'
    >>> marked("abcd", ((0, 2),), "<b>", "</b>", outer=(((1, 4),), "<u>", "</u>"))
    '<b>a</b><u><b>b</b>cd</u>'
    """
    layers: list[Layer] = [*([outer] if outer else []), (spans, before, after)]
    edges = sorted({0, len(text), *(x for spans_, _, _ in layers for span in spans_ for x in span)})
    out: list[str] = []
    open_: list[int] = []  # layers open now, outermost first
    at = [0] * len(layers)  # per layer, its first span not yet passed (spans are sorted)
    for start, end in pairwise(edges):
        active = []
        for i, (spans_, _, _) in enumerate(layers):
            while at[i] < len(spans_) and spans_[at[i]][1] <= start:
                at[i] += 1
            if at[i] < len(spans_) and spans_[at[i]][0] <= start and end <= spans_[at[i]][1]:
                active.append(i)
        keep = 0
        while keep < min(len(open_), len(active)) and open_[keep] == active[keep]:
            keep += 1
        out += [layers[i][2] for i in reversed(open_[keep:])]
        out += [layers[i][1] for i in active[keep:]]
        out.append(escape(text[start:end]))
        open_ = active
    out += [layers[i][2] for i in reversed(open_)]
    return "".join(out)
