"""A text's words, each as written, where it stands and its normalized forms: one word record."""

from __future__ import annotations

from dataclasses import dataclass

from index.text.analysis import light_stem, normalize, split_proclitic, word_spans


@dataclass(frozen=True, slots=True)
class Word:
    """One word: as written, where it stands in its text, normalized, without the article or
    a one-letter proclitic (``bare``), its light stem, and, in a parsed question, its index
    stems (spelling corrected against the index; none for a stopword: see
    :func:`index.question.query.parse_query`).

    >>> w = Word.of("والمدرسة", 3)
    >>> w.normal, w.bare, w.stem, w.end
    ('والمدرسه', 'مدرسه', 'مدرس', 11)
    """

    text: str
    start: int
    end: int
    normal: str
    bare: str
    stem: str
    stems: tuple[str, ...] = ()

    @classmethod
    def of(
        cls, text: str, start: int = 0, end: int | None = None, stems: tuple[str, ...] = ()
    ) -> Word:
        """The word ``text`` standing at ``start`` of its text (up to ``end``)."""
        normal = normalize(text)
        bare = normal[split_proclitic(normal, proclitics="وفبلك") :]
        end = start + len(text) if end is None else end
        return cls(text, start, end, normal, bare, light_stem(normal), stems)


def words_of(text: str) -> list[Word]:
    """Every word of ``text``, by camel-tools' tokenizer (see
    :func:`index.text.analysis.word_spans`).

    >>> [(w.text, w.start) for w in words_of("قال رودينكو: نعم.")]
    [('قال', 0), ('رودينكو', 4), ('نعم', 13)]
    """
    return [Word.of(word, start, end) for word, start, end in word_spans(text)]
