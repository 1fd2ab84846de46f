"""Build the bot's Application and wire every handler, in order."""

from __future__ import annotations

import asyncio
import logging
import sys

from telegram import (
    BotCommand,
    BotCommandScopeAllGroupChats,
    BotCommandScopeAllPrivateChats,
    LinkPreviewOptions,
    Update,
)
from telegram.constants import FloodLimit, ParseMode
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    Defaults,
    InlineQueryHandler,
    MessageHandler,
    TypeHandler,
    filters,
)
from telegram.request import HTTPXRequest

from bot import access, admin, answering, buttons, callbacks, commands, errors, inline
from bot.journal import FairQueue, JournalProcessor
from bot.limits import GroupPace
from bot.logs import protect_secrets
from bot.network import RetryingRateLimiter, SanadBot, UpdatesRequest
from bot.services import Services

MAX_RETRIES = 8  # a 429 is retried this often, each after Telegram's retry_after
CONNECTIONS = 64  # to the Bot API at once (more than updates are handled at once)
# How long a thread keeps the interpreter lock while another waits (Python's default: 5 ms).
# A question makes many short calls that let go of the lock (SQLite, numpy), and after each
# an upload analysed in a worker thread held it again for up to this long: at 5 ms an answer
# took up to 0.7 s during a 15 MB upload, at 1 ms 0.17 s (bench/upload_stall.py).
SWITCH_INTERVAL = 0.001
DEFAULT_BASE_URL = "https://api.telegram.org/bot"
DEFAULT_FILE_URL = "https://api.telegram.org/file/bot"
log = logging.getLogger(__name__)

PRIVATE_COMMANDS = [
    BotCommand("start", "البداية ومثال"),
    BotCommand("help", "كيف تسأل"),
    BotCommand("ask", "اطرح سؤالًا"),
    BotCommand("sources", "الوثائق المتاحة"),
]
GROUP_COMMANDS = [
    BotCommand("ask", "اطرح سؤالًا على سند"),
    BotCommand("help", "كيف تسأل"),
    BotCommand("sources", "الوثائق المتاحة"),
]


def file_url_for(base_url: str) -> str:
    """The Bot API file URL that goes with a (self-hosted) API URL.

    >>> file_url_for("http://127.0.0.1:8081/bot")
    'http://127.0.0.1:8081/file/bot'
    """
    root, _, tail = base_url.rstrip("/").rpartition("/")
    return f"{root}/file/{tail}"


async def post_init(application: Application) -> None:
    """Updates journaled and not handled when the bot last stopped go first in the queue;
    then the command menu, in Arabic and by default, for private chats and for groups.
    From here on, questions are answered while uploads are analysed: the interpreter lock
    changes hands every :data:`SWITCH_INTERVAL`."""
    sys.setswitchinterval(SWITCH_INTERVAL)
    queue = application.update_queue
    if isinstance(queue, FairQueue):
        replayed = await asyncio.to_thread(queue.pending, application.bot)
        for update in replayed:
            queue.put_nowait(update)
        if replayed:
            log.info("%d updates received before the last stop are answered now", len(replayed))
    bot = application.bot
    for language in ("ar", None):
        await bot.set_my_commands(
            PRIVATE_COMMANDS, scope=BotCommandScopeAllPrivateChats(), language_code=language
        )
        await bot.set_my_commands(
            GROUP_COMMANDS, scope=BotCommandScopeAllGroupChats(), language_code=language
        )


