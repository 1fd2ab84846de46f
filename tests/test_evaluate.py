"""`sanad eval`: retrieval and answer-phrase numbers on a sentence-retrieval set, and clear
errors for a malformed one."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from index.cli import main

# A small set written for these tests: two articles, paragraphs given by the rows.
CORPUS = [
    ("m1", "المكتبة", 0, "تأسست المكتبة الوطنية في مدينة بيروت عام 1921."),
    ("m2", "المكتبة", 0, "وهي تضم نحو 300 ألف كتاب ومخطوطة."),
    ("m3", "المكتبة", 1, "أغلقت المكتبة أبوابها خلال الحرب الأهلية."),
    ("m4", "المكتبة", 1, "أعيد افتتاح المكتبة الوطنية في ديسمبر 2018 بعد ترميمها."),
    ("n1", "النهر", 0, "يبلغ طول نهر الليطاني 170 كيلومترا."),
    ("n2", "النهر", 0, "ينبع النهر من سهل البقاع ويصب في البحر المتوسط."),
    ("n3", "النهر", 1, "بني على النهر سد القرعون في ستينيات القرن الماضي."),
]
QUESTIONS = [
    ("q1", "متى تأسست المكتبة الوطنية؟", ["1921"], ["m1"]),
    ("q2", "كم كتابا تضم المكتبة؟", ["300 ألف"], ["m2"]),
    ("q3", "كم يبلغ طول نهر الليطاني؟", ["170 كيلومترا"], ["n1"]),
    ("q4", "متى أعيد افتتاح المكتبة الوطنية؟", ["ديسمبر 2018"], ["m4"]),
    ("q5", "أين ينبع النهر؟", ["سهل البقاع"], ["n2"]),
    ("q6", "ما السد الذي بني على النهر؟", ["سد القرعون"], ["n3"]),
]


def write_set(folder: Path, corpus=CORPUS, questions=QUESTIONS) -> tuple[Path, Path]:
    folder.mkdir(parents=True, exist_ok=True)
    rows = [{"id": i, "doc": d, "paragraph": p, "text": t} for i, d, p, t in corpus]
    asked = [{"qid": q, "question": t, "answers": a, "gold": g} for q, t, a, g in questions]
    paths = folder / "corpus.jsonl", folder / "questions.jsonl"
    for path, items in zip(paths, (rows, asked), strict=True):
        path.write_text("".join(json.dumps(x, ensure_ascii=False) + "\n" for x in items), "utf-8")
    return paths


def eval_json(capsys: pytest.CaptureFixture[str], corpus: Path, questions: Path) -> dict:
    assert main(["eval", str(corpus), str(questions), "--json"]) == 0
    return json.loads(capsys.readouterr().out.strip().splitlines()[-1])


@pytest.mark.slow
def test_eval_reports_recall_and_the_answer_phrases_it_marked(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    report = eval_json(capsys, *write_set(tmp_path))
    assert report["n"] == len(QUESTIONS)
    assert report["recall@1"] == 1.0 and report["mrr@10"] == 1.0
    phrases = report["answer_phrase"]
    assert set(phrases) == {"date", "number", "place"}  # q6 asks for no factoid kind
    assert phrases["date"] == {"n": 2, "marked": 1.0, "exact": 1.0, "overlapping": 1.0, "f1": 1.0}
    assert phrases["number"]["n"] == 2 and phrases["number"]["marked"] == 1.0
    assert phrases["number"]["overlapping"] == 1.0  # «300 ألف كتاب», «170 كيلومترا»
    assert phrases["place"]["marked"] == 1.0


def test_eval_prints_one_line_per_kind_of_answer_phrase(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    corpus, questions = write_set(tmp_path)
    assert main(["eval", str(corpus), str(questions)]) == 0
    out = capsys.readouterr().out
    assert "R@1 100.0%" in out
    assert "answer phrase · date: marked 100% of 2, of those exact 100%" in out


def test_a_question_whose_gold_sentence_is_not_first_counts_for_no_phrase(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    wrong_gold = [("q1", "متى تأسست المكتبة الوطنية؟", ["1921"], ["m3"])]
    report = eval_json(capsys, *write_set(tmp_path, questions=wrong_gold))
    assert report["recall@1"] == 0.0 and report["answer_phrase"] == {}


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ('{"id": "a", "doc": "د", "text": "جملة", "paragraph": "الأولى"}', "paragraph"),
        ('{"id": "a", "doc": "د"}', "missing text"),
        ("{not json", "not valid JSON"),
    ],
)
def test_a_malformed_corpus_is_named_with_its_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], row: str, message: str
) -> None:
    corpus, questions = write_set(tmp_path)
    corpus.write_text(row + "\n", encoding="utf-8")
    assert main(["eval", str(corpus), str(questions)]) != 0
    assert message in capsys.readouterr().err


def test_paragraphs_are_read_and_a_set_without_them_still_runs(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    corpus, questions = write_set(tmp_path)
    rows = [json.loads(line) for line in corpus.read_text("utf-8").splitlines()]
    corpus.write_text(
        "".join(
            json.dumps({k: v for k, v in r.items() if k != "paragraph"}, ensure_ascii=False) + "\n"
            for r in rows
        ),
        encoding="utf-8",
    )
    assert eval_json(capsys, corpus, questions)["recall@1"] == 1.0
