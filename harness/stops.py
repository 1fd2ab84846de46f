"""A burst of questions to ``sanad serve`` stopped half-way (kill -9, or SIGINT / SIGTERM to
the process group of ``uv run``, as a terminal or a supervisor sends them), then started
again: how many were answered, lost or answered twice (used by a test and bench/stops.py)."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from harness.fake_telegram import TOKEN, FakeTelegram
from harness.seeds import ROOT, SANAD, SEEDS, sanad_free_environ

QUESTIONS = [
    "ماذا قال رودينكو عن أوزبكستان؟",
    "ما حصة روسيا في التجارة الخارجية لكازاخستان؟",
    "متى جاء كلام رودينكو؟",
    "كم مشروع اتفاقية بين روسيا وأوزبكستان؟",
]


@dataclass(frozen=True)
class Outcome:
    """What became of a burst: questions asked, answered (once or more), lost, doubled;
    and how many were answered before the stop."""

    asked: int
    answered: int
    lost: int
    doubled: int
    before_stop: int


def exit_on_revocation(
    proc: subprocess.Popen[str], ready: Callable[[], object], revoke: Callable[[], object]
) -> str:
    """Once the serving process is ``ready`` (a wait on the fake), revoke its token
    (``revoke``: the fake's 401s as @BotFather's revocation makes them); its stderr once
    it has ended by itself (it is killed after 30 s, or when the wait fails)."""
    try:
        ready()
        revoke()
        _, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    return err


def serve_env(folder: Path, fake: FakeTelegram) -> dict[str, str]:
    """The environment of a bot in ``folder`` (a copy of the seeds there) on the fake."""
    shutil.copytree(SEEDS, folder / "seeds", dirs_exist_ok=True)
    env = sanad_free_environ()
    env.update(
        SANAD_TELEGRAM_TOKEN=TOKEN,
        SANAD_TELEGRAM_BASE_URL=fake.base_url,
        SANAD_ANALYSIS_SEGMENTER="light",
        CAMELTOOLS_DATA=str(folder / "none"),
        PYTHONUNBUFFERED="1",
    )
    return env


def start(folder: Path, env: dict[str, str], via_uv: bool) -> subprocess.Popen[bytes]:
    """``sanad serve`` in its own process group, started directly or as the README says
    (``uv run sanad serve``)."""
    uv = shutil.which("uv")
    if via_uv and uv is None:
        raise RuntimeError("uv is not installed: the README's way to start the bot needs it")
    command = (
        [uv, "run", "--project", str(ROOT), "--no-sync", "sanad", "serve"]
        if via_uv and uv
        else [SANAD, "serve"]
    )
    return subprocess.Popen(
        command,
        cwd=folder,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )


def replies(fake: FakeTelegram) -> Counter[int]:
    """How many answers each question (by message id) got."""
    return Counter(
        c.params["reply_parameters"]["message_id"]
        for c in fake.sent("sendMessage")
        if c.params.get("reply_parameters")
    )


def burst_through_a_stop(
    folder: Path, fake: FakeTelegram, how: str, chats: int = 30, per_chat: int = 10
) -> Outcome:
    """Push ``chats`` × ``per_chat`` questions, stop the bot when about a third are
    answered (``how``: "kill" = kill -9 of the bot, "int" / "term" = that signal to the
    process group of ``uv run sanad serve``), start it again and wait for the rest."""
    env = serve_env(folder, fake)
    first = start(folder, env, via_uv=how != "kill")
    asked: list[int] = []
    try:
        fake.wait_for(lambda: fake.sent("getUpdates"), timeout=60)
        for n in range(per_chat):
            for chat in range(chats):
                message = fake.message(50_000 + chat, QUESTIONS[(n + chat) % len(QUESTIONS)])
                asked.append(message["message_id"])
        deadline = time.monotonic() + 60
        while len(replies(fake)) < len(asked) // 3 and time.monotonic() < deadline:
            time.sleep(0.05)  # gently: this process also answers the bot's calls
        before = len(replies(fake))
        if how == "kill":
            os.kill(first.pid, signal.SIGKILL)
        else:
            sig = signal.SIGINT if how == "int" else signal.SIGTERM
            os.killpg(first.pid, sig)  # the terminal's (or systemd's) signal to the group
        first.wait(timeout=60)
    finally:
        if first.poll() is None:
            os.killpg(first.pid, signal.SIGKILL)
            first.wait()
    fake.redeliver([u["update_id"] for u in fake._delivered])  # whatever was not confirmed
    second = start(folder, env, via_uv=False)
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and len(set(asked) & set(replies(fake))) < len(asked):
            time.sleep(0.1)
        time.sleep(1.0)  # a double answer would show up now
    finally:
        os.killpg(second.pid, signal.SIGINT)
        second.wait(timeout=60)
    counts = replies(fake)
    answered = sum(1 for m in asked if counts[m])
    return Outcome(
        asked=len(asked),
        answered=answered,
        lost=len(asked) - answered,
        doubled=sum(1 for m in asked if counts[m] > 1),
        before_stop=before,
    )
