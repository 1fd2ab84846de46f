"""`sanad serve` stopped the hard ways, as real processes: kill -9, SIGINT and SIGTERM to the
process group of `uv run` mid-burst, a token revoked while it runs; every question is still
answered, once."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from bot.cli import REVOKED_TOKEN
from bot.journal import IN_FLIGHT
from harness.fake_telegram import FakeTelegram
from harness.stops import SANAD, burst_through_a_stop, exit_on_revocation, serve_env
from index.cli import EXIT_ERROR


@pytest.mark.slow
@pytest.mark.parametrize("how", ["kill", "int", "term"])
def test_a_stop_mid_burst_loses_no_question_and_answers_none_twice(
    tmp_path: Path, fake: FakeTelegram, how: str
) -> None:
    outcome = burst_through_a_stop(tmp_path, fake, how, chats=8, per_chat=4)
    assert outcome.before_stop < outcome.asked  # the stop really came mid-burst
    assert (outcome.answered, outcome.lost) == (outcome.asked, 0)
    # a graceful stop answers none twice; kill -9 can land between Telegram taking a reply
    # and the journal marking it done: only an answer in flight at that instant (at most
    # IN_FLIGHT of them) can go out again (without the journal, the backlog would be lost)
    assert outcome.doubled <= (IN_FLIGHT if how == "kill" else 0)


@pytest.mark.slow
def test_a_token_revoked_while_serving_ends_the_process_with_one_line(
    tmp_path: Path, fake: FakeTelegram
) -> None:
    proc = subprocess.Popen(
        [SANAD, "serve"],
        cwd=tmp_path,
        env=serve_env(tmp_path, fake),
        stderr=subprocess.PIPE,
        text=True,
    )
    err = exit_on_revocation(
        proc,
        lambda: fake.wait_for(lambda: fake.sent("getUpdates"), timeout=60),
        lambda: fake.fail("getUpdates", 401, "Unauthorized", times=None),
    )
    assert proc.returncode == EXIT_ERROR
    assert err.strip().splitlines()[-1] == f"sanad: error: {REVOKED_TOKEN}"


@pytest.mark.slow
def test_questions_in_flight_when_the_token_is_revoked_are_answered_after_a_restart(
    tmp_path: Path, fake: FakeTelegram
) -> None:
    # they were marked handled after the 401 and lost: 5 of 5, with five tracebacks
    env = serve_env(tmp_path, fake)
    first = subprocess.Popen(
        [SANAD, "serve"], cwd=tmp_path, env=env, stderr=subprocess.PIPE, text=True
    )
    chats = [8000 + n for n in range(5)]
    revoked = []

    def revoke_then_ask() -> None:
        for method in ("sendMessage", "sendChatAction", "getUpdates"):
            revoked.append(fake.fail(method, 401, "Unauthorized", times=None))
        for chat in chats:
            fake.message(chat, "ماذا قال رودينكو عن أوزبكستان؟")

    err = exit_on_revocation(
        first, lambda: fake.wait_for(lambda: fake.sent("getUpdates"), timeout=60), revoke_then_ask
    )
    assert first.returncode == EXIT_ERROR
    assert err.strip().splitlines()[-1] == f"sanad: error: {REVOKED_TOKEN}"
    assert "Traceback" not in err
    for fault in revoked:  # a new token, from @BotFather
        fault.times = 0
    second = subprocess.Popen(
        [SANAD, "serve"], cwd=tmp_path, env=env, stderr=subprocess.PIPE, text=True
    )
    try:
        fake.wait_for(lambda: all(fake.sent("sendMessage", c) for c in chats), timeout=60)
    finally:
        second.terminate()
        second.communicate(timeout=30)
    assert all(len(fake.sent("sendMessage", c)) == 1 for c in chats)  # each answered, once
