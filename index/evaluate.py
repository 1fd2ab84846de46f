"""Measure retrieval on a sentence-retrieval set: R@1/3/5, MRR@10, abstention."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from index.documents import Document
from index.search import Answer
from index.sentences import Sentence

CUTS = (1, 3, 5)
MRR_DEPTH = 10


class EvalError(ValueError):
    """A malformed corpus or questions file; the message names the file and line."""


@dataclass(frozen=True, slots=True)
class Question:
    qid: str
    question: str
    gold: frozenset[str]


@dataclass(slots=True)
class Report:
    """The metrics over all questions, and each question's rank (None: not in the top 10)."""

    n: int = 0
    hits_at: dict[int, int] = field(default_factory=lambda: dict.fromkeys(CUTS, 0))
    reciprocal: float = 0.0
    abstained: int = 0
    ranks: list[tuple[str, int | None, bool]] = field(default_factory=list)

    def add(self, qid: str, rank: int | None, abstained: bool) -> None:
        self.n += 1
        self.ranks.append((qid, rank, abstained))
        self.abstained += abstained
        if rank is not None:
            for cut in CUTS:
                self.hits_at[cut] += rank <= cut
            if rank <= MRR_DEPTH:
                self.reciprocal += 1 / rank

    def as_dict(self) -> dict[str, float | int]:
        """The ``--json`` contract: fractions, and n."""
        n = self.n or 1
        return {
            **{f"recall@{c}": self.hits_at[c] / n for c in CUTS},
            "mrr@10": self.reciprocal / n,
            "abstained": self.abstained / n,
            "n": self.n,
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
    """Ask every question; find the rank of its first gold sentence in the top 10."""
    report = Report()
    for q in questions:
        answer = collection.ask(q.question, MRR_DEPTH)
        ranked = [ids.get((h.document, h.ordinal)) for h in answer.hits]
        rank = next((i for i, sid in enumerate(ranked, 1) if sid in q.gold), None)
        report.add(q.qid, rank, answer.empty)
    return report


def load_questions(path: Path) -> list[Question]:
    rows = read_jsonl(path, ("qid", "question", "gold"))
    return [
        Question(str(r["qid"]), str(r["question"]), frozenset(map(str, r["gold"]))) for r in rows
    ]


def format_report(report: Report) -> str:
    """The human summary: one line of metrics."""
    d = report.as_dict()
    return (
        f"R@1 {100 * d['recall@1']:.1f}%  R@3 {100 * d['recall@3']:.1f}%  "
        f"R@5 {100 * d['recall@5']:.1f}%  MRR@10 {d['mrr@10']:.3f}  "
        f"abstained {100 * d['abstained']:.1f}%  n={report.n}"
    )
