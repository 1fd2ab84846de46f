"""The store: round trip, incremental rebuilds, and builds that fail or die half-way."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from index.build import build_index
from index.reading.documents import DocumentError
from index.retrieval.search import Searcher
from index.storage.store import Store
from index.text.analysis import Analyzer, LightSegmenter, word_spans
from tests.conftest import ROOT, SEED_DOC

QUESTION = "ماذا قال رودينكو عن أوزبكستان؟"


class CountingSegmenter(LightSegmenter):
    def __init__(self) -> None:
        self.words: list[str] = []

    def segment(self, word: str) -> tuple[str, ...]:
        self.words.append(word)
        return super().segment(word)


def write(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def top(store: Store, question: str = QUESTION) -> list[tuple[str, int, str]]:
    answer = Searcher(store, Analyzer(LightSegmenter())).ask(question, k=5)
    return [(h.document, h.ordinal, h.text) for h in answer.hits]


def test_round_trip_keeps_documents_sentences_and_offsets(seed_store: Store) -> None:
    [info] = seed_store.documents()
    assert (info.name, info.sentences) == (SEED_DOC.name, 25)
    assert info.title.startswith("أكد نائب وزير الخارجية الروسي")
    text = SEED_DOC.read_text(encoding="utf-8")
    rows = seed_store.document_sentences(info.id, 1, 25)
    assert [r.ordinal for r in rows] == list(range(1, 26))
    for row in rows:
        assert text[row.start : row.end] == row.text
    assert [r.ordinal for r in rows if r.heading] == [13, 23, 24, 25]
    assert seed_store.integrity_ok()


def test_reopened_store_answers_without_re_analysing(tmp_path: Path) -> None:
    with Store(tmp_path / "i.sqlite3") as store:
        build_index(store, Analyzer(LightSegmenter()), [SEED_DOC])
    seg = CountingSegmenter()
    with Store(tmp_path / "i.sqlite3") as store:
        searcher = Searcher(store, Analyzer(seg))
        assert searcher.engine.size == 25
        answer = searcher.ask(QUESTION, k=1)
    # Only the question and the hit (for its spans) were analysed, not the document.
    seen = {w for text in (QUESTION, answer.hits[0].text) for w, _, _ in word_spans(text)}
    assert set(seg.words) <= seen


def test_rebuild_re_analyses_only_changed_documents(tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    write(docs, "a.txt", "روسيا دولة كبيرة.")
    write(docs, "b.txt", "أوزبكستان في آسيا الوسطى.")
    seg = CountingSegmenter()
    with Store(tmp_path / "i.sqlite3") as store:
        first = build_index(store, Analyzer(seg), [docs])
        assert sorted(first.added) == ["a.txt", "b.txt"]
        seg.words.clear()
        write(docs, "b.txt", "طشقند عاصمة أوزبكستان.")
        (docs / "a.txt").unlink()
        write(docs, "c.txt", "كازاخستان جارة.")
        second = build_index(store, Analyzer(seg), [docs])
        assert (second.added, second.updated, second.removed) == (["c.txt"], ["b.txt"], ["a.txt"])
        assert "روسيا" not in seg.words and "دولة" not in seg.words
        assert [d.name for d in store.documents()] == ["b.txt", "c.txt"]
        seg.words.clear()
        third = build_index(store, Analyzer(seg), [docs])
        assert not third.changed and seg.words == []
        assert top(store, "ما هي عاصمة أوزبكستان؟")[0][2] == "طشقند عاصمة أوزبكستان."


def test_a_bad_document_stops_the_build_and_changes_nothing(tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    write(docs, "seed.txt", SEED_DOC.read_text(encoding="utf-8"))
    with Store(tmp_path / "i.sqlite3") as store:
        build_index(store, Analyzer(LightSegmenter()), [docs])
        before = top(store)
        write(docs, "seed.txt", "نص جديد تماما.")
        (docs / "bad.txt").write_bytes("نص".encode() + b"\xff\xfe")
        with pytest.raises(DocumentError, match=r"bad.txt: not UTF-8"):
            build_index(store, Analyzer(LightSegmenter()), [docs])
        assert top(store) == before


def test_a_failure_while_writing_rolls_everything_back(tmp_path: Path) -> None:
    with Store(tmp_path / "i.sqlite3") as store:
        build_index(store, Analyzer(LightSegmenter()), [SEED_DOC])
        before = top(store)

        class Exploding(LightSegmenter):
            def segment(self, word: str) -> tuple[str, ...]:
                if word == "انفجار":
                    raise RuntimeError("disk on fire")
                return super().segment(word)

        docs = tmp_path / "docs"
        write(docs, SEED_DOC.name, "نص بديل.")
        write(docs, "z.txt", "انفجار")
        with pytest.raises(RuntimeError):
            build_index(store, Analyzer(Exploding()), [docs])
        assert top(store) == before
        assert [d.name for d in store.documents()] == [SEED_DOC.name]


KILLED_BUILD = textwrap.dedent(
    """
    import sys, time
    from index.text.analysis import Analyzer, LightSegmenter
    from index.build import analyse_documents
    from index.reading.documents import parse_document
    from index.storage.store import AnalysedDocument, Store

    class Stalling(tuple):
        # Sentence terms that stall half-way through the write, inside the transaction.
        def __iter__(self):
            for n, item in enumerate(tuple.__iter__(self)):
                if n == 3:
                    print("MIDWAY", flush=True)
                    time.sleep(60)
                yield item

    store = Store(sys.argv[1])
    doc = parse_document(sys.argv[2], "نص بديل. ".encode() * 10)
    [item] = analyse_documents([doc], Analyzer(LightSegmenter()))
    store.sync([AnalysedDocument(doc, Stalling(item.terms))], keep=None, signature="light/1")
    """
)


def test_kill_9_in_the_middle_of_a_write_leaves_the_previous_index(tmp_path: Path) -> None:
    db = tmp_path / "i.sqlite3"
    with Store(db) as store:
        build_index(store, Analyzer(LightSegmenter()), [SEED_DOC])
        before = top(store)
    proc = subprocess.Popen(
        [sys.executable, "-c", KILLED_BUILD, str(db), SEED_DOC.name],
        stdout=subprocess.PIPE,
        cwd=ROOT,
        text=True,
    )
    assert proc.stdout is not None
    assert proc.stdout.readline().strip() == "MIDWAY"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    with Store(db) as store:
        assert store.integrity_ok()
        assert top(store) == before
        assert [d.sentences for d in store.documents()] == [25]


def test_a_restart_opens_the_saved_postings_without_reading_the_terms(tmp_path: Path) -> None:
    db = tmp_path / "i.sqlite3"
    with Store(db) as store:
        build_index(store, Analyzer(LightSegmenter()), [SEED_DOC])
        before = top(store)  # the first start builds and saves the engine files
    assert (tmp_path / "i.sqlite3.engine" / "g1" / "ids.npy").is_file()
    with Store(db) as store:
        store.corpus = None  # any use would fail
        assert top(store) == before


def test_a_change_gets_new_engine_files_and_old_ones_go(tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    write(docs, "a.txt", "روسيا دولة كبيرة.")
    with Store(tmp_path / "i.sqlite3") as store:
        build_index(store, Analyzer(LightSegmenter()), [docs])
        assert top(store, "ما هي روسيا؟")
        write(docs, "b.txt", "طشقند عاصمة أوزبكستان.")
        build_index(store, Analyzer(LightSegmenter()), [docs])
        assert top(store, "ما عاصمة أوزبكستان؟")[0][0] == "b.txt"
    assert sorted(p.name for p in (tmp_path / "i.sqlite3.engine").iterdir()) == [
        "g2",
        "grams.json",
    ]


def test_damaged_engine_files_are_rebuilt_from_the_store(tmp_path: Path) -> None:
    with Store(tmp_path / "i.sqlite3") as store:
        build_index(store, Analyzer(LightSegmenter()), [SEED_DOC])
        before = top(store)
    (tmp_path / "i.sqlite3.engine" / "g1" / "postings_docs.npy").write_bytes(b"garbage")
    with Store(tmp_path / "i.sqlite3") as store:
        assert top(store) == before


def test_added_documents_answer_through_a_small_segment_exactly(tmp_path: Path) -> None:
    from index.build import add_document
    from index.reading.documents import parse_document
    from index.retrieval.parts import SegmentedEngine

    db = tmp_path / "i.sqlite3"
    analyzer = Analyzer(LightSegmenter())
    with Store(db) as store:
        build_index(store, analyzer, [SEED_DOC])
        Searcher(store, analyzer)  # saves the segment of generation 1
        add_document(store, analyzer, parse_document("new.txt", "سمرقند في أوزبكستان.".encode()))
        searcher = Searcher(store, analyzer)
        assert isinstance(searcher.engine, SegmentedEngine)  # no rebuild for an addition
        split = searcher.ask("أين سمرقند في أوزبكستان؟", 5)
    # the same answers as an index built from scratch with both documents
    fresh = tmp_path / "fresh"
    write(fresh, SEED_DOC.name, SEED_DOC.read_text(encoding="utf-8"))
    write(fresh, "new.txt", "سمرقند في أوزبكستان.")
    with Store(tmp_path / "f.sqlite3") as store:
        build_index(store, analyzer, [fresh])
        whole = Searcher(store, analyzer).ask("أين سمرقند في أوزبكستان؟", 5)
    assert [(h.document, h.ordinal) for h in split.hits] == [
        (h.document, h.ordinal) for h in whole.hits
    ]
    assert [h.score for h in split.hits] == pytest.approx([h.score for h in whole.hits], rel=1e-9)
    assert split.hits[0].document == "new.txt"


def test_a_replaced_document_rebuilds_the_engine(tmp_path: Path) -> None:
    from index.build import add_document
    from index.reading.documents import parse_document
    from index.retrieval.scoring import Engine

    analyzer = Analyzer(LightSegmenter())
    with Store(tmp_path / "i.sqlite3") as store:
        add_document(store, analyzer, parse_document("a.txt", "روسيا دولة كبيرة.".encode()))
        Searcher(store, analyzer)
        add_document(store, analyzer, parse_document("a.txt", "طشقند مدينة.".encode()))
        searcher = Searcher(store, analyzer)
        assert isinstance(searcher.engine, Engine)
        assert searcher.ask("ما هي روسيا؟").empty
        assert not searcher.ask("ما هي طشقند؟").empty


def test_an_index_from_before_sentence_counts_is_upgraded(tmp_path: Path) -> None:
    import sqlite3

    db = tmp_path / "old.sqlite3"
    with Store(db) as store:
        build_index(store, Analyzer(LightSegmenter()), [SEED_DOC])
        before = top(store)
    old = sqlite3.connect(db)  # what the first release wrote: no sentence_count column
    old.execute("ALTER TABLE documents DROP COLUMN sentence_count")
    old.execute("PRAGMA user_version = 0")  # nor numbered migrations
    old.commit()
    old.close()
    with Store(db) as store:
        assert [d.sentences for d in store.documents()] == [25]
        assert top(store) == before


def test_a_link_out_of_the_documents_folder_is_not_followed(tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    write(docs, "a.txt", "روسيا دولة كبيرة.")
    secret = write(tmp_path / "private", "secret.txt", "كلمة السر هي سمرقند.")
    (docs / "link.txt").symlink_to(secret)
    with Store(tmp_path / "i.sqlite3") as store:
        report = build_index(store, Analyzer(LightSegmenter()), [docs])
        assert [d.name for d in store.documents()] == ["a.txt"]
    assert "did not follow 1 link out of their folder" in report.summary(tmp_path)


def test_a_file_named_like_an_earlier_one_gets_a_number_instead_of_stopping_the_build(
    tmp_path: Path,
) -> None:
    write(tmp_path / "seeds", "x.txt", "روسيا دولة كبيرة.")
    write(tmp_path / "uploads", "x.txt", "طشقند عاصمة أوزبكستان.")
    with Store(tmp_path / "i.sqlite3") as store:
        build_index(store, Analyzer(LightSegmenter()), [tmp_path / "seeds", tmp_path / "uploads"])
        assert [d.name for d in store.documents()] == ["x-2.txt", "x.txt"]
        assert top(store, "ما عاصمة أوزبكستان؟")[0][0] == "x-2.txt"


def test_a_writer_killed_while_saving_leaves_nothing_behind_after_the_next_build(
    tmp_path: Path,
) -> None:
    docs = tmp_path / "docs"
    write(docs, "a.txt", "روسيا دولة كبيرة.")
    engine = tmp_path / "i.sqlite3.engine"
    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    (engine / f"g7.tmp-{dead}").mkdir(parents=True)  # what a kill -9 mid-save leaves
    (engine / f"grams.json.tmp-{dead}").write_text("{", encoding="utf-8")
    with Store(tmp_path / "i.sqlite3") as store:
        build_index(store, Analyzer(LightSegmenter()), [docs])
        top(store)  # saves the engine files
    assert sorted(p.name for p in engine.iterdir()) == ["g1", "grams.json"]
