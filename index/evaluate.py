"""Measure retrieval on a sentence-retrieval set: R@1/3/5, MRR@10, abstention."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from index.question.phrases import FACTOIDS
from index.reading.documents import Document
from index.reading.sentences import Sentence
from index.retrieval.answers import Answer
from index.text.analysis import STOPWORD_FORMS, text_words

CUTS = (1, 3, 5)
MRR_DEPTH = 10


class EvalError(ValueError):
    """A malformed corpus or questions file; the message names the file and line."""


@dataclass(frozen=True, slots=True)
class Question:
    qid: str
    question: str
    gold: frozenset[str]
    answers: tuple[str, ...] = ()  # the answer phrases, where the set gives them


def phrase_tokens(text: str) -> list[str]:
    """The words an answer phrase is compared by: normalized, stopwords and the article off.

    >>> phrase_tokens("في المدينة المنورة،")
    ['مدينه', 'منوره']
    """
    words = [w for w in text_words(text) if w not in STOPWORD_FORMS]
    return [w[2:] if w.startswith("ال") and len(w) > 4 else w for w in words]


def token_f1(found: str, gold: str) -> float:
    """SQuAD's token F1 between a marked phrase and a gold answer.

    >>> token_f1("13 أكتوبر 1958", "حمزة خاشقجي (13 أكتوبر 1958، المدينة المنورة")
    0.6
    >>> token_f1("308", "308"), token_f1("بيروت", "1921")
    (1.0, 0.0)
    """
    a, b = phrase_tokens(found), phrase_tokens(gold)
    common = sum((Counter(a) & Counter(b)).values())
    if not common:
        return 0.0
    precision, recall = common / len(a), common / len(b)
    return 2 * precision * recall / (precision + recall)


@dataclass(slots=True)
class PhraseReport:
    """Answer phrases of one kind, over the questions whose gold sentence came first."""

    asked: int = 0  # such questions
    marked: int = 0  # a phrase was marked
    exact: int = 0  # … equal to a gold answer
    overlapping: int = 0  # … sharing a word with one (token F1 > 0)
    f1: float = 0.0  # sum of the best token F1 of each marked phrase

    def add(self, phrase: str | None, answers: Sequence[str]) -> None:
        self.asked += 1
        if phrase is None:
            return
        self.marked += 1
        best = max((token_f1(phrase, a) for a in answers), default=0.0)
        self.exact += any(phrase_tokens(phrase) == phrase_tokens(a) for a in answers)
        self.overlapping += best > 0
        self.f1 += best

    def as_dict(self) -> dict[str, float | int]:
        marked = self.marked or 1
        return {
            "n": self.asked,
            "marked": self.marked / (self.asked or 1),
            "exact": self.exact / marked,
            "overlapping": self.overlapping / marked,
            "f1": self.f1 / marked,
        }


@dataclass(slots=True)
class Report:
    """The metrics over all questions, and each question's rank (None: not in the top 10)."""

    n: int = 0
    hits_at: dict[int, int] = field(default_factory=lambda: dict.fromkeys(CUTS, 0))
    reciprocal: float = 0.0
    abstained: int = 0
    ranks: list[tuple[str, int | None, bool]] = field(default_factory=list)
    phrases: dict[str, PhraseReport] = field(default_factory=dict)

    def add(self, qid: str, rank: int | None, abstained: bool) -> None:
        self.n += 1
        self.ranks.append((qid, rank, abstained))
        self.abstained += abstained
        if rank is not None:
            for cut in CUTS:
                self.hits_at[cut] += rank <= cut
            if rank <= MRR_DEPTH:
                self.reciprocal += 1 / rank

    def summary(self) -> tuple[float, float, float]:
        """R@1 and R@3 in percent, and MRR@10."""
        n = self.n or 1
        return 100 * self.hits_at[1] / n, 100 * self.hits_at[3] / n, self.reciprocal / n

    def as_dict(self) -> dict[str, object]:
        """The ``--json`` contract: fractions, and n; ``answer_phrase``: per factoid kind."""
        n = self.n or 1
        return {
            **{f"recall@{c}": self.hits_at[c] / n for c in CUTS},
            "mrr@10": self.reciprocal / n,
            "abstained": self.abstained / n,
            "n": self.n,
            "answer_phrase": {
                kind: self.phrases[kind].as_dict()
                for kind in sorted(FACTOIDS)
                if kind in self.phrases
            },
        }


