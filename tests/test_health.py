"""What an operator sees of the bot's health: one log line per Telegram outage, a status
that survives the process."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from bot.health import Heartbeat, read_status
from bot.state import open_state


def test_an_outage_is_logged_once_and_its_end_once(caplog: pytest.LogCaptureFixture) -> None:
    now = [0.0]
    beat = Heartbeat(clock=lambda: now[0])
    beat.start("polling")
    with caplog.at_level(logging.INFO, logger="bot.health"):
        for second in range(0, 300, 2):  # five minutes of failed polls, every two seconds
            now[0] = float(second)
            beat.failed(OSError("connection refused"))
        now[0] = 300.0
        beat.heard()
        beat.heard()
    lines = [r.getMessage() for r in caplog.records]
    assert len(lines) == 2
    assert lines[0].startswith("cannot reach Telegram for 60 s")
    assert lines[1] == "Telegram is reachable again, after 300 s"


def test_a_short_blip_is_not_logged(caplog: pytest.LogCaptureFixture) -> None:
    now = [0.0]
    beat = Heartbeat(clock=lambda: now[0])
    with caplog.at_level(logging.INFO, logger="bot.health"):
        beat.failed(OSError("reset"))
        now[0] = 20.0
        beat.heard()
    assert not caplog.records


def test_the_status_outlives_the_process_and_says_when_it_stopped(tmp_path: Path) -> None:
    path = tmp_path / "i-bot.sqlite3"
    assert read_status(path) is None and not path.exists()  # asking creates nothing
    beat = Heartbeat(open_state(path), clock=lambda: 50.0)
    beat.start("webhook")
    beat.heard()
    status = read_status(path)
    assert status is not None and status.running and status.heard == 50.0
    beat.stop()
    beat.close()
    stopped = read_status(path)
    assert stopped is not None and not stopped.running and stopped.stopped == 50.0


@pytest.mark.parametrize(
    ("mode", "heard_ago", "code"),
    [("polling", 20, 0), ("polling", 900, 5), ("webhook", 900, 0)],
)
def test_status_says_a_polling_bot_out_of_touch_with_telegram(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    mode: str,
    heard_ago: float,
    code: int,
) -> None:
    import time

    from bot.cli import EXIT_OUT_OF_TOUCH
    from bot.state import state_of
    from index.cli import main
    from tests.conftest import SEEDS

    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SANAD_INDEX_SEEDS", str(SEEDS))
    monkeypatch.setenv("SANAD_ANALYSIS_SEGMENTER", "light")
    assert main(["build"]) == 0
    records = state_of(tmp_path / "data" / "sanad.sqlite3")
    now = time.time()
    beat = Heartbeat(records, clock=lambda: now - heard_ago)  # this process: alive
    beat.start(mode)
    beat.heard()
    capsys.readouterr()
    assert main(["status"]) == code  # the Docker health check's verdict
    said = capsys.readouterr().out
    assert ("out of touch" in said) == (code == EXIT_OUT_OF_TOUCH)
    beat.close()