def build_application(
    token: str,
    services: Services,
    base_url: str = "",
    max_messages_per_second: float = FloodLimit.MESSAGES_PER_SECOND,
    timeout: float | None = None,
) -> Application:
    """The Application: HTML by default, no link previews, retries on 429 (and Telegram's
    flood limits kept), concurrent updates, the command menu set on start, and every
    handler. The token is redacted from all logging before anything can log it.

    ``max_messages_per_second`` and ``timeout`` (seconds per Bot API call) are for tests
    against a local fake; keep the defaults against Telegram."""
    protect_secrets(token)
    pace = GroupPace()
    # python-telegram-bot's own defaults (5 s; getUpdates waits its long-poll time) unless set
    seconds = {} if timeout is None else {"connect": timeout, "read": timeout, "write": timeout}

    def request(pool: int, kind: type[HTTPXRequest] = HTTPXRequest) -> HTTPXRequest:
        return kind(
            connection_pool_size=pool,
            connect_timeout=seconds.get("connect", 5.0),
            read_timeout=seconds.get("read", 5.0),
            write_timeout=seconds.get("write", 5.0),
            pool_timeout=seconds.get("pool", 1.0),
        )

    bot = SanadBot(
        token,
        base_url=base_url or DEFAULT_BASE_URL,
        base_file_url=file_url_for(base_url) if base_url else DEFAULT_FILE_URL,
        request=request(CONNECTIONS),
        get_updates_request=request(1, UpdatesRequest),
        defaults=Defaults(
            parse_mode=ParseMode.HTML,
            link_preview_options=LinkPreviewOptions(is_disabled=True),
            allow_sending_without_reply=True,  # a question deleted meanwhile still gets it
        ),
        rate_limiter=RetryingRateLimiter(
            pace, overall_max_rate=max_messages_per_second, max_retries=MAX_RETRIES
        ),
        heartbeat=services.heartbeat,
    )
    queue = FairQueue(services.journal, pace)
    application = (
        ApplicationBuilder()
        .bot(bot)
        .update_queue(queue)
        .concurrent_updates(JournalProcessor(queue))
        .post_init(post_init)
        .build()
    )
    application.bot_data["services"] = services
    wire(application)
    return application


def wire(application: Application) -> None:
    """Every handler, in the order they are tried."""
    private = filters.ChatType.PRIVATE
    groups = filters.ChatType.GROUPS

    # /whoami before all: how an operator learns the ids for the admin and allow lists.
    application.add_handler(CommandHandler("whoami", commands.whoami), group=-2)
    # Then, for every update: the chat allow-list and the per-user question limit.
    application.add_handler(TypeHandler(Update, access.gatekeeper), group=-1)

    # Commands, in private chats and groups alike (/ask@botname included).
    application.add_handler(CommandHandler("start", commands.start))
    application.add_handler(CommandHandler("help", commands.help_command))
    application.add_handler(CommandHandler("sources", commands.sources))
    application.add_handler(CommandHandler("ask", answering.ask_command))

    # Admin commands and uploads; non-admins get a polite refusal.
    application.add_handler(CommandHandler("reload", admin.reload_command))
    application.add_handler(CommandHandler("docs", admin.docs_command))
    application.add_handler(CommandHandler("remove", admin.remove_command))
    application.add_handler(CommandHandler("stats", admin.stats_command))
    application.add_handler(CommandHandler("sets", admin.sets_command))
    application.add_handler(CommandHandler("use", admin.use_command))
    # Uploads: an admin's document in private, or in a group (it joins the group's sets).
    application.add_handler(MessageHandler(filters.Document.ALL, admin.upload))

    # Questions: any text in private; in groups, only what mentions or replies to the bot.
    text = filters.TEXT & ~filters.COMMAND
    application.add_handler(MessageHandler(private & text, answering.private_text))
    addressed = groups & text & answering.AddressedToBot()
    application.add_handler(MessageHandler(addressed, answering.group_text))
    # Any other command: one line pointing to /help.
    application.add_handler(MessageHandler(filters.COMMAND, commands.unknown_command))

    # Buttons under answers, lists and /start; anything else is answered as expired.
    for kind, pressed in (
        (buttons.MORE, callbacks.more_button),
        (buttons.CONTEXT, callbacks.context_button),
        (buttons.VOTE, callbacks.feedback_button),
        (buttons.EXAMPLE, callbacks.example_button),
        (buttons.DOCS, admin.docs_button),
        (buttons.SOURCES, commands.sources_button),
        (buttons.REMOVE, admin.remove_button),
        (buttons.USE, admin.use_button),
    ):
        application.add_handler(CallbackQueryHandler(pressed, pattern=buttons.pattern(kind)))
    application.add_handler(CallbackQueryHandler(callbacks.stale_button))

    # Inline mode: @bot question, in any chat.
    application.add_handler(InlineQueryHandler(inline.inline_query))

    # Errors: logged without the token; the user is told when there is a chat.
    application.add_error_handler(errors.on_error)