def read_jsonl(path: Path, required: Sequence[str]) -> list[dict]:
    """Rows of a JSON-lines file, each checked for the ``required`` keys."""
    rows = []
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise EvalError(f"{path}: cannot read ({exc})") from None
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except ValueError:
            raise EvalError(f"{path}:{number}: not valid JSON") from None
        missing = [k for k in required if not isinstance(row, dict) or k not in row]
        if missing:
            raise EvalError(f"{path}:{number}: missing {', '.join(missing)}")
        rows.append(row)
    return rows


def corpus_documents(rows: Iterable[dict]) -> tuple[list[Document], dict[tuple[str, int], str]]:
    """One document per ``doc`` title, one sentence per row (never re-split), in the
    paragraph the row's optional ``paragraph`` key names (without it: one paragraph).

    Returns the documents and the map (document, ordinal) → row id.

    >>> docs, ids = corpus_documents([
    ...     {"id": "a", "doc": "د", "paragraph": 0, "text": "جملة أولى."},
    ...     {"id": "b", "doc": "د", "paragraph": 1, "text": "جملة ثانية."}])
    >>> [(s.paragraph, docs[0].text[s.start:s.end]) for s in docs[0].sentences], ids[("د", 2)]
    ([(0, 'جملة أولى.'), (1, 'جملة ثانية.')], 'b')
    """
    grouped: dict[str, list[dict]] = {}
    for row in rows:
        grouped.setdefault(str(row["doc"]), []).append(row)
    documents = []
    ids: dict[tuple[str, int], str] = {}
    for title, members in grouped.items():
        sentences: list[Sentence] = []
        body = ""
        for n, row in enumerate(members):
            text = " ".join(str(row["text"]).split())
            paragraph = row.get("paragraph", 0)
            if not isinstance(paragraph, int) or isinstance(paragraph, bool):
                raise EvalError(f"row {row['id']}: paragraph must be a whole number")
            if sentences:
                body += " " if sentences[-1].paragraph == paragraph else "\n"
            sentences.append(Sentence(text, len(body), len(body) + len(text), paragraph, False))
            body += text
            ids[(title, n + 1)] = str(row["id"])
        documents.append(Document(title, title, body, "", tuple(sentences)))
    return documents, ids


def read_corpus(path: Path) -> tuple[list[Document], dict[tuple[str, int], str]]:
    """The documents of a corpus file (see :func:`corpus_documents`)."""
    return corpus_documents(read_jsonl(path, ("id", "doc", "text")))


class Asks(Protocol):
    """What evaluation needs: something that answers questions (a Collection)."""

    def ask(self, question: str, k: int | None = None) -> Answer: ...


def evaluate(
    collection: Asks, ids: dict[tuple[str, int], str], questions: Iterable[Question]
) -> Report:
    """Ask every question; find the rank of its first gold sentence in the top 10 (a hit
    counts for each place it cites: where its sentence stands, and where its document
    repeats it)."""
    report = Report()
    for q in questions:
        answer = collection.ask(q.question, MRR_DEPTH)
        places = [{ids.get((h.document, n)) for n in (h.ordinal, *h.copies)} for h in answer.hits]
        rank = next((i for i, cited in enumerate(places, 1) if cited & q.gold), None)
        report.add(q.qid, rank, answer.empty)
        kind = answer.kind
        if rank == 1 and kind in FACTOIDS and q.answers:
            top = answer.hits[0]
            phrase = top.text[top.answer[0] : top.answer[1]] if top.answer else None
            report.phrases.setdefault(kind, PhraseReport()).add(phrase, q.answers)
    return report


def load_questions(path: Path) -> list[Question]:
    rows = read_jsonl(path, ("qid", "question", "gold"))
    return [
        Question(
            str(r["qid"]),
            str(r["question"]),
            frozenset(map(str, r["gold"])),
            tuple(map(str, r.get("answers") or ())),
        )
        for r in rows
    ]


def format_report(report: Report) -> str:
    """The human summary: one line of metrics."""
    n = report.n or 1
    r1, r3, mrr = report.summary()
    lines = [
        f"R@1 {r1:.1f}%  R@3 {r3:.1f}%  R@5 {100 * report.hits_at[5] / n:.1f}%  "
        f"MRR@10 {mrr:.3f}  abstained {100 * report.abstained / n:.1f}%  n={report.n}"
    ]
    for kind in sorted(report.phrases):
        p = report.phrases[kind].as_dict()
        lines.append(
            f"answer phrase · {kind}: marked {100 * p['marked']:.0f}% of {p['n']}, "
            f"of those exact {100 * p['exact']:.0f}%, overlapping {100 * p['overlapping']:.0f}%, "
            f"F1 {p['f1']:.2f}"
        )
    return "\n".join(lines)
