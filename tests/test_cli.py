"""`sanad` end to end on the seed article: ask (human and JSON), build, docs, bad input."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

import numpy as np
import pytest

from harness.seeds import sanad_free_environ
from index.cli import EXIT_ERROR, main
from tests.conftest import SANAD, SEED_DOC, SEEDS, run_sanad, seed_examples

QUESTION = "ماذا قال رودينكو عن أوزبكستان؟"


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A working folder with a copy of the seeds and no index yet."""
    shutil.copytree(SEEDS, tmp_path / "seeds")
    monkeypatch.chdir(tmp_path)
    for var in set(os.environ) - set(sanad_free_environ()):
        monkeypatch.delenv(var)
    monkeypatch.setenv("CAMELTOOLS_DATA", str(tmp_path / "no-camel-data"))
    return tmp_path


def ask_json(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, dict]:
    code = main(["ask", *args, "--json"])
    return code, json.loads(capsys.readouterr().out)


@pytest.mark.parametrize("example", seed_examples(), ids=lambda e: e["kind"])
def test_seed_examples_find_an_acceptable_sentence_in_the_top_3(
    project: Path, capsys: pytest.CaptureFixture[str], example: dict
) -> None:
    code, answer = ask_json(capsys, example["question"], "-k", "3")
    assert code == 0 and not answer["empty"]
    texts = [hit["text"] for hit in answer["hits"]]
    assert any(gold in text for text in texts for gold in example["gold_any"]), texts


def test_ask_builds_the_index_on_first_use_then_reuses_it(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["ask", QUESTION]) == 0
    captured = capsys.readouterr()
    assert "building it from seeds" in captured.err
    assert (project / "data" / "sanad.sqlite3").is_file()
    assert main(["ask", QUESTION]) == 0
    assert "building" not in capsys.readouterr().err


