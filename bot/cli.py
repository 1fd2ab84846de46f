"""The ``sanad serve`` command: run the Telegram bot (long polling or a webhook)."""

from __future__ import annotations

import argparse
import logging
import os
import sys
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from index.cli import EXIT_ERROR

if TYPE_CHECKING:  # loaded by the commands themselves: `sanad --help` stays quick
    import asyncio

    from bot.lease import Lease
    from index.config import Config

START_RETRY_MAX = 30.0  # seconds between tries to reach Telegram at start, at most
EXIT_NOT_RUNNING = 3  # `status`: no bot runs (the other exit statuses: index.cli)
EXIT_OUT_OF_TOUCH = 5  # `status`: a polling bot runs but has not reached Telegram for a while
# A polling bot hears from Telegram at least every long poll (10 s) and writes it down every
# 15 s: not heard for this long, it is out of touch (a health check should say unhealthy).
STALE_AFTER = 300.0

log = logging.getLogger("bot")

NO_TOKEN = (
    "no Telegram bot token: set telegram.token in the config file, SANAD_TELEGRAM_TOKEN, or "
    "a systemd credential named telegram-token"
)
CREDENTIAL = "telegram-token"  # systemd's LoadCredential=telegram-token:/etc/sanad/…
BAD_TOKEN = (
    "Telegram rejected the bot token; check telegram.token or SANAD_TELEGRAM_TOKEN "
    "(get one from @BotFather)"
)
ANOTHER_BOT = (
    "another sanad serve is answering from this data folder; one bot per data folder "
    "(stop it first, or give this one its own index.path)"
)
REVOKED_TOKEN = (
    "Telegram stopped accepting the bot token while the bot ran (revoked or replaced in "
    "@BotFather?); set the new one in telegram.token or SANAD_TELEGRAM_TOKEN"
)


def register(sub: Any) -> None:
    """Add ``serve`` and ``status`` to the ``sanad`` command line (found through an entry
    point)."""
    from index.cli import cluster_flag

    serve = sub.add_parser("serve", help="run the Telegram bot")
    cluster_flag(serve, "answer from shards on the Ray cluster of [cluster] (the same answers)")
    serve.set_defaults(run=run_serve)
    status = sub.add_parser(
        "status",
        help="whether a bot runs on this data folder, and the collection",
        description=(
            "Exit status: 0 a bot is running, 3 none is, 5 it runs (long polling) but has"
            f" not reached Telegram for {STALE_AFTER:.0f} s."
        ),
    )
    status.add_argument("--json", action="store_true", help="print JSON")
    status.set_defaults(run=run_status)
    stats = sub.add_parser(
        "stats", help="what was asked: questions, share answered, votes, what is missing"
    )
    stats.set_defaults(run=run_stats)
    feedback = sub.add_parser("feedback", help="the voted answers, for review")
    feedback.add_argument("--csv", action="store_true", help="as CSV (the default)")
    feedback.set_defaults(run=run_feedback)
    backup = sub.add_parser(
        "backup",
        help="copy the collection, its uploads and the bot's records into a new folder",
        description=(
            "A consistent copy while the bot serves: the index and the bot's records by"
            " SQLite's backup API (a snapshot of one moment), the kept uploads the index"
            " names, the engine files. Put it back with sanad restore."
        ),
    )
    backup.add_argument("folder", type=Path, help="a new (or empty) folder")
    backup.set_defaults(run=run_backup)
    restore = sub.add_parser(
        "restore",
        help="put a backup back in place of the collection (the bot stopped)",
        description="Replaces the index, the bot's records, the uploads and the engine files.",
    )
    restore.add_argument("folder", type=Path, help="a folder made by sanad backup")
    restore.set_defaults(run=run_restore)


def _records(config: Config) -> dict[str, Path]:
    """The SQLite files a backup takes beside the index, by their name in it: the bot's
    records (whatever the index is called, so a backup restores under any name)."""
    from bot.state import state_file

    return {"bot-records.sqlite3": state_file(config.index_path)}


def run_backup(args: argparse.Namespace, config: Config) -> int:
    from index.build import counted
    from index.storage.backup import BackupError, back_up

    started = time.perf_counter()
    try:
        done = back_up(config.index_path, config.uploads_path, args.folder, _records(config))
    except BackupError as exc:
        print(f"sanad: error: {exc}", file=sys.stderr)
        return EXIT_ERROR
    print(
        f"backed up generation {done.generation}: {counted(done.documents, 'document')},"
        f" {counted(done.sentences, 'sentence')}, {counted(done.uploads, 'kept upload')},"
        f" the bot's records{'' if done.records else ' (none yet)'}"
        f" in {time.perf_counter() - started:.1f} s → {args.folder}"
    )
    return 0


