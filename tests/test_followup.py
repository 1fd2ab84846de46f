"""Follow-up questions in a chat: «وعن كازاخستان؟» after «ماذا قال رودينكو عن أوزبكستان؟»
is read as one whole question, and the reply says how it was understood; a question that
stands on its own is never rewritten. Over the seed article and short texts we wrote on
topics of the dev sets (tests/fixtures/followup: Egypt, the Warsaw stock exchange, Tesla)."""

from __future__ import annotations

import shutil
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.turns import Turns
from harness.bot import make_services, running_bot
from harness.fake_telegram import BOT_USERNAME, FakeTelegram, parse_html
from harness.seeds import SEEDS
from index.cli import main
from index.question.followup import follow_up

FOLLOWUP_DOCS = Path(__file__).parent / "fixtures" / "followup"
SEED_Q = "ماذا قال رودينكو عن أوزبكستان؟"
TRADE_Q = "ما هي حصة روسيا في التجارة مع كازاخستان؟"

# (previous question, follow-up, how it is understood, a word the first answer holds)
REWRITTEN = [
    (SEED_Q, "وعن كازاخستان؟", "ماذا قال رودينكو عن كازاخستان؟", "كازاخستان"),
    (SEED_Q, "وماذا قال عن كازاخستان؟", "ماذا قال رودينكو عن كازاخستان؟", "كازاخستان"),
    (SEED_Q, "وماذا عن كازاخستان؟", "ماذا قال رودينكو عن كازاخستان؟", "كازاخستان"),
    (SEED_Q, "ولماذا؟", "لماذا قال رودينكو عن أوزبكستان؟", "أوزبكستان"),
    (SEED_Q, "ماذا قال عنها؟", "ماذا قال رودينكو عن أوزبكستان؟", "أوزبكستان"),
    (SEED_Q, "ثم ماذا؟", "ماذا قال رودينكو عن أوزبكستان؟", "أوزبكستان"),
    (SEED_Q, "وماذا قال لافروف؟", "ماذا قال لافروف عن أوزبكستان؟", None),
    (
        SEED_Q,
        "وعن العلاقات مع كازاخستان؟",
        "ماذا قال رودينكو عن العلاقات مع كازاخستان؟",
        "كازاخستان",
    ),
    ("من هو رودينكو؟", "ماذا قال عن كازاخستان؟", "ماذا قال رودينكو عن كازاخستان؟", "كازاخستان"),
    (TRADE_Q, "وأوزبكستان؟", "ما هي حصة روسيا في التجارة مع أوزبكستان؟", None),
    ("أين تقع مصر؟", "وكم عدد سكانها؟", "كم عدد سكان مصر؟", "مئة مليون"),
    ("أين تقع مصر؟", "ما عاصمتها؟", "ما عاصمة مصر؟", "القاهرة"),
    ("كم عدد سكان مصر؟", "والقاهرة؟", "كم عدد سكان القاهرة؟", "القاهرة"),
    ("متى تأسست بورصة وارسو؟", "ومتى أعيد تأسيسها؟", "متى أعيد تأسيس بورصة وارسو؟", "1991"),
    ("متى ولد تسلا؟", "أين عاش؟", "أين عاش تسلا؟", "نيويورك"),
    ("متى ولد تسلا؟", "وأين عاش معظم حياته؟", "أين عاش معظم حياة تسلا؟", "فنادق"),
    ("متى ولد تسلا؟", "ومتى توفي؟", "متى توفي تسلا؟", "1943"),
    ("متى ولد تسلا؟", "وأين؟", "أين ولد تسلا؟", "سميليان"),
]
# Questions that stand on their own after the previous one: never rewritten.
STANDING = [
    (SEED_Q, "ماذا قال رودينكو عن كازاخستان؟"),
    (SEED_Q, "من هو رودينكو؟"),
    (SEED_Q, "ماذا قال رودينكو؟"),
    (SEED_Q, "ما هي منظمة معاهدة الأمن الجماعي؟"),
    ("أين تقع مصر؟", "ما عاصمة مصر وكم عدد سكانها؟"),
    ("أين تقع مصر؟", "كم مشروع اتفاقية تستعد روسيا وأوزبكستان لتوقيعها؟"),
    (TRADE_Q, "وما هي العلاقات بين روسيا وكازاخستان؟"),
    ("متى ولد تسلا؟", "متى تأسست بورصة وارسو؟"),
    ("كم عدد سكان مصر؟", "وزير الخارجية الروسي؟"),
    ("أين تقع مصر؟", "ومتى تأسست بورصة وارسو؟"),  # «و», then a whole question
]
PAIRS = REWRITTEN + [(a, b, None, None) for a, b in STANDING]


def test_there_are_enough_turn_pairs_of_both_kinds() -> None:
    assert len(PAIRS) >= 25 and len(STANDING) >= 8


