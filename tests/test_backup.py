"""`sanad backup` of a live collection, taken while the bot answers a burst of questions
and uploads, restores to a collection that `sanad check` passes and that answers as one
built from the same documents."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import pytest

from harness.bot import ADMIN, make_services, running_bot
from harness.fake_telegram import FakeTelegram
from index.cli import EXIT_ERROR, main
from index.collection import Collection
from tests.conftest import SEEDS, seed_config

QUESTIONS = ["ماذا قال رودينكو عن أوزبكستان؟", "متى جاء كلام رودينكو؟", "أين تقع سمرقند؟"]
UPLOADS = {
    f"note-{n}.txt": f"تقع سمرقند في أوزبكستان وزارها الوفد رقم {n} في الربيع.\n".encode()
    for n in range(6)
}


def use(monkeypatch: pytest.MonkeyPatch, folder: Path) -> None:
    """Point `sanad` at the collection in ``folder`` (as seed_config lays it out)."""
    monkeypatch.setenv("SANAD_INDEX_PATH", str(folder / "index.sqlite3"))
    monkeypatch.setenv("SANAD_INDEX_UPLOADS", str(folder / "uploads"))
    monkeypatch.setenv("SANAD_INDEX_SEEDS", str(SEEDS))
    monkeypatch.setenv("SANAD_ANALYSIS_SEGMENTER", "light")
    monkeypatch.setenv("SANAD_SEMANTIC_ENABLED", "false")


def hits(collection: Collection, question: str) -> list[tuple[str, int, str]]:
    return [(h.document, h.ordinal, h.text) for h in collection.ask(question, 5).hits]


@pytest.mark.slow
def test_a_backup_during_a_burst_restores_to_a_collection_that_checks_and_answers(
    fake: FakeTelegram, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    live = tmp_path / "live"
    use(monkeypatch, live)
    backups = []
    with running_bot(fake, make_services(live), max_messages_per_second=1000):
        for name, raw in list(UPLOADS.items())[:3]:
            fake.document(ADMIN, name, raw)
        fake.wait_sent("sendMessage", ADMIN, count=3, timeout=30)

        def burst() -> None:
            for n in range(40):
                fake.message(2000 + n % 8, QUESTIONS[n % len(QUESTIONS)])
            for name, raw in list(UPLOADS.items())[3:]:
                fake.document(ADMIN, name, raw)

        asking = threading.Thread(target=burst)
        asking.start()
        for n in range(2):  # two backups while questions and uploads come in
            backups.append(tmp_path / f"backup-{n}")
            assert main(["backup", str(backups[-1])]) == 0
        asking.join()
        fake.wait_sent("sendMessage", ADMIN, count=6, timeout=30)
        fake.wait_for(lambda: len(fake.sent("sendMessage")) >= 46, timeout=60)
    capsys.readouterr()
    for n, backup in enumerate(backups):
        manifest = json.loads((backup / "backup.json").read_text(encoding="utf-8"))
        restored = tmp_path / f"restored-{n}"
        use(monkeypatch, restored)
        assert main(["restore", str(backup)]) == 0
        assert main(["check"]) == 0, capsys.readouterr().out
        assert "bot-records.sqlite3" in manifest["records"]
        again = Collection.open(seed_config(restored))
        names = {d.name for d in again.documents()}
        assert len(names) == manifest["documents"] >= 4  # the seed and what was uploaded
        kept = sorted(p.name for p in (restored / "uploads").iterdir())
        assert kept == sorted(names - {p.name for p in SEEDS.iterdir()})  # no upload lost
        fresh_docs = tmp_path / f"fresh-{n}"
        fresh_docs.mkdir()
        for name in kept:
            (fresh_docs / name).write_bytes(UPLOADS[name])
        fresh = Collection.open(seed_config(tmp_path / f"fresh-index-{n}"), prepare=False)
        fresh.rebuild([SEEDS, fresh_docs])
        for question in QUESTIONS:  # answers as the same documents built anew answer
            assert hits(again, question) == hits(fresh, question)
        again.close()
        fresh.close()


def test_backup_refuses_a_folder_in_use_and_restore_a_folder_that_is_no_backup(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    use(monkeypatch, tmp_path / "live")
    assert main(["build"]) == 0
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "something").write_text("x")
    capsys.readouterr()
    assert main(["backup", str(tmp_path / "full")]) == EXIT_ERROR
    assert "is not empty" in capsys.readouterr().err
    assert main(["restore", str(tmp_path / "full")]) == EXIT_ERROR
    assert "is not a backup" in capsys.readouterr().err
    assert main(["ask", QUESTIONS[0]]) == 0  # and the collection is as it was
