"""The SQLite store: documents, their sentences and analysed terms, in one crash-safe file."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from index.reading.documents import Document
from index.storage.sqlite import MEMORY, Database, Migration, migrate
from index.storage.vector_cache import VECTORS_SCHEMA, VectorCache

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS documents (
    id       INTEGER PRIMARY KEY,
    name     TEXT NOT NULL UNIQUE,
    title    TEXT NOT NULL,
    sha256   TEXT NOT NULL,
    added_at TEXT NOT NULL,
    text     TEXT NOT NULL,
    sentence_count INTEGER NOT NULL DEFAULT 0,
    kind     TEXT NOT NULL DEFAULT 'text',
    source   TEXT NOT NULL DEFAULT ''
);
CREATE TABLE IF NOT EXISTS sentences (
    id        INTEGER PRIMARY KEY,
    document  INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    ordinal   INTEGER NOT NULL,
    paragraph INTEGER NOT NULL,
    start     INTEGER NOT NULL,
    "end"     INTEGER NOT NULL,
    heading   INTEGER NOT NULL,
    text      TEXT NOT NULL,
    terms     TEXT NOT NULL,
    page      INTEGER,
    section   TEXT NOT NULL DEFAULT '',
    UNIQUE (document, ordinal)
);
"""

# Columns added before the schema was numbered, added in place to an older index.
NEW_COLUMNS = {
    "documents": [("kind", "TEXT NOT NULL DEFAULT 'text'"), ("source", "TEXT NOT NULL DEFAULT ''")],
    "sentences": [("page", "INTEGER"), ("section", "TEXT NOT NULL DEFAULT ''")],
}


def _numbered(db: sqlite3.Connection) -> None:
    """Migration 1: the schema when it was first numbered, from nothing or from any index
    an older Sanad wrote (tables made if missing, columns added since then filled in)."""
    for statement in [*_SCHEMA.split(";"), VECTORS_SCHEMA]:
        if statement.strip():
            db.execute(statement)
    columns = {row[1] for row in db.execute("PRAGMA table_info(documents)")}
    for name, kind in NEW_COLUMNS["documents"]:
        if name not in columns:
            db.execute(f"ALTER TABLE documents ADD COLUMN {name} {kind}")
    sentence_columns = {row[1] for row in db.execute("PRAGMA table_info(sentences)")}
    for name, kind in NEW_COLUMNS["sentences"]:
        if name not in sentence_columns:
            db.execute(f"ALTER TABLE sentences ADD COLUMN {name} {kind}")
    if "sentence_count" not in columns:
        db.execute("ALTER TABLE documents ADD COLUMN sentence_count INTEGER NOT NULL DEFAULT 0")
        db.execute(
            "UPDATE documents SET sentence_count = "
            "(SELECT COUNT(*) FROM sentences WHERE sentences.document = documents.id)"
        )


def _document_sets(db: sqlite3.Connection) -> None:
    """Migration 2: named sets of documents (a team's, a course's); a document in none is
    in the default set, so an index from before answers exactly as it did."""
    db.execute(
        "CREATE TABLE IF NOT EXISTS document_sets ("
        " document INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,"
        " name TEXT NOT NULL, PRIMARY KEY (document, name)) WITHOUT ROWID"
    )


# The index file's migrations, in order (a new one goes at the end; none is ever changed).
MIGRATIONS: list[Migration] = [_numbered, _document_sets]
# The set of every document put in no named set (the seeds, and anything added without one).
DEFAULT_SET = "default"


@dataclass(frozen=True, slots=True)
class AnalysedDocument:
    """A document with the index terms of each of its sentences, space-joined (as stored;
    one string per sentence keeps a million analysed sentences small)."""

    document: Document
    terms: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class DocumentInfo:
    """What the store knows of one document."""

    id: int
    name: str
    title: str
    sha256: str
    added_at: str
    sentences: int
    kind: str = "text"
    source: str = ""


