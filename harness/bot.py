"""Run the real bot (python-telegram-bot's polling loop) against the fake Bot API."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

from telegram.ext import Application

from bot.app import build_application
from bot.services import Services
from bot.sessions import Sessions
from harness.fake_telegram import TOKEN, FakeTelegram
from harness.seeds import SEEDS, seed_config
from index.collection import Collection

ADMIN = 4242


def make_services(
    folder: Path, admins: frozenset[int] = frozenset({ADMIN}), seeds: Path = SEEDS, **kw
) -> Services:
    """The bot's services over a collection of ``seeds`` in ``folder`` (built on first
    use, the bot's records beside it); ``kw`` replaces any of them (``collection`` too)."""
    config = seed_config(folder, seeds)
    config = replace(config, telegram=replace(config.telegram, token=TOKEN))
    kw = {"sessions": Sessions(ttl=config.telegram.button_ttl), "admins": admins, **kw}
    collection = kw.pop("collection", None) or Collection.open(config)
    return Services.from_config(collection, config, **kw)


class LoopThread:
    """An asyncio loop in a thread, so tests stay synchronous."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()

    def run(self, coro, timeout: float = 20):
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout)

    def close(self) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(5)
        self.loop.close()


@contextmanager
def running_bot(fake: FakeTelegram, services: Services, **options) -> Iterator[Application]:
    """Start the Application as ``run_polling`` would (post_init included), then stop it.
    ``options`` go to ``build_application`` (flood limits, timeouts)."""
    loop = LoopThread()
    app = build_application(TOKEN, services, fake.base_url, **options)

    async def start() -> None:
        await app.initialize()
        if app.post_init:
            await app.post_init(app)
        assert app.updater is not None
        await app.updater.start_polling(poll_interval=0, timeout=2)
        await app.start()

    async def stop() -> None:
        assert app.updater is not None
        if app.updater.running:
            await app.updater.stop()
        if app.running:
            await app.stop()
        await app.shutdown()

    loop.run(start())
    try:
        yield app
    finally:
        try:
            loop.run(stop())
        finally:
            loop.close()
