"""A live collection: another process changes the documents while a reader answers; the
reader follows within seconds, without a restart, and never answers from a mix."""

from __future__ import annotations

import subprocess
import threading
import time
from pathlib import Path

import pytest

from harness.fake_telegram import FakeTelegram, buttons
from harness.seeds import SEED_DOC, seed_config
from harness.stops import SANAD
from index.collection import Collection
from index.config import Config

QUESTION = "ماذا قال رودينكو عن أوزبكستان؟"
NEW = "سمرقند مدينة تاريخية في أوزبكستان يزورها آلاف السياح كل عام."
NEW_QUESTION = "كم سائحا يزور سمرقند؟"


def wait_until(condition, seconds: float = 5.0) -> None:
    started = time.monotonic()
    while time.monotonic() - started < seconds:
        if condition():
            return
        time.sleep(0.05)
    raise AssertionError(f"not within {seconds} s")


def writer_env(config: Config) -> dict[str, str]:
    """The environment of a `sanad` writer process on the collection of ``config``."""
    return {
        "SANAD_INDEX_PATH": str(config.index_path),
        "SANAD_INDEX_SEEDS": str(config.seeds_path),
        "SANAD_INDEX_UPLOADS": str(config.uploads_path),
        "SANAD_ANALYSIS_SEGMENTER": "light",
    }


@pytest.mark.slow
def test_a_reader_follows_another_writer_within_seconds(tmp_path: Path) -> None:
    config = seed_config(tmp_path)
    reader = Collection.open(config)
    writer = Collection.open(config)  # another process, as far as the files know
    assert reader.ask(NEW_QUESTION).empty
    writer.add("samarkand.txt", NEW.encode())
    wait_until(lambda: not reader.ask(NEW_QUESTION).empty, seconds=3)  # FOLLOW_SECONDS: 1
    assert reader.ask(NEW_QUESTION).hits[0].document == "samarkand.txt"
    writer.remove([SEED_DOC.name])
    answer = reader.ask(QUESTION)  # maybe from the generation before: never a failure
    assert {hit.document for hit in answer.hits} <= {SEED_DOC.name, "samarkand.txt"}
    wait_until(lambda: all(h.document != SEED_DOC.name for h in reader.ask(QUESTION).hits))
    reader.close()
    writer.close()