@dataclass(frozen=True, slots=True)
class StoredSentence:
    """One sentence as stored, with its place in its document."""

    id: int
    document: int
    ordinal: int
    paragraph: int
    start: int
    end: int
    heading: bool
    text: str
    page: int | None = None
    section: str = ""


def _count_up(db: sqlite3.Connection, key: str) -> None:
    """Add one to a counter of the meta table (the generation, deletions, sets' version)."""
    db.execute(
        "INSERT INTO meta(key, value) VALUES (?, '1') ON CONFLICT(key) "
        "DO UPDATE SET value = CAST(value AS INTEGER) + 1",
        (key,),
    )


class Store:
    """One SQLite file (WAL mode). Every change is a single transaction, so a build that
    dies half-way leaves the previous index whole and answering."""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        self._db = Database(path)
        migrate(self._db, MIGRATIONS)  # (only read when up to date: no writer is waited for)
        self.vectors = VectorCache(self._db)  # each sentence's vector, kept by its text

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """BEGIN IMMEDIATE … COMMIT, rolled back on any error."""
        with self._db.transaction() as db:
            yield db

    def _query(self, sql: str, args: Sequence[object] = ()) -> list[tuple]:
        return self._db.query(sql, args)

    def meta(self, key: str) -> str | None:
        rows = self._query("SELECT value FROM meta WHERE key = ?", (key,))
        return rows[0][0] if rows else None

    @property
    def generation(self) -> int:
        """Goes up with every committed change; names the engine files built for it."""
        return int(self.meta("generation") or 0)

    @property
    def deletions(self) -> int:
        """Goes up whenever a commit removed or replaced a document."""
        return int(self.meta("deletions") or 0)

    @property
    def engine_folder(self) -> Path | None:
        """Where the engine's postings for this store are kept (None in memory)."""
        if str(self.path) == MEMORY:
            return None
        return self.path.with_name(self.path.name + ".engine")

    @property
    def signature(self) -> str | None:
        """The analysis the stored terms were made with (see ``Analyzer.signature``)."""
        return self.meta("analysis")

    def documents(self) -> list[DocumentInfo]:
        """Every document, in name order, with its sentence count."""
        rows = self._query(
            "SELECT id, name, title, sha256, added_at, sentence_count, kind, source "
            "FROM documents ORDER BY name"
        )
        return [DocumentInfo(*row) for row in rows]

    # -- sets ---------------------------------------------------------------------------
    @property
    def sets_version(self) -> int:
        """Goes up whenever a document joins or leaves a set (what a scope depends on
        besides the generation)."""
        return int(self.meta("sets") or 0)

    def sets(self) -> dict[str, int]:
        """Every set with its number of documents, the default set included, by name."""
        named = dict(self._query("SELECT name, COUNT(*) FROM document_sets GROUP BY name"))
        [(alone,)] = self._query(
            "SELECT COUNT(*) FROM documents WHERE id NOT IN (SELECT document FROM document_sets)"
        )
        return dict(sorted({**named, **({DEFAULT_SET: alone} if alone else {})}.items()))

    def has_sets(self) -> bool:
        """Whether any document is in a named set (one row read: fit for every question)."""
        return bool(self._query("SELECT 1 FROM document_sets LIMIT 1"))

    def set_documents(self, names: Sequence[str]) -> list[int]:
        """The ids of the documents in any of these sets (the default set: those in no
        named one, and any put in it by name)."""
        named = list(names)
        marks = ",".join("?" * len(named))
        rows = (
            self._query(
                f"SELECT DISTINCT document FROM document_sets WHERE name IN ({marks})", named
            )
            if named
            else []
        )
        if DEFAULT_SET in names:
            rows += self._query(
                "SELECT id FROM documents WHERE id NOT IN (SELECT document FROM document_sets)"
            )
        return sorted({row[0] for row in rows})

    def assign(self, documents: Sequence[str], name: str, member: bool = True) -> None:
        """Put the named documents in set ``name`` (or take them out); one transaction.
        Putting one in a named set takes it out of the default set."""
        with self.transaction() as db:
            for document in documents:
                row = db.execute("SELECT id FROM documents WHERE name = ?", (document,)).fetchone()
                if row is None:
                    raise KeyError(document)
                found = row[0]
                if member:
                    db.execute(
                        "INSERT OR IGNORE INTO document_sets(document, name) VALUES (?, ?)",
                        (found, name),
                    )
                else:
                    db.execute(
                        "DELETE FROM document_sets WHERE document = ? AND name = ?", (found, name)
                    )
            _count_up(db, "sets")

    def sentence_documents(self, ids: np.ndarray) -> np.ndarray:
        """The document of each sentence id (0 for one no longer stored).

        >>> store = Store(MEMORY)
        >>> store.sentence_documents(np.array([5])).tolist()
        [0]
        """
        rows = np.asarray(self._query("SELECT id, document FROM sentences ORDER BY id"))
        wanted = np.asarray(ids, dtype=np.int64)
        if not len(rows) or not len(wanted):
            return np.zeros(len(wanted), dtype=np.int64)
        at = np.minimum(np.searchsorted(rows[:, 0], wanted), len(rows) - 1)
        return np.where(rows[at, 0] == wanted, rows[at, 1], 0).astype(np.int64)

    def document_text(self, document: int) -> str:
        """A document's text as stored (its paragraphs, a line each)."""
        rows = self._query("SELECT text FROM documents WHERE id = ?", (document,))
        return rows[0][0] if rows else ""

    def sync(
        self,
        changed: Sequence[AnalysedDocument],
        keep: set[str] | None,
        signature: str,
        sets: Sequence[str] | None = None,
    ) -> None:
        """Write ``changed`` documents and drop every other one not named in ``keep``.

        ``keep=None`` keeps all other documents. A replaced document stays in its sets;
        with ``sets``, the changed documents are in those (none: the default set) from the
        same moment they are stored. One transaction: all or nothing.
        """
        now = datetime.now(UTC).isoformat(timespec="seconds")
        with self.transaction() as db:
            # sentence ids are never used twice, so that an engine loaded before a change
            # can never name another sentence by an old id (readers lag a moment behind)
            (highest,) = db.execute("SELECT COALESCE(MAX(id), 0) FROM sentences").fetchone()
            mark = db.execute("SELECT value FROM meta WHERE key = 'next_sentence'").fetchone()
            next_id = max(int(highest) + 1, int(mark[0]) if mark else 1)
            names = {a.document.name for a in changed}
            deleted = 0
            if keep is not None:
                stored = [r[0] for r in db.execute("SELECT name FROM documents")]
                for name in stored:
                    if name not in keep and name not in names:
                        deleted += db.execute(
                            "DELETE FROM documents WHERE name = ?", (name,)
                        ).rowcount
            for item in changed:
                doc = item.document
                kept_sets = [
                    row[0]
                    for row in db.execute(
                        "SELECT s.name FROM document_sets s JOIN documents d ON d.id = s.document"
                        " WHERE d.name = ?",
                        (doc.name,),
                    )
                ]
                deleted += db.execute("DELETE FROM documents WHERE name = ?", (doc.name,)).rowcount
                cur = db.execute(
                    "INSERT INTO documents(name, title, sha256, added_at, text, sentence_count, "
                    "kind, source) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        doc.name,
                        doc.title,
                        doc.sha256,
                        now,
                        doc.text,
                        len(doc.sentences),
                        doc.kind,
                        doc.source,
                    ),
                )
                doc_id = cur.lastrowid
                db.executemany(
                    "INSERT INTO document_sets(document, name) VALUES (?, ?)",
                    [(doc_id, name) for name in dict.fromkeys(kept_sets if sets is None else sets)],
                )
                first = next_id
                next_id += len(doc.sentences)
                db.executemany(
                    'INSERT INTO sentences(id, document, ordinal, paragraph, start, "end", '
                    "heading, text, terms, page, section) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        (
                            first + n - 1,
                            doc_id,
                            n,
                            s.paragraph,
                            s.start,
                            s.end,
                            int(s.heading),
                            s.text,
                            terms,
                            s.page,
                            s.section,
                        )
                        for n, (s, terms) in enumerate(
                            zip(doc.sentences, item.terms, strict=True), start=1
                        )
                    ),
                )
            db.execute(
                "INSERT OR REPLACE INTO meta(key, value) VALUES ('next_sentence', ?)", (next_id,)
            )
            db.execute(
                "INSERT OR REPLACE INTO meta(key, value) VALUES ('analysis', ?)", (signature,)
            )
            _count_up(db, "generation")
            if sets is not None:
                _count_up(db, "sets")
            if deleted:  # saved engine segments no longer match: they must be rebuilt
                _count_up(db, "deletions")

    def corpus(self, after_id: int = 0) -> Iterator[tuple[int, list[str]]]:
        """(sentence id, terms) in id order, from ``after_id`` on: what the engine is built
        from. Rows stream one at a time (a million sentences' terms never sit in memory
        together); the store stays locked for this thread until the iteration ends."""
        with self._db.lock:
            cursor = self._db.connection.execute(
                "SELECT id, terms FROM sentences WHERE id > ? ORDER BY id", (after_id,)
            )
            for sentence_id, terms in cursor:
                yield sentence_id, terms.split()

    def corpus_by_document(self) -> Iterator[tuple[int, int, str]]:
        """(sentence id, document id, terms as stored: space-joined) in id order, for
        cutting the corpus into shards of whole documents (a shard's terms travel to the
        node that builds it as they are stored)."""
        with self._db.lock:
            yield from self._db.connection.execute(
                "SELECT id, document, terms FROM sentences ORDER BY id"
            )

    def titled_texts(self) -> list[tuple[str, str]]:
        """Every sentence's document title and text, in id order."""
        rows = self._query(
            "SELECT d.title, s.text FROM sentences AS s JOIN documents AS d "
            "ON d.id = s.document ORDER BY s.id"
        )
        return [(title, text) for title, text in rows]

    def document_sizes(self) -> list[tuple[int, int]]:
        """(document id, sentence count) of every document with sentences, in the order of
        their first sentence id (the engine's order)."""
        rows = self._query(
            "SELECT document, COUNT(*) FROM sentences GROUP BY document ORDER BY MIN(id)"
        )
        return [(int(d), int(n)) for d, n in rows]

    def sentences(self, ids: Sequence[int]) -> dict[int, StoredSentence]:
        """The stored sentences with these ids."""
        if not ids:
            return {}
        marks = ",".join("?" * len(ids))
        rows = self._query(
            'SELECT id, document, ordinal, paragraph, start, "end", heading, text, page, section '
            f"FROM sentences WHERE id IN ({marks})",
            list(ids),
        )
        return {r[0]: _sentence(r) for r in rows}

    def document_sentences(self, document: int, first: int, last: int) -> list[StoredSentence]:
        """Sentences ``first``..``last`` (ordinals, inclusive) of one document."""
        rows = self._query(
            'SELECT id, document, ordinal, paragraph, start, "end", heading, text, page, section '
            "FROM sentences WHERE document = ? AND ordinal BETWEEN ? AND ? ORDER BY ordinal",
            (document, first, last),
        )
        return [_sentence(r) for r in rows]

    def integrity_ok(self) -> bool:
        """``PRAGMA integrity_check`` says ok."""
        return self._query("PRAGMA integrity_check")[0][0] == "ok"


def _sentence(row: tuple) -> StoredSentence:
    """A sentence row (id, document, ordinal, paragraph, start, end, heading, text, page,
    section)."""
    sentence_id, document, ordinal, paragraph, start, end, heading, text, page, section = row
    return StoredSentence(
        sentence_id, document, ordinal, paragraph, start, end, bool(heading), text, page, section
    )
