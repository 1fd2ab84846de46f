"""Question words the index has never seen, corrected to a known word one edit away."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from index.text.analysis import has_arabic

# Letters of folded stems (see analysis.fold_letters: أ إ آ → ا, ى → ي, ة → ه).
LETTERS = "ءؤئابتثجحخدذرزسشصضطظعغفقكلمنهوي"
MIN_LENGTH = 6  # shorter words have too many neighbours one edit away to guess from
MAX_LENGTH = 20  # longer ones are no word anyone meant (and their edits are many)
# Letters that differ by their dots alone (of folded stems, where ى is ي and ة is ه): what
# OCR confuses most in Arabic («اوزيكست» read for «اوزبكست»).
DOT_CLASSES = ("بتثنيئ", "جحخ", "دذ", "رز", "سش", "صض", "طظ", "عغ", "فق")
_DOTTED = {ch: letters for letters in DOT_CLASSES for ch in letters}
MIN_DOTTED = 5  # a shorter word's other dots are too often another word


def edits(word: str) -> set[str]:
    """Every string one deletion, transposition, substitution or insertion from ``word``.

    >>> "رودينكو" in edits("رودنكو"), "رودنكو" in edits("رودينكو"), "روسكو" in edits("رودنكو")
    (True, True, False)
    """
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    deletes = {a + b[1:] for a, b in splits if b}
    swaps = {a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1}
    replaces = {a + c + b[1:] for a, b in splits if b for c in LETTERS}
    inserts = {a + c + b for a, b in splits for c in LETTERS}
    return (deletes | swaps | replaces | inserts) - {word}


def correct(term: str, idf: Callable[[str], float | None]) -> str:
    """``term`` itself when the index knows it (``idf`` not None) or its length is out of
    MIN_LENGTH..MAX_LENGTH, else the most common known word one edit away (lowest idf;
    ties alphabetical), else ``term``.

    >>> known = {"رودينكو": 3.0, "روسي": 0.5}.get
    >>> correct("رودنكو", known), correct("رودينكو", known), correct("برازيل", known)
    ('رودينكو', 'رودينكو', 'برازيل')
    >>> correct("ر" * 500, known) == "ر" * 500
    True
    """
    if not MIN_LENGTH <= len(term) <= MAX_LENGTH or not has_arabic(term):
        return term
    if idf(term) is not None:
        return term
    found = [(value, word) for word in edits(term) if (value := idf(word)) is not None]
    return min(found)[1] if found else term


def dot_variants(term: str, known: Callable[[str], bool]) -> tuple[str, ...]:
    """The ``known`` words that differ from ``term`` by the dots of one letter: what OCR
    reads for it (none for a word shorter than MIN_DOTTED letters).

    >>> dot_variants("اوزبكست", {"اوزيكست", "اوزبكست", "اوربكست"}.__contains__)
    ('اوربكست', 'اوزيكست')
    >>> dot_variants("روس", {"زوس"}.__contains__)
    ()
    """
    if len(term) < MIN_DOTTED or not has_arabic(term):
        return ()
    return tuple(
        variant
        for i, letter in enumerate(term)
        for other in _DOTTED.get(letter, "")
        if other != letter and known(variant := term[:i] + other + term[i + 1 :])
    )


def corrected(terms: Iterable[str], idf: Callable[[str], float | None]) -> tuple[str, ...]:
    """Each term through :func:`correct`.

    >>> corrected(["رودنكو", "اوزبكست"], {"رودينكو": 3.0, "اوزبكست": 2.0}.get)
    ('رودينكو', 'اوزبكست')
    """
    return tuple(correct(t, idf) for t in terms)