@pytest.mark.parametrize(("previous", "question", "understood", "_"), REWRITTEN)
def test_a_follow_up_is_read_with_the_previous_question(
    previous: str, question: str, understood: str, _: object
) -> None:
    assert follow_up(question, previous) == understood


@pytest.mark.parametrize(("previous", "question"), STANDING)
def test_a_question_that_stands_on_its_own_is_never_rewritten(previous: str, question: str) -> None:
    assert follow_up(question, previous) is None


def test_a_reading_can_itself_be_followed_up() -> None:
    turns = Turns(window=600)
    asked = SEED_Q
    for question, understood in [
        ("وعن كازاخستان؟", "ماذا قال رودينكو عن كازاخستان؟"),
        ("ولماذا؟", "لماذا قال رودينكو عن كازاخستان؟"),
    ]:
        turns.remember(1, 1, asked, at=0.0)
        asked = turns.read(1, 1, question, at=60.0) or question
        assert asked == understood


# -- through the real polling loop -----------------------------------------------------


@pytest.fixture(scope="module")
def chat(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FakeTelegram]:
    folder = tmp_path_factory.mktemp("followup")
    docs = folder / "docs"
    docs.mkdir()
    for source in [*SEEDS.glob("*.txt"), *FOLLOWUP_DOCS.glob("*.txt")]:
        shutil.copy(source, docs / source.name)
    fake = FakeTelegram().start()
    services = make_services(folder, seeds=docs)
    with running_bot(fake, services):
        yield fake
    fake.stop()
    assert not fake.internal_errors


def replies(fake: FakeTelegram, asked: dict[int, str], before: int) -> dict[int, str]:
    """Ask each chat its question at once; the visible text of each reply."""
    for chat_id, text in asked.items():
        fake.message(chat_id, text)
    fake.wait_for(lambda: all(len(fake.bot_messages(c)) > before for c in asked), timeout=30)
    return {c: parse_html(fake.sent("sendMessage", c)[before].params["text"]) for c in asked}


@pytest.mark.slow
def test_every_turn_pair_is_answered_as_understood_through_the_polling_loop(
    chat: FakeTelegram,
) -> None:
    chats = {5000 + i: pair for i, pair in enumerate(PAIRS)}
    first = replies(chat, {c: pair[0] for c, pair in chats.items()}, 0)
    assert not any(text.startswith("\u200fفهمت") for text in first.values())  # nothing before
    second = replies(chat, {c: pair[1] for c, pair in chats.items()}, 1)
    for c, (_, question, understood, word) in chats.items():
        text = second[c]
        if understood is None:
            assert "فهمت" not in text, question
            continue
        head, _, rest = text.partition("\n")
        assert head == f"\u200fفهمت: {understood}", question
        if word is not None:
            assert word in rest.split("📄")[0], (question, rest[:200])  # the first quote


def test_in_a_group_each_asker_has_their_own_thread(chat: FakeTelegram) -> None:
    group = -1007
    chat.add_chat(group, "supergroup")
    mention = f"@{BOT_USERNAME}"
    for user, text in [(11, SEED_Q), (12, "وعن كازاخستان؟"), (11, "وعن كازاخستان؟")]:
        before = len(chat.sent("sendMessage", group))
        chat.message(group, f"{mention} {text}", user_id=user)
        chat.wait_for(lambda b=before: len(chat.sent("sendMessage", group)) > b)
    texts = [parse_html(c.params["text"]) for c in chat.sent("sendMessage", group)]
    assert "فهمت" not in texts[1]  # user 12 asked nothing before
    assert texts[2].startswith("\u200fفهمت: ماذا قال رودينكو عن كازاخستان؟")


def test_a_follow_up_after_the_window_is_read_on_its_own(chat: FakeTelegram) -> None:
    user = 4343
    long_ago = int(time.time()) - 3600
    chat.message(user, SEED_Q, date=long_ago)
    chat.wait_for(lambda: len(chat.bot_messages(user)) == 1)
    chat.message(user, "وعن كازاخستان؟")
    chat.wait_for(lambda: len(chat.bot_messages(user)) == 2)
    assert "فهمت" not in chat.bot_messages(user)[1]["text"]


def test_sanad_ask_reads_a_follow_up_after_the_previous_question(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    shutil.copytree(SEEDS, tmp_path / "seeds")
    monkeypatch.chdir(tmp_path)
    assert main(["ask", "وعن كازاخستان؟", "--after", SEED_Q, "-k", "1"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "فهمت: ماذا قال رودينكو عن كازاخستان؟"
    assert "كازاخستان" in out[1]
    assert main(["ask", "من هو رودينكو؟", "--after", SEED_Q, "--json"]) == 0
    assert '"understood": null' in capsys.readouterr().out
