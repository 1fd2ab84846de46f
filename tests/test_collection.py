"""The collection, the one front door: documents added, removed and read around a hit."""

from __future__ import annotations

import pytest

from index.collection import Collection
from index.reading.documents import DocumentError

NEW = "سمرقند مدينة تاريخية في أوزبكستان. يزورها السياح كل عام."


def test_an_added_document_answers_at_once_and_a_removed_one_is_gone(
    collection: Collection,
) -> None:
    before = [d.name for d in collection.documents()]
    collection.add("samarkand.txt", NEW.encode())
    assert collection.ask("أين تقع سمرقند؟").hits[0].document == "samarkand.txt"
    assert (collection.config.uploads_path / "samarkand.txt").read_text("utf-8") == NEW
    collection.remove(["samarkand.txt"])
    assert [d.name for d in collection.documents()] == before
    assert collection.ask("أين تقع سمرقند؟").empty
    assert not (collection.config.uploads_path / "samarkand.txt").exists()


def test_removing_an_unknown_document_names_it_and_changes_nothing(
    collection: Collection,
) -> None:
    before = collection.documents()
    with pytest.raises(DocumentError, match=r"nothing\.txt"):
        collection.remove([before[0].name, "nothing.txt"])
    assert collection.documents() == before


def test_a_bad_document_is_refused_before_anything_is_written(collection: Collection) -> None:
    with pytest.raises(DocumentError, match="not UTF-8"):
        collection.add("bad.txt", "café résumé".encode("cp1252"))
    assert not (collection.config.uploads_path / "bad.txt").exists()
    assert "bad.txt" not in [d.name for d in collection.documents()]


def test_a_large_upload_added_by_a_worker_process_answers_at_once(
    collection: Collection,
) -> None:
    # the bot's uploads over a megabyte are stored by another process (apart_bytes=0: all)
    added = collection.upload("samarkand.txt", NEW.encode(), apart_bytes=0)
    assert (added.name, added.sentences, added.pages, added.replaced) == (
        "samarkand.txt",
        2,
        0,
        False,
    )
    assert collection.ask("أين تقع سمرقند؟").hits[0].document == "samarkand.txt"
    again = collection.upload("samarkand.txt", NEW.replace("سمرقند", "بخارى").encode(), 0)
    assert again.replaced and collection.ask("أين تقع بخارى؟").hits[0].document == again.name
    with pytest.raises(DocumentError, match="not UTF-8"):  # refused there, said here
        collection.upload("bad.txt", "café résumé".encode("cp1252"), apart_bytes=0)
    assert "bad.txt" not in [d.name for d in collection.documents()]


def test_a_passage_is_the_sentences_around_a_hit(collection: Collection) -> None:
    hit = collection.ask("ماذا قال رودينكو عن أوزبكستان؟").hits[0]
    passage = collection.passage(hit.sentence_id, radius=2)
    assert passage is not None and passage.focus == hit.ordinal
    assert [s.ordinal for s in passage.sentences] == list(range(hit.ordinal - 2, hit.ordinal + 3))
    assert passage.title == hit.title
    collection.remove([hit.document])
    assert collection.passage(hit.sentence_id, radius=2) is None