def test_human_output_ranks_cites_and_marks_words(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["ask", QUESTION, "-k", "2"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("1. كما أشار **رودينكو** إلى أن روسيا **وأوزبكستان**")
    assert lines[1].strip().startswith("[أكد نائب وزير الخارجية الروسي، أندريه رودينكو… #14]")
    assert lines[2].startswith("2. ")
    assert len(lines) == 4


def test_json_output_shape(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, answer = ask_json(capsys, QUESTION)
    assert code == 0
    assert set(answer) == {"question", "understood", "empty", "reason", "hits"}
    assert answer["understood"] is None  # no --after: read as it is
    hit = answer["hits"][0]
    assert {"doc", "ordinal", "text", "score", "spans"} <= set(hit)
    assert hit["doc"] == SEED_DOC.name
    assert [hit["text"][a:b] for a, b in hit["spans"]] == ["رودينكو", "وأوزبكستان"]


@pytest.mark.parametrize(
    "question", ["", "   ", "؟؟؟!!", "🙂🙂🙂", "ماذا؟ لماذا؟", "س" * 10_000, "What?"]
)
def test_unusable_questions_get_one_clear_line_and_exit_2(
    project: Path,
    capsys: pytest.CaptureFixture[str],
    question: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # "What?" is read by the encoder when matching by meaning is on (test_meaning.py)
    monkeypatch.setenv("SANAD_SEMANTIC_ENABLED", "0")
    assert main(["build"]) == 0
    capsys.readouterr()
    assert main(["ask", question]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert len(captured.err.strip().splitlines()) == 1 and captured.err.startswith("sanad: ")


def test_a_question_with_no_answer_says_so_and_exits_1(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, answer = ask_json(capsys, "ما عاصمة البرازيل؟")
    assert (code, answer["empty"], answer["reason"], answer["hits"]) == (1, True, "no_match", [])


def test_build_summarises_and_docs_lists(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["build"]) == 0
    out = capsys.readouterr().out
    assert "indexed 1 document (1 added" in out and "25 sentences" in out
    assert main(["build"]) == 0
    assert "0 added, 0 updated, 0 removed, 1 unchanged" in capsys.readouterr().out
    assert main(["docs"]) == 0
    out = capsys.readouterr().out
    assert SEED_DOC.name in out and "25 sentences" in out


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("latin1.txt", "café".encode("latin-1"), "not UTF-8 text"),
        ("empty.txt", b"  \n\n ", "empty document"),
        ("binary.txt", b"\x00\x01\x02binary", "binary data"),
    ],
)
def test_a_bad_document_is_refused_and_the_index_untouched(
    project: Path, capsys: pytest.CaptureFixture[str], name: str, content: bytes, message: str
) -> None:
    assert main(["build"]) == 0
    capsys.readouterr()
    _, before = ask_json(capsys, QUESTION)
    (project / "seeds" / name).write_bytes(content)
    assert main(["build"]) == EXIT_ERROR
    err = capsys.readouterr().err
    assert err.startswith(f"sanad: error: {name}: {message}") and len(err.splitlines()) == 1
    (project / "seeds" / name).unlink()
    _, after = ask_json(capsys, QUESTION)
    assert after == before


def test_non_text_files_in_the_seeds_folder_are_named_and_skipped(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (project / "seeds" / "photo.jpg").write_bytes(b"\xff\xd8\xff\xe0binary")
    assert main(["build"]) == 0
    out = capsys.readouterr().out
    assert "ignored 1 file in formats Sanad does not read: seeds/photo.jpg" in out
    assert "indexed 1 document " in out


def test_documents_given_on_the_command_line(project: Path, capsys) -> None:
    doc = project / "extra.md"
    doc.write_text("# ملاحظة\nتقع طشقند في أوزبكستان.\n", encoding="utf-8")
    assert main(["build", str(doc)]) == 0
    capsys.readouterr()
    code, answer = ask_json(capsys, "أين تقع طشقند؟")
    assert code == 0 and answer["hits"][0]["doc"] == "extra.md"


def test_config_errors_name_the_key(project: Path, capsys, monkeypatch) -> None:
    (project / "config.toml").write_text("[bm25]\nk3 = 1.0\n", encoding="utf-8")
    assert main(["ask", QUESTION]) == EXIT_ERROR
    assert "unknown config key bm25.k3" in capsys.readouterr().err
    (project / "config.toml").write_text('[search]\ntop_k = "three"\n', encoding="utf-8")
    assert main(["ask", QUESTION]) == EXIT_ERROR
    assert "config key search.top_k: expected an integer" in capsys.readouterr().err
    (project / "config.toml").unlink()
    monkeypatch.setenv("SANAD_SEARCH_TOP_K", "2")
    _, answer = ask_json(capsys, QUESTION)
    assert len(answer["hits"]) == 2


def test_the_installed_console_script_runs(tmp_path: Path) -> None:
    """`sanad ask` as a user runs it: a separate process, piped output (plain markers)."""
    shutil.copytree(SEEDS, tmp_path / "seeds")
    env = sanad_free_environ()
    env["CAMELTOOLS_DATA"] = str(tmp_path / "none")
    done = run_sanad("ask", QUESTION, cwd=tmp_path, env=env)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("1. كما أشار **رودينكو**")
    assert "\033[" not in done.stdout


def test_asking_never_waits_for_a_writer(tmp_path: Path) -> None:
    # opening the store began a write transaction: `sanad ask` waited 14 s and `sanad
    # status` 19 s behind a connection holding the write lock (a build, an upload)
    shutil.copytree(SEEDS, tmp_path / "seeds")
    env = sanad_free_environ()
    env["CAMELTOOLS_DATA"] = str(tmp_path / "none")
    assert run_sanad("build", cwd=tmp_path, env=env).returncode == 0
    writer = sqlite3.connect(tmp_path / "data" / "sanad.sqlite3", isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")  # held for the whole of both commands
    try:
        asked = run_sanad("ask", QUESTION, cwd=tmp_path, env=env, timeout=30)
        status = run_sanad("status", cwd=tmp_path, env=env, timeout=30)
    finally:
        writer.execute("ROLLBACK")
        writer.close()
    assert asked.returncode == 0 and "رودينكو" in asked.stdout, asked.stderr
    assert "25" in status.stdout, status.stdout + status.stderr  # its sentences, read


def test_counts_on_the_command_line_are_checked_against_their_settings(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit):
        main(["ask", "-k", "51", QUESTION])  # search.top_k's own range
    assert "'51' is not a whole number, between 1 and 50" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["ask", "-k", "abc", QUESTION])
    assert "'abc' is not a whole number" in capsys.readouterr().err
    assert main(["build"]) == 0
    assert main(["check", "--sample", "60"]) == 0  # a sample is no page: past 50 is fine


def test_options_go_where_users_type_them_and_version_is_known(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["ask", "-v", QUESTION, "--json"]) == 0  # -v after the command
    assert json.loads(capsys.readouterr().out)["hits"]
    with pytest.raises(SystemExit) as done:
        main(["--version"])
    assert done.value.code == 0 and capsys.readouterr().out.startswith("sanad 0.")


def test_a_closed_pipe_ends_the_output_quietly(project: Path) -> None:
    env = sanad_free_environ()
    env["CAMELTOOLS_DATA"] = str(project / "no-camel-data")
    long = "نص طويل عن تاريخ المدينة وأسواقها القديمة ومساجدها وحدائقها العامة"
    for n in range(450):  # a listing longer than a pipe holds (64 KB)
        (project / "seeds" / f"وثيقة-{n:04}.txt").write_text(f"{long} رقم {n}.", "utf-8")
    assert run_sanad("build", cwd=project, env=env).returncode == 0
    piped = subprocess.run(
        f"{SANAD} docs | head -1",
        shell=True,
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert piped.returncode == 0 and "Traceback" not in piped.stderr and "Error" not in piped.stderr


def test_the_phrase_that_answers_is_given_apart_and_marked_when_piped(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    question = "كم مشروع اتفاقية حكومية بين روسيا وأوزبكستان؟"
    code, answer = ask_json(capsys, question)
    assert code == 0
    first = answer["hits"][0]
    assert first["answer"]["text"] == "20"
    start, end = first["answer"]["span"]
    assert first["text"][start:end] == "20"
    assert all(hit["answer"] is None for hit in answer["hits"][1:])  # the first hit's only
    assert main(["ask", question]) == 0
    assert "__20__ **مشروع**" in capsys.readouterr().out.splitlines()[0]


def test_a_question_that_asks_for_no_fact_marks_no_phrase(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _, answer = ask_json(capsys, QUESTION)
    assert [hit["answer"] for hit in answer["hits"]] == [None] * len(answer["hits"])


def test_check_finds_a_sound_index_sound_and_says_what_is_damaged(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["check"]) == 1  # no index yet: one line saying so
    assert capsys.readouterr().out.startswith("FAIL no index")
    assert main(["build"]) == 0
    capsys.readouterr()
    assert main(["check", "--sample", "30"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines == [
        "ok   sqlite integrity_check",
        "ok   engine files fit generation 1, 25 sentences",
        "ok   vectors: every sentence has one (25 sentences, multilingual-e5-small-q4)",
        "ok   scores equal rank_bm25.BM25Okapi's on 30 questions",
    ]
    # postings that no longer say what the stored terms say: the scores give it away
    [segment] = (project / "data" / "sanad.sqlite3.engine").glob("g[0-9]*")
    lengths = np.load(segment / "doc_len.npy")
    np.save(segment / "doc_len.npy", lengths[::-1].copy())
    assert main(["check"]) == 1
    assert capsys.readouterr().out.splitlines()[-1].startswith("FAIL scores: ")
    shutil.rmtree(segment)
    assert main(["check"]) == 1
    assert "FAIL engine files: none fits generation 1" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("variable", "value", "said"),
    [
        ("SANAD_INDEX_PATH", "", "index.path is empty"),
        ("SANAD_INDEX_PATH", "{tmp}", "is a folder"),
        ("SANAD_INDEX_PATH", "/dev/null", "/dev/null is not a file"),
        ("SANAD_INDEX_PATH", "/proc/sanad/index.sqlite3", "/proc/sanad: No such file"),
        ("SANAD_INDEX_SEEDS", "", "index.seeds is empty"),
        ("SANAD_INDEX_UPLOADS", "", "index.uploads is empty"),
    ],
)
def test_an_unusable_path_is_one_line_and_exit_4(
    project: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    variable: str,
    value: str,
    said: str,
) -> None:
    monkeypatch.setenv(variable, value.format(tmp=project))
    checked = "/proc" not in said  # (a path that cannot be made: status says no index yet)
    for command in (["ask", QUESTION], ["docs"], *([["status"]] if checked else [])):
        assert main(command) == EXIT_ERROR
        err = capsys.readouterr().err
        assert err.startswith("sanad: error: ") and said in err and len(err.splitlines()) == 1
    assert not (project / ".venv").exists() and not (project / "data").exists()


def test_an_empty_index_path_in_the_config_file_is_one_line(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (project / "config.toml").write_text('[index]\npath = ""\n', encoding="utf-8")
    assert main(["docs"]) == EXIT_ERROR
    assert capsys.readouterr().err.splitlines() == [
        "sanad: error: config key index.path is empty: name a file (data/sanad.sqlite3)"
    ]


def test_docs_with_nothing_to_build_from_leaves_no_index_behind(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    shutil.rmtree(project / "seeds")  # outside a checkout: no seeds folder here
    assert main(["docs"]) == EXIT_ERROR
    [line] = capsys.readouterr().err.splitlines()
    assert "nothing to build one from" in line and "sanad build" in line
    assert not (project / "data").exists()  # so `sanad check` has nothing half made to fail on
    assert main(["check"]) == 1  # no index yet: one line saying so, as before any build


def test_a_build_of_one_sentence_counts_it_in_the_singular(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (project / "one.txt").write_text("نص قصير.\n", encoding="utf-8")
    assert main(["build", str(project / "one.txt")]) == 0
    assert "1 sentence, 2 words in" in capsys.readouterr().out