def run_restore(args: argparse.Namespace, config: Config) -> int:
    from index.build import counted
    from index.collection import Collection
    from index.storage.backup import BackupError, restore

    lease = serving_lease(config, "a bot is serving this data folder: stop it first")
    if lease is None:  # no bot may answer from it meanwhile
        return EXIT_ERROR
    try:
        done = restore(args.folder, config.index_path, config.uploads_path, _records(config))
        with Collection.open(config, prepare=False) as collection:
            collection.searcher.reload()  # engine files that fit it, for the first start
    except BackupError as exc:
        print(f"sanad: error: {exc}", file=sys.stderr)
        return EXIT_ERROR
    finally:
        lease.release()
    print(
        f"restored generation {done.generation}: {counted(done.documents, 'document')},"
        f" {counted(done.sentences, 'sentence')} → {config.index_path}"
    )
    return 0


def run_stats(args: argparse.Namespace, config: Config) -> int:
    """The operator's summary in the terminal (as /stats gives it in Telegram)."""
    from bot.feedback import FeedbackStore
    from bot.state import state_of
    from bot.stats import QuestionLog

    records = state_of(config.index_path)
    try:
        votes = FeedbackStore(records).votes()
        s = QuestionLog(records, keep_days=config.telegram.keep_questions_days).stats(votes)
    finally:
        records.close()
    print(f"questions today: {s.today}, last 7 days: {s.week}")
    print(f"answered: {100 * s.answered_share:.0f}% ({s.answered} of {s.week})")
    print(f"votes, last 7 days: {s.helpful} helpful, {s.unhelpful} not helpful")
    if s.unanswered:
        print("most asked with no answer (documents to add next):")
        for question, n in s.unanswered:
            print(f"  {n}\t{question}")
    if s.hours:
        print("busiest hours: " + ", ".join(f"{h:02d}:00 ({n})" for h, n in s.hours))
    return 0


def run_feedback(args: argparse.Namespace, config: Config) -> int:
    """Each voted answer as a CSV row: when, the vote, the question, the sentences shown."""
    import csv

    from bot.feedback import FeedbackStore
    from bot.state import state_of
    from index.storage.store import Store

    records = state_of(config.index_path)
    store = Store(config.index_path)
    try:
        votes = FeedbackStore(records).all()
        shown = store.sentences(sorted({n for _, ids, _, _, _ in votes for n in ids}))
    finally:
        records.close()
        store.close()
    out = csv.writer(sys.stdout)
    out.writerow(["at", "vote", "question", "sentences shown"])
    for question, ids, _, helpful, at in votes:
        texts = " | ".join(shown[n].text if n in shown else "(removed since)" for n in ids)
        out.writerow([at, "helpful" if helpful else "not helpful", question, texts])
    return 0


def run_status(args: argparse.Namespace, config: Config) -> int:
    """Say whether a bot runs on this data folder, when it last heard from Telegram, and
    the collection's generation, documents and sentences."""
    import json

    from bot.health import read_status
    from bot.state import state_file
    from index.build import counted
    from index.collection import Collection

    if not config.index_path.exists():
        print(f"sanad: no index at {config.index_path} (sanad build makes one)", file=sys.stderr)
        return EXIT_NOT_RUNNING
    found = read_status(state_file(config.index_path))
    with Collection.open(config, sys.stderr, prepare=False) as collection:
        summary = collection.summary()
    now = time.time()
    running = found is not None and found.running
    # a webhook bot may hear nothing for hours when nobody writes: only polling can tell
    stale = (
        running
        and found is not None
        and found.mode == "polling"
        and now - (found.heard or found.started) > STALE_AFTER
    )
    if args.json:
        bot = None
        if found is not None:
            bot = {
                "running": running,
                "pid": found.pid,
                "host": found.host,
                "mode": found.mode,
                "started": found.started,
                "heard": found.heard,
                "stopped": found.stopped,
                "out_of_touch": stale,
            }
        print(json.dumps({"bot": bot, **summary}, ensure_ascii=False))
    else:
        if found is None:
            print("bot: never run on this data folder")
        elif not running:
            print(f"bot: not running (pid {found.pid} on {found.host}, {found.mode})")
        else:
            heard = "not yet" if found.heard is None else f"{now - found.heard:.0f} s ago"
            print(
                f"bot: running (pid {found.pid} on {found.host}, {found.mode}, up "
                f"{now - found.started:.0f} s); last heard from Telegram {heard}"
                + (f": out of touch (over {STALE_AFTER:.0f} s)" if stale else "")
            )
        print(
            f"collection: generation {summary['generation']}, "
            f"{counted(summary['documents'], 'document')}, "
            f"{counted(summary['sentences'], 'sentence')}"
        )
    if not running:
        return EXIT_NOT_RUNNING
    return EXIT_OUT_OF_TOUCH if stale else 0


def credential_token(environ: Mapping[str, str] = os.environ) -> str:
    """The bot token systemd hands over as a credential (``$CREDENTIALS_DIRECTORY/
    telegram-token``), or "" when there is none."""
    folder = environ.get("CREDENTIALS_DIRECTORY")
    if not folder:
        return ""
    try:
        return (Path(folder) / CREDENTIAL).read_text(encoding="utf-8").strip()
    except OSError:
        return ""