@pytest.mark.slow
def test_answers_stay_whole_while_another_process_adds_removes_and_rebuilds(
    tmp_path: Path,
) -> None:
    config = seed_config(tmp_path)
    reader = Collection.open(config)
    docs = tmp_path / "more"
    docs.mkdir()
    names = []
    for n in range(3):
        name = f"city{n}.txt"
        (docs / name).write_text(f"المدينة رقم {n} تقع في أوزبكستان ويزورها السياح.", "utf-8")
        names.append(name)
    writers = [
        ["add", str(docs / names[0])],
        ["remove", names[0]],
        ["build", str(config.seeds_path), str(docs)],
        ["remove", names[2]],
        ["add", str(docs / names[2])],
    ]
    allowed = {SEED_DOC.name, *names}
    asked = 0
    for command in writers:
        process = subprocess.Popen(
            [SANAD, *command],
            env=writer_env(config),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        while process.poll() is None:  # questions all the while the writer works
            for question in (QUESTION, "أين تقع المدينة رقم 1؟"):
                answer = reader.ask(question)
                assert answer.empty or {h.document for h in answer.hits} <= allowed
                asked += 1
        assert process.returncode == 0, process.stderr.read() if process.stderr else ""
    assert asked > 0
    # until the reader loads the last generation, «2» may be a word no sentence has: no answer
    wait_until(
        lambda: (hits := reader.ask("أين تقع المدينة رقم 2؟").hits) and hits[0].document == names[2]
    )
    reader.close()


def test_buttons_work_after_a_restart_and_say_so_when_their_sentence_is_gone(
    fake: FakeTelegram,
    tmp_path: Path,
) -> None:
    from bot import texts
    from bot.sessions import Sessions
    from bot.state import state_of
    from harness.bot import make_services, running_bot

    def services():  # as `sanad serve` makes them: button state in the bot's file
        return make_services(
            tmp_path, sessions=Sessions(state_of(tmp_path / "index.sqlite3"), ttl=86_400)
        )

    with running_bot(fake, services()):
        fake.message(1001, QUESTION)
        fake.wait_sent("sendMessage", 1001)
    answer = fake.bot_messages(1001)[-1]
    keys = buttons(answer)
    restarted = services()
    with running_bot(fake, restarted):  # a new process: nothing kept in memory
        fake.press(answer, keys["المزيد"])
        [edit] = fake.wait_sent("editMessageText", 1001)
        restarted.collection.remove([SEED_DOC.name])
        fake.press(answer, keys["السياق"])
        fake.wait_for(lambda: all(fake.callbacks.values()))
    assert "نتائج إضافية (4–6)" in edit.params["text"]
    alerts = [c.params.get("text") for c in fake.sent("answerCallbackQuery")]
    assert texts.REMOVED in alerts and texts.EXPIRED not in alerts


def test_admins_list_remove_and_replace_documents_in_telegram(
    fake: FakeTelegram, tmp_path: Path
) -> None:
    from bot import texts
    from harness.bot import ADMIN, make_services, running_bot

    with running_bot(fake, make_services(tmp_path), max_messages_per_second=1000):
        for n in range(20):  # more than a page
            fake.document(ADMIN, f"city{n:02}.txt", f"المدينة رقم {n} في أوزبكستان.".encode())
        fake.wait_sent("sendMessage", ADMIN, count=20, timeout=30)
        fake.message(1001, "/docs")
        fake.message(1001, "/remove city01.txt")
        fake.wait_sent("sendMessage", 1001, count=2)
        fake.message(ADMIN, "/docs")
        fake.wait_sent("sendMessage", ADMIN, count=21)
        listing = fake.bot_messages(ADMIN)[-1]
        fake.press(listing, buttons(listing)["التالي"])
        fake.wait_sent("editMessageText", ADMIN)
        fake.message(ADMIN, "/remove city01.txt")
        fake.wait_sent("sendMessage", ADMIN, count=22)
        confirm = fake.bot_messages(ADMIN)[-1]
        fake.press(confirm, buttons(confirm)["نعم، احذفها"])
        fake.wait_sent("editMessageText", ADMIN, count=2)
        fake.document(ADMIN, "city02.txt", "المدينة رقم اثنين صارت عاصمة للثقافة.".encode())
        fake.wait_sent("sendMessage", ADMIN, count=23)
        fake.message(1001, "ما المدينة التي صارت عاصمة للثقافة؟")
        fake.wait_sent("sendMessage", 1001, count=3)
    refusals = [c.params["text"] for c in fake.sent("sendMessage", 1001)][:2]
    assert refusals == [texts.ADMINS_ONLY, texts.ADMINS_ONLY]
    first_page = fake.sent("sendMessage", ADMIN)[20].params["text"]
    assert "city00.txt" in first_page and "city19.txt" not in first_page
    pages = fake.sent("editMessageText", ADMIN)
    assert "city19.txt" in pages[0].params["text"] and "الصفحة 2 من 2" in pages[0].params["text"]
    assert "حُذفت الوثيقة city01.txt" in pages[1].params["text"]
    assert "استُبدلت" in fake.sent("sendMessage", ADMIN)[-1].params["text"]
    assert "صارت عاصمة للثقافة" in fake.sent("sendMessage", 1001)[-1].params["text"]


def test_answered_updates_are_kept_per_bot(tmp_path: Path) -> None:
    from bot.journal import UpdateJournal, bot_id
    from bot.state import open_state

    staging = UpdateJournal(open_state(tmp_path / "b.sqlite3"), bot_id("111:staging-token"))
    assert staging.record(5, "{}")
    staging.done(5)
    production = UpdateJournal(open_state(tmp_path / "b.sqlite3"), bot_id("222:production-token"))
    assert production.record(5, "{}")  # another bot's update 5: not skipped as answered
    assert not staging.record(5, "{}")


@pytest.mark.slow
def test_a_serving_bot_answers_every_question_while_the_collection_changes(
    fake: FakeTelegram, tmp_path: Path
) -> None:
    from bot import texts
    from harness.fake_telegram import parse_html
    from harness.stops import serve_env

    env = serve_env(tmp_path, fake)
    more = tmp_path / "more"
    more.mkdir()
    log = (tmp_path / "serve.log").open("w")
    bot = subprocess.Popen([SANAD, "serve"], cwd=tmp_path, env=env, stderr=log)
    asked = 0
    try:
        fake.wait_for(lambda: fake.sent("getUpdates"), timeout=60)
        for n in range(1):
            doc = more / f"city{n}.txt"
            doc.write_text(f"المدينة رقم {n} تقع في أوزبكستان ويزورها السياح.", "utf-8")
            steps = [["add", str(doc)], ["remove", doc.name], ["build", "seeds", str(more)]]
            for step in steps:
                writer = subprocess.Popen([SANAD, *step], cwd=tmp_path, env=env)
                while writer.poll() is None:
                    fake.message(3000 + asked, QUESTION)  # one each: no question limit
                    asked += 1
                    time.sleep(0.05)
                assert writer.returncode == 0
        fake.wait_sent("sendMessage", count=asked, timeout=60)

        def answered_from_the_last_addition() -> bool:
            fake.message(3999, "أين تقع المدينة رقم 0؟")  # added by the last build
            reply = fake.wait_sent(
                "sendMessage", 3999, count=len(fake.sent("sendMessage", 3999)) + 1
            )
            return "المدينة رقم 0" in parse_html(reply[-1].params["text"])

        wait_until(answered_from_the_last_addition, seconds=5)
    finally:
        bot.terminate()
        bot.wait(timeout=30)
        log.close()
    replies = [parse_html(c.params["text"]) for c in fake.sent("sendMessage")]
    assert len(fake.sent("sendMessage")) >= asked and texts.SORRY not in replies
    logged = (tmp_path / "serve.log").read_text(encoding="utf-8")
    assert "Traceback" not in logged and "ERROR" not in logged


@pytest.mark.slow
def test_a_second_writer_waits_for_the_first_then_succeeds(tmp_path: Path) -> None:
    from index.storage.sqlite import Database

    config = seed_config(tmp_path)
    Collection.open(config).close()
    (tmp_path / "new.txt").write_text(NEW, encoding="utf-8")
    first = Database(config.index_path)
    with first.transaction():  # a writer in the middle of its commit
        second = subprocess.Popen(
            [SANAD, "add", str(tmp_path / "new.txt")],
            env=writer_env(config),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        time.sleep(2.0)
        assert second.poll() is None  # it waits, and breaks nothing
    out, err = second.communicate(timeout=60)
    first.close()
    assert second.returncode == 0, err
    assert "added new.txt" in out
    with Collection.open(config) as reader:
        assert reader.ask(NEW_QUESTION).hits[0].document == "new.txt"
        assert reader.integrity_ok()


def test_a_question_is_answered_while_a_writer_holds_the_store(tmp_path: Path) -> None:
    # questions read through their own connection: a long write (a 15 MB upload being
    # stored, a rebuild) held every answer up until it committed
    with Collection.open(seed_config(tmp_path)) as collection:
        assert not collection.ask(QUESTION).empty  # loaded, as in a running bot
        holding, release = threading.Event(), threading.Event()

        def writer() -> None:
            with collection._store.transaction() as db:
                db.execute("UPDATE meta SET value = value WHERE key = 'generation'")
                holding.set()
                release.wait(30)

        writing = threading.Thread(target=writer)
        writing.start()
        assert holding.wait(10)
        answered: list = []
        other = "ما حصة روسيا في التجارة الخارجية لكازاخستان؟"  # rows not read before
        asking = threading.Thread(target=lambda: answered.append(collection.ask(other)))
        asking.start()
        asking.join(10)
        while_writing = bool(answered) and writing.is_alive()  # the writer still holds it
        release.set()
        writing.join()
        asking.join()
    assert while_writing and answered and "كازاخستان" in answered[0].hits[0].text
