"""A live collection copied whole and consistent (SQLite's backup API), and put back."""

from __future__ import annotations

import json
import shutil
import sqlite3
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from index.storage.files import TMP_MARK

MANIFEST = "backup.json"


class BackupError(ValueError):
    """A backup that cannot be made or put back; the message says why, in one line."""


@dataclass(frozen=True, slots=True)
class Backed:
    """What a backup holds: the index's generation, its documents and sentences, the kept
    copies of uploaded documents, and the other record files it took."""

    generation: int
    documents: int
    sentences: int
    uploads: int
    records: tuple[str, ...]


def copy_database(source: Path, target: Path) -> None:
    """``source`` copied to ``target`` by SQLite's backup API in one step: a snapshot as of
    one moment, taken while other connections write (they are not stopped: the index is in
    WAL mode), checked with ``integrity_check``."""
    target.unlink(missing_ok=True)
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True, timeout=60)
    dst = sqlite3.connect(target)
    try:
        src.backup(dst)  # pages=-1: every page at once, under one read lock
        dst.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
        ok = dst.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        dst.close()
        src.close()
    if ok != "ok":
        raise BackupError(f"{target}: the copy fails SQLite's integrity check ({ok})")


def back_up(
    index_path: Path, uploads: Path, destination: Path, records: Mapping[str, Path]
) -> Backed:
    """Copy the collection at ``index_path`` into the new folder ``destination`` while it
    may be serving: the index (a snapshot), then only the kept uploads its documents name
    (an upload arriving meanwhile is in the next backup), its engine files, and each of
    ``records`` (name in the backup → a SQLite file, such as the bot's records)."""
    if not index_path.is_file():
        raise BackupError(f"no index at {index_path} to back up")
    if destination.exists() and any(destination.iterdir()):
        raise BackupError(f"{destination} is not empty: back up into a new folder")
    destination.mkdir(parents=True, exist_ok=True)
    index = destination / index_path.name
    copy_database(index_path, index)
    taken = []
    for name, path in records.items():
        if path.is_file():
            copy_database(path, destination / name)
            taken.append(name)
    db = sqlite3.connect(index)
    try:
        names = [row[0] for row in db.execute("SELECT name FROM documents")]
        sentences = db.execute("SELECT COUNT(*) FROM sentences").fetchone()[0]
        found = db.execute("SELECT value FROM meta WHERE key = 'generation'").fetchone()
    finally:
        db.close()
    kept = [uploads / name for name in names if (uploads / name).is_file()]
    if kept:
        (destination / "uploads").mkdir()
        for path in kept:
            shutil.copy2(path, destination / "uploads" / path.name)
    engine = index_path.with_name(index_path.name + ".engine")
    if engine.is_dir():  # a speed-up only: files that do not fit the copy are not read
        shutil.copytree(
            engine,
            destination / engine.name,
            ignore=lambda _, files: [f for f in files if TMP_MARK in f],
        )
    backed = Backed(int(found[0]) if found else 0, len(names), sentences, len(kept), tuple(taken))
    manifest = {
        "made": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "index": index_path.name,
        "generation": backed.generation,
        "documents": backed.documents,
        "sentences": backed.sentences,
        "uploads": backed.uploads,
        "records": list(backed.records),
    }
    (destination / MANIFEST).write_text(json.dumps(manifest, indent=2), encoding="utf-8")
    return backed


def restore(source: Path, index_path: Path, uploads: Path, records: Mapping[str, Path]) -> Backed:
    """Put the backup in ``source`` back as the collection at ``index_path`` (its uploads
    folder, its engine files, and each of ``records``: name in the backup → where it goes),
    replacing what is there. Nothing may be using the collection meanwhile."""
    try:
        manifest = json.loads((source / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        raise BackupError(f"{source} is not a backup of Sanad (no {MANIFEST} in it)") from None
    index = source / manifest["index"]
    if not index.is_file():
        raise BackupError(f"{source}: the backup has lost its index ({index.name})")
    index_path.parent.mkdir(parents=True, exist_ok=True)
    for leftover in (index_path.with_name(index_path.name + end) for end in ("-wal", "-shm")):
        leftover.unlink(missing_ok=True)
    copy_database(index, index_path)
    db = sqlite3.connect(index_path)
    db.execute("PRAGMA journal_mode=WAL")  # as the store keeps it
    db.close()
    for name, path in records.items():
        if (source / name).is_file():
            copy_database(source / name, path)
    engine = index_path.with_name(index_path.name + ".engine")
    shutil.rmtree(engine, ignore_errors=True)
    if (source / (index.name + ".engine")).is_dir():
        shutil.copytree(source / (index.name + ".engine"), engine)
    if uploads.is_dir():  # kept copies of documents the restored index does not hold go
        for path in uploads.iterdir():
            if path.is_file():
                path.unlink()
    if (source / "uploads").is_dir():
        uploads.mkdir(parents=True, exist_ok=True)
        for path in (source / "uploads").iterdir():
            shutil.copy2(path, uploads / path.name)
    return Backed(
        manifest["generation"],
        manifest["documents"],
        manifest["sentences"],
        manifest["uploads"],
        tuple(manifest["records"]),
    )