def serving_lease(config: Config, refusal: str) -> Lease | None:
    """The data folder's serving lease; when a bot holds it, None, and ``refusal`` said in
    one line naming that bot's process."""
    from bot.lease import Lease

    lease = Lease.take(config.index_path)
    if isinstance(lease, Lease):
        return lease
    holder = f" (process {lease})" if lease else ""
    print(f"sanad: error: {refusal}{holder}", file=sys.stderr)
    return None


def run_serve(args: argparse.Namespace, config: Config) -> int:
    from index.config import ConfigError

    token = config.telegram.token.strip() or credential_token()
    if not token:
        raise ConfigError(NO_TOKEN)
    # Imported here so that `sanad ask` never pays for Telegram's import.
    from telegram import Update
    from telegram.error import InvalidToken, NetworkError

    from bot.app import build_application
    from bot.logs import setup_logging
    from bot.network import SanadBot, watch_token
    from bot.services import Services
    from bot.webhook import run_webhook, webhook_path
    from index.collection import Collection

    lease = serving_lease(config, ANOTHER_BOT)
    if lease is None:
        return EXIT_ERROR
    setup_logging(token, config.telegram.webhook_secret, verbose=args.verbose)
    collection = Collection.open(config, sys.stderr, cluster=args.cluster)
    services = Services.from_config(collection, config)
    application = build_application(token, services, config.telegram.base_url)
    tg = config.telegram
    # Check the token (getMe) first, so that a wrong one is one clear line, not a traceback;
    # run_polling/run_webhook then reuse this loop and the initialized application.
    import asyncio

    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    # Telegram out of reach at start (a network that comes up after the service, an
    # outage): one line, then quiet retries, START_RETRY_MAX apart at most, until it answers.
    delay = 1.0
    while True:
        try:
            loop.run_until_complete(application.initialize())
            break
        except InvalidToken:
            print(f"sanad: error: {BAD_TOKEN}", file=sys.stderr)
            services.close()
            lease.release()
            return EXIT_ERROR
        except NetworkError as exc:
            if delay == 1.0:
                reason = str(exc).replace(token, "[token]")
                log.warning("cannot reach the Telegram Bot API (%s); retrying quietly", reason)
            time.sleep(delay)
            delay = min(2 * delay, START_RETRY_MAX)
    if delay > 1.0:
        log.warning("reached the Telegram Bot API; starting")
    stop_once(loop, application.stop_running)
    heartbeat = services.heartbeat
    heartbeat.start("webhook" if tg.webhook_url else "polling")
    started = time.time()

    def health() -> dict[str, Any]:
        heard = heartbeat.last_heard
        return {
            "ok": True,
            "uptime_s": round(time.time() - started),
            "heard_s_ago": None if heard is None else round(time.time() - heard),
            **services.collection.summary(),
        }

    try:
        if tg.webhook_url:
            secret = tg.webhook_secret or generated_secret()
            path = webhook_path(tg.webhook_url)
            log.info(
                "serving with a webhook on %s:%d/%s (and /healthz)",
                tg.webhook_listen,
                tg.webhook_port,
                path,
            )
            if isinstance(application.bot, SanadBot):
                watch_token(application.bot, loop, tg.webhook_token_check_s)
            run_webhook(application, loop, tg, secret, health)
        else:
            log.info("serving with long polling")
            application.run_polling(allowed_updates=Update.ALL_TYPES, stop_signals=None)
    finally:
        heartbeat.stop()
        services.close()
        lease.release()
    if isinstance(application.bot, SanadBot) and application.bot.revoked:
        print(f"sanad: error: {REVOKED_TOKEN}", file=sys.stderr)
        return EXIT_ERROR
    return 0


def stop_once(loop: asyncio.AbstractEventLoop, stop: Callable[[], None]) -> None:
    """SIGINT and SIGTERM stop the bot gracefully; a repeated signal (uv run forwards the
    terminal's Ctrl-C, so the bot gets two) does not cut that short. Questions not answered
    yet stay in the update journal and are answered on the next start."""
    stopping: list[int] = []

    def on_signal(signum: int) -> None:
        if stopping:
            log.info("signal %d: already stopping", signum)
            return
        stopping.append(signum)
        log.info("signal %d: stopping; unanswered questions are kept for the next start", signum)
        stop()

    import signal

    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, on_signal, signum)


def generated_secret() -> str:
    """A strong webhook secret for this run, when the config sets none: without one,
    anybody could post updates that claim to be an admin's."""
    import secrets

    from bot.logs import protect_secrets

    secret = secrets.token_urlsafe(32)
    protect_secrets(secret)
    log.info("telegram.webhook_secret is not set: using a generated secret for this run")
    return secret
