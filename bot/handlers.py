"""What the bot does for each kind of update: questions, buttons, commands, uploads."""

from __future__ import annotations

import asyncio
import functools
import html
import logging
import re
import time
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from telegram import (
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InlineQueryResultArticle,
    InlineQueryResultsButton,
    InputTextMessageContent,
    Message,
    Update,
)
from telegram.constants import ChatAction, ParseMode
from telegram.error import BadRequest, Forbidden, InvalidToken, NetworkError, TelegramError
from telegram.ext import ApplicationHandlerStop, ContextTypes, filters

from bot.feedback import FeedbackStore
from bot.health import Heartbeat
from bot.journal import FairQueue, UpdateJournal, bot_id
from bot.limits import Once, RateLimiter
from bot.network import SanadBot
from bot.render import (
    DOCUMENTS,
    PAGES,
    SENTENCES,
    answer_html,
    clip,
    context_html,
    counted,
    fit,
    html_visible,
    inline_message_html,
    understood_html,
)
from bot.sessions import Session, Sessions
from bot.state import state_of
from bot.stats import QuestionLog, Stats
from bot.turns import Turns
from index.collection import Collection, UploadsFull
from index.config import Config
from index.documents import SUFFIXES, DocumentError
from index.query import REASONS, UNUSABLE
from index.search import MEANING_LABEL, Answer
from index.store import DocumentInfo

log = logging.getLogger(__name__)
T = TypeVar("T")

MAX_UPLOAD_BYTES = 20 * 1024 * 1024  # what the Bot API lets a bot download
TYPING_BACKLOG = 20  # more updates waiting than this: no «typing…» actions
CONTEXT_RADIUS = 2
INLINE_RESULTS = 10

# User-facing texts (Modern Standard Arabic, short and polite).
WELCOME = (
    "أهلًا بك في <b>سند</b>.\n"
    "اسألني بالعربية عن محتوى الوثائق، وسأجيبك بالجمل نفسها من مصادرها، "
    "مع ذكر الوثيقة وموضع الجملة فيها.\n\n"
    "اكتب سؤالك الآن، أو جرّب هذا المثال:"
)
HELP = (
    "<b>كيف تسأل؟</b>\n"
    "اكتب سؤالك بالعربية في رسالة، مثل:\n"
    "• {example}\n"
    "• متى جاء كلام رودينكو؟\n\n"
    "أرسل لك أقرب الجمل من الوثائق، والكلمات المطابقة بخط عريض.\n"
    "تحت الإجابة: «المزيد» لنتائج أخرى، «السياق» لما قبل الجملة الأولى وما بعدها، "
    "و👍 / 👎 لتقييم الإجابة.\n\n"
    "<b>الأوامر</b>\n"
    "/ask سؤالك — اسأل (في المجموعات أيضًا)\n"
    "/sources — الوثائق المتاحة\n"
    "/help — هذه المساعدة\n\n"
    "في أي محادثة: اكتب @{bot} ثم سؤالك لتختار جملة وترسلها."
)
ASK_USAGE = "اكتب سؤالك بعد الأمر، مثل:\n/ask {example}"
SORRY = "عذرًا، حدث خطأ غير متوقع. حاول مرة أخرى بعد قليل."
EXPIRED = "انتهت صلاحية هذا الزر. أرسل سؤالك من جديد من فضلك."
REMOVED = "لم تعد هذه الجملة في الوثائق: حُذفت وثيقتها أو تغيّرت منذ الإجابة. أرسل سؤالك من جديد."
NO_MORE = "لا توجد نتائج أخرى لهذا السؤال."
THANKS = "شكرًا على تقييمك!"
ADMINS_ONLY = "عذرًا، هذا الأمر متاح للمشرفين فقط."
REMOVE_USAGE = "اكتب اسم الوثيقة كما يظهر في /docs، مثل: /remove تقرير.pdf"
UPLOAD_ADMINS_ONLY = "شكرًا لك، لكن إضافة الوثائق متاحة للمشرفين فقط."
NOT_TXT = (
    "أرسل الوثيقة بإحدى هذه الصيغ من فضلك: نص ‎(.txt)‎ أو Markdown ‎(.md)‎ "
    "أو Word ‎(.docx)‎ أو صفحة ويب ‎(.html)‎ أو PDF."
)
TOO_BIG = "الملف كبير جدًا: الحد الأقصى 20 ميغابايت."
UPLOADS_FULL = "لا مكان لوثائق جديدة: بلغت الوثائق المرفوعة الحد المسموح. احذف بعضها أولًا."
NO_ANSWER_HINT = "\n\nنصيحة: استخدم أسماء أو كلمات مميزة من موضوع سؤالك."
NOT_ALLOWED = "عذرًا، هذا البوت متاح لمحادثات محددة فقط."
RATE_LIMITED = "أسئلتك كثيرة في وقت قصير. انتظر دقيقة من فضلك ثم أعد المحاولة."
# An answer that comes this long after its question says why (a busy group's queue, a
# restart): the reader may have thought it lost.
LATE_SECONDS = 60
LATE = "⏳ تأخر هذا الرد لكثرة الأسئلة، شكرًا لصبرك.\n\n"
INLINE_HINT = "اكتب سؤالك بالعربية"
INLINE_NONE = "لا إجابة في الوثائق عن هذا"
UNKNOWN_COMMAND = "لا أعرف هذا الأمر. اكتب /help لترى ما أستطيع، أو اكتب سؤالك مباشرة."


@dataclass
class Services:
    """What the handlers work with; one per application, kept in ``bot_data``."""

    collection: Collection
    feedback: FeedbackStore
    sessions: Sessions
    turns: Turns  # each asker's previous question, for follow-ups
    questions: QuestionLog  # what was asked and whether it was answered (no asker)
    limiter: RateLimiter
    inline_limiter: RateLimiter  # inline queries: every keystroke is one, so a larger budget
    refusals: Once  # strangers told this bot is not for them
    journal: UpdateJournal  # every update received, until it was handled to the end
    heartbeat: Heartbeat  # the bot's state for `sanad status` and GET /healthz
    admins: frozenset[int]
    allowed_chats: frozenset[int]  # empty: every chat
    example: str

    @classmethod
    def from_config(cls, collection: Collection, config: Config, **given: Any) -> Services:
        """The services ``config`` describes, over ``collection``; ``given`` ones are used
        as they are (tests pass their own clock or limits)."""
        tg = config.telegram

        def given_or(name: str, make: Callable[[], T]) -> T:
            return given[name] if name in given else make()

        records = state_of(config.index_path)  # the bot's own file, beside the index
        return cls(
            collection=collection,
            feedback=given_or("feedback", lambda: FeedbackStore(records)),
            sessions=given_or("sessions", lambda: Sessions(records, tg.button_ttl)),
            turns=given_or("turns", lambda: Turns(records, 60 * tg.followup_minutes)),
            questions=given_or("questions", lambda: QuestionLog(records, tg.keep_questions_days)),
            limiter=given_or("limiter", lambda: RateLimiter(limit=tg.questions_per_minute)),
            inline_limiter=given_or(
                "inline_limiter", lambda: RateLimiter(limit=tg.inline_queries_per_minute)
            ),
            refusals=given_or("refusals", Once),
            journal=given_or("journal", lambda: UpdateJournal(records, bot_id(tg.token))),
            heartbeat=given_or("heartbeat", lambda: Heartbeat(records)),
            admins=given_or("admins", lambda: frozenset(tg.admins)),
            allowed_chats=given_or("allowed_chats", lambda: frozenset(tg.allowed_chats)),
            example=given_or("example", lambda: tg.example),
        )

    @property
    def top_k(self) -> int:
        """Sentences per page of an answer (search.top_k)."""
        return self.collection.config.search.top_k

    def close(self) -> None:
        self.feedback.close()
        self.journal.close()
        self.sessions.close()
        self.turns.close()
        self.questions.close()
        self.heartbeat.close()
        self.collection.close()


def services(context: ContextTypes.DEFAULT_TYPE) -> Services:
    return context.application.bot_data["services"]


# -- sending --------------------------------------------------------------------------


async def send_html(
    message: Message, text: str, markup: InlineKeyboardMarkup | None = None, quote: bool = True
) -> Message:
    """Reply with HTML; if Telegram cannot parse it, send the same words as plain text.
    (A call that surely never reached Telegram is retried by the rate limiter; one that
    may have arrived is not: see bot.network.)"""
    try:
        return await message.reply_text(text, reply_markup=markup, do_quote=quote)
    except BadRequest as exc:
        if "can't parse entities" not in str(exc).lower():
            raise
        log.warning("HTML refused (%s); sending plain text", exc)
        return await message.reply_text(
            html_visible(text), reply_markup=markup, do_quote=quote, parse_mode=None
        )


async def acknowledge(query: CallbackQuery, text: str | None = None, alert: bool = False) -> None:
    """Answer a button press (its spinner closes, or ``text`` shows). A press Telegram no
    longer knows (it came while the bot was down: "query is too old") cannot be answered;
    what it asked for is done all the same."""
    try:
        await query.answer(text, show_alert=alert)
    except BadRequest as exc:
        if "query is too old" not in str(exc).lower():
            raise
        log.info("a button press too old to answer; doing what it asks anyway")


async def show_typing(context: ContextTypes.DEFAULT_TYPE, chat_id: int) -> None:
    """«typing…» while an answer is made: best effort, and left out when many updates wait
    (each action costs one of the 30 Bot API calls a second the answers need) or when a
    group's pace has no slot to spare beside the answer's."""
    queue = context.application.update_queue
    if isinstance(queue, FairQueue) and (
        queue.backlog > TYPING_BACKLOG or queue.pace.wait(chat_id, messages=2) > 0
    ):
        return
    try:
        await context.bot.send_chat_action(chat_id, ChatAction.TYPING)
    except TelegramError as exc:
        log.info("typing action failed (%s); answering anyway", exc)


async def edit_html(message: Message, text: str, markup: InlineKeyboardMarkup | None) -> None:
    """Edit a message in place, with the same plain-text fallback as :func:`send_html`."""
    try:
        await message.edit_text(text, reply_markup=markup)
    except BadRequest as exc:
        if "not modified" in str(exc).lower():
            return
        if "can't parse entities" not in str(exc).lower():
            raise
        await message.edit_text(html_visible(text), reply_markup=markup, parse_mode=None)


def answer_keyboard(sid: str, page: int, has_more: bool) -> InlineKeyboardMarkup:
    """«المزيد» / «السابق» / «السياق» and 👍 / 👎 under an answer (callback_data ≤ 64 bytes)."""
    nav = []
    if page > 0:
        nav.append(InlineKeyboardButton("السابق", callback_data=f"m:{sid}:{page - 1}"))
    if has_more:
        nav.append(InlineKeyboardButton("المزيد", callback_data=f"m:{sid}:{page + 1}"))
    nav.append(InlineKeyboardButton("السياق", callback_data=f"c:{sid}"))
    votes = [
        InlineKeyboardButton("👍", callback_data=f"f:{sid}:1"),
        InlineKeyboardButton("👎", callback_data=f"f:{sid}:0"),
    ]
    return InlineKeyboardMarkup([nav, votes])


def search_page(svc: Services, question: str, page: int) -> tuple[Answer, bool]:
    """One page of results (``top_k`` hits) and whether another page follows (blocking:
    run it in a worker thread)."""
    wanted = (page + 1) * svc.top_k
    answer = svc.collection.ask(question, wanted + 1)
    hits = answer.hits[page * svc.top_k : wanted]
    shown = Answer(answer.question, hits, answer.reason if not hits else None)
    if not hits and answer.reason is None:
        shown = Answer(answer.question, (), "no_match")
    return shown, len(answer.hits) > wanted


@dataclass(frozen=True, slots=True)
class Reply:
    """A question answered and ready to send: how it was understood (a follow-up, else
    None), its first page, whether more follow, and its buttons' session (None: no hits)."""

    understood: str | None
    answer: Answer
    has_more: bool
    sid: str | None


def first_page(svc: Services, chat: int, asker: int, question: str, at: float) -> Reply:
    """Everything an answer needs from the collection and the bot's records (blocking: the
    search and four SQLite calls; run it in a worker thread, never on the event loop)."""
    understood = svc.turns.read(chat, asker, question, at)
    asked = understood or question
    answer, has_more = search_page(svc, asked, 0)
    if answer.reason not in UNUSABLE:
        svc.turns.remember(chat, asker, asked, at)
        svc.questions.record(asked, answered=not answer.empty)
    shown = [h.sentence_id for h in answer.hits]
    sid = None if answer.empty else svc.sessions.open(asked, shown)
    return Reply(understood, answer, has_more, sid)


async def answer_question(
    message: Message, context: ContextTypes.DEFAULT_TYPE, question: str
) -> None:
    """Search and reply to the question's message with the first page of sentences. A
    follow-up («وعن كازاخستان؟») is read with the asker's previous question in this chat,
    and the reply starts by saying how it was understood."""
    await show_typing(context, message.chat_id)
    asker = message.from_user.id if message.from_user else message.chat_id
    at = written_at(message)
    reply = await asyncio.to_thread(
        first_page, services(context), message.chat_id, asker, question, at
    )
    answer, understood = reply.answer, reply.understood
    if answer.empty or reply.sid is None:
        hint = NO_ANSWER_HINT if answer.reason == "no_match" else ""
        text = html.escape(answer.message or "", quote=False) + hint
        await send_html(message, understood_html(understood) + text)
        return
    late = LATE if time.time() - at > LATE_SECONDS else ""
    text = answer_html(answer, understood=understood, note=late)
    await send_html(message, text, answer_keyboard(reply.sid, 0, reply.has_more))


# -- gatekeeping ---------------------------------------------------------------------


def written_at(message: Message) -> float:
    """When the user wrote this: an edited message when it was edited (an edit of an old
    message is a question asked now, and counts against the limit now)."""
    return (message.edit_date or message.date).timestamp()


def is_allowed(update: Update, svc: Services) -> bool:
    """Admins always; with an allow-list, only its chats (and, inline, its users)."""
    user = update.effective_user
    if not svc.allowed_chats or (user is not None and user.id in svc.admins):
        return True
    chat = update.effective_chat
    return (chat.id if chat else user.id if user else None) in svc.allowed_chats


async def refuse(update: Update, text: str, tell: bool = True) -> None:
    """Tell the user no (or just close a button's spinner / an inline query)."""
    if update.callback_query:
        await acknowledge(update.callback_query, text if tell else None, alert=tell)
    elif update.inline_query:
        button = InlineQueryResultsButton(text=text[:64], start_parameter="help")
        await update.inline_query.answer([], button=button if tell else None, cache_time=0)
    elif update.effective_message and tell:
        await send_html(update.effective_message, text)


async def gatekeeper(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Before any handler: the allow-list, then the per-user question limit."""
    svc = services(context)
    user = update.effective_user
    if not is_allowed(update, svc):
        chat = update.effective_chat
        if chat is None or chat.type == "private" or _is_command(update):
            # a button or an inline query is answered anyway; a chat is told once a window
            answered_anyway = bool(update.callback_query or update.inline_query)
            stranger = chat.id if chat else user.id if user else 0
            await refuse(update, NOT_ALLOWED, answered_anyway or svc.refusals.first(stranger))
        raise ApplicationHandlerStop
    if user is not None and user.id not in svc.admins:
        message = update.effective_message
        written = written_at(message) if message and message.date else None
        limiter = svc.inline_limiter if update.inline_query else svc.limiter
        allowed, tell = limiter.check(user.id, written)
        if not allowed:
            log.info("user %s is over the question limit", user.id)
            await refuse(update, RATE_LIMITED, tell or bool(update.callback_query))
            raise ApplicationHandlerStop


def _is_command(update: Update) -> bool:
    message = update.effective_message
    return bool(message and message.text and message.text.startswith("/"))


# -- commands -------------------------------------------------------------------------


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/start: a welcome and the example question; ``/start help`` (the deep link from the
    inline-mode button) shows the help instead."""
    if context.args and context.args[0] in ("help", "inline"):
        await help_command(update, context)
        return
    svc = services(context)
    button = InlineKeyboardButton(svc.example, callback_data="example")
    if update.effective_message:
        await send_html(
            update.effective_message, WELCOME, InlineKeyboardMarkup([[button]]), quote=False
        )


async def help_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    svc = services(context)
    text = HELP.format(example=html.escape(svc.example), bot=context.bot.username)
    if update.effective_message:
        await send_html(update.effective_message, text, quote=False)


# Lists of documents (/sources, /docs), a page a message: a title or a name is shown up
# to LISTED_CHARS characters, so that a page of SOURCES_PAGE (or DOCS_PAGE) lines always
# fits one message, whatever the documents are called.
LISTED_CHARS = 100
SOURCES_PAGE = 25


def listed(text: str) -> str:
    """A title or a name as a list shows it: LISTED_CHARS characters at most, escaped.

    >>> listed("تقرير <سنوي>")
    'تقرير &lt;سنوي&gt;'
    >>> len(listed("كلمة " * 60)) <= LISTED_CHARS + 1
    True
    """
    return html.escape(clip(text, (), LISTED_CHARS)[0], quote=False)


def sources_page_html(docs: list[DocumentInfo], page: int) -> str:
    """One page of the documents a reader can ask about, with their sentence counts."""
    total = sum(d.sentences for d in docs)
    pages = max(1, -(-len(docs) // SOURCES_PAGE))
    head = f"📚 <b>الوثائق المتاحة</b>: {counted(len(docs), DOCUMENTS)}، "
    head += counted(total, SENTENCES)
    if pages > 1:
        head += f" — الصفحة {page + 1} من {pages}"
    first = page * SOURCES_PAGE
    lines = [
        f"• {listed(d.title)} — {counted(d.sentences, SENTENCES)}"
        for d in docs[first : first + SOURCES_PAGE]
    ]
    return head + "\n" + "\n".join(lines)


def list_keyboard(kind: str, page: int, count: int, per_page: int) -> InlineKeyboardMarkup | None:
    """«السابق» / «التالي» under a page of a list (``kind``: its button data's prefix)."""
    nav = []
    if page > 0:
        nav.append(InlineKeyboardButton("السابق", callback_data=f"{kind}:{page - 1}"))
    if (page + 1) * per_page < count:
        nav.append(InlineKeyboardButton("التالي", callback_data=f"{kind}:{page + 1}"))
    return InlineKeyboardMarkup([nav]) if nav else None


async def sources(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/sources: the documents and their sentence counts, a page a message."""
    docs = await asyncio.to_thread(services(context).collection.documents)
    if not update.effective_message:
        return
    if not docs:
        await send_html(update.effective_message, REASONS["no_documents"], quote=False)
        return
    markup = list_keyboard("s", 0, len(docs), SOURCES_PAGE)
    await send_html(update.effective_message, sources_page_html(docs, 0), markup, quote=False)


async def sources_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """«التالي» / «السابق» under /sources."""
    query = update.callback_query
    assert query is not None and query.data is not None
    docs = await asyncio.to_thread(services(context).collection.documents)
    page = min(int(query.data.split(":")[1]), max(0, (len(docs) - 1) // SOURCES_PAGE))
    await acknowledge(query)
    if isinstance(query.message, Message) and docs:
        markup = list_keyboard("s", page, len(docs), SOURCES_PAGE)
        await edit_html(query.message, sources_page_html(docs, page), markup)


def command_argument(message: Message) -> str:
    """The text after ``/command`` (or ``/command@bot``), spacing kept."""
    text = message.text or ""
    return re.sub(r"^/\S+", "", text, count=1).strip()


async def ask_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message = update.effective_message
    if message is None:
        return
    question = command_argument(message)
    if not question:
        example = html.escape(services(context).example)
        await send_html(message, ASK_USAGE.format(example=example))
        return
    await answer_question(message, context, question)


async def private_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message = update.effective_message
    if message is not None and message.text is not None:
        await answer_question(message, context, message.text)


async def unknown_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A command Sanad does not have (or one for admins, from someone else): one line
    pointing to /help. In a group, only a command addressed to this bot by name."""
    message = update.effective_message
    if message is None or message.text is None:
        return
    command = message.text.split()[0]
    if message.chat.type != "private" and not command.lower().endswith(
        f"@{context.bot.username}".lower()
    ):
        return  # «/foo» in a group may be another bot's
    await send_html(message, UNKNOWN_COMMAND)


async def group_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A group message that mentions the bot or replies to it: the rest is the question."""
    message = update.effective_message
    if message is None or message.text is None:
        return
    mention = f"@{context.bot.username}"
    question = re.sub(re.escape(mention), " ", message.text, flags=re.IGNORECASE).strip()
    if not question:
        await send_html(message, ASK_USAGE.format(example=html.escape(services(context).example)))
        return
    await answer_question(message, context, question)


class AddressedToBot(filters.MessageFilter):
    """A message that mentions the bot by @username or replies to one of its messages."""

    def filter(self, message: Message) -> bool:
        bot = message.get_bot()
        replied = message.reply_to_message
        if replied is not None and replied.from_user is not None and replied.from_user.id == bot.id:
            return True
        text = (message.text or "").lower()
        return bool(bot.username) and f"@{bot.username.lower()}" in text


# -- buttons --------------------------------------------------------------------------


SessionHandler = Callable[[CallbackQuery, str, Session, ContextTypes.DEFAULT_TYPE], Awaitable[None]]
UpdateHandler = Callable[[Update, ContextTypes.DEFAULT_TYPE], Coroutine[Any, Any, None]]


def with_session(handler: SessionHandler) -> UpdateHandler:
    """For buttons whose data is ``kind:session-id[:…]``: find the session or, when it
    expired, answer the press with an alert."""

    @functools.wraps(handler)
    async def wrapper(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        assert query is not None and query.data is not None
        sid = query.data.split(":")[1]
        session = await asyncio.to_thread(services(context).sessions.get, sid)
        if session is None:
            await acknowledge(query, EXPIRED, alert=True)
            return
        await handler(query, sid, session, context)

    return wrapper


@with_session
async def more_button(
    query: CallbackQuery, sid: str, session: Session, context: ContextTypes.DEFAULT_TYPE
) -> None:
    """«المزيد» / «السابق»: show another page of results in place."""
    svc = services(context)
    page = int((query.data or "").split(":")[2])
    answer, has_more = await asyncio.to_thread(search_page, svc, session.question, page)
    if answer.empty:
        await acknowledge(query, NO_MORE, alert=True)
        return
    shown = [h.sentence_id for h in answer.hits]
    await asyncio.to_thread(services(context).sessions.show, sid, shown)
    await acknowledge(query)
    if isinstance(query.message, Message):
        text = answer_html(answer, first_rank=page * svc.top_k + 1)
        await edit_html(query.message, text, answer_keyboard(sid, page, has_more))


@with_session
async def context_button(
    query: CallbackQuery, sid: str, session: Session, context: ContextTypes.DEFAULT_TYPE
) -> None:
    """«السياق»: the sentences around the top hit of the page shown."""
    collection = services(context).collection
    passage = None
    if session.shown:
        passage = await asyncio.to_thread(collection.passage, session.shown[0], CONTEXT_RADIUS)
    if passage is None:  # the document was removed or replaced since
        await acknowledge(query, REMOVED, alert=True)
        return
    await acknowledge(query)
    if isinstance(query.message, Message):
        await send_html(query.message, context_html(passage))


@with_session
async def feedback_button(
    query: CallbackQuery, sid: str, session: Session, context: ContextTypes.DEFAULT_TYPE
) -> None:
    """👍 / 👎: remember the vote with the question and the sentences shown."""
    chat_id = query.message.chat.id if query.message else query.from_user.id
    helpful = (query.data or "").endswith(":1")
    await asyncio.to_thread(
        services(context).feedback.record, session.question, session.shown, chat_id, helpful
    )
    await acknowledge(query, THANKS)


async def example_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """The example question under /start: answer it as if it had been typed."""
    query = update.callback_query
    assert query is not None
    await acknowledge(query)
    if isinstance(query.message, Message):
        question = services(context).example
        asked = await send_html(query.message, f"❓ {html.escape(question)}", quote=False)
        await answer_question(asked, context, question)


async def stale_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Any other button (an old keyboard): answer it so the client stops waiting."""
    if update.callback_query:
        await acknowledge(update.callback_query, EXPIRED, alert=True)


# -- inline mode ----------------------------------------------------------------------


async def inline_query(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """``@bot question``: one result per sentence, posted as a quote with its citation."""
    query = update.inline_query
    if query is None:
        return
    text = query.query.strip()
    if not text:
        hint = InlineQueryResultsButton(text=INLINE_HINT, start_parameter="inline")
        await query.answer([], button=hint, cache_time=300)
        return
    answer = await asyncio.to_thread(services(context).collection.ask, text, INLINE_RESULTS)
    results = [
        InlineQueryResultArticle(
            id=str(hit.sentence_id),
            title=f"{hit.title} · الجملة {hit.ordinal}"[:120],
            description=(f"{MEANING_LABEL} · " if hit.meaning else "") + hit.text[:200],
            input_message_content=InputTextMessageContent(
                inline_message_html(hit), parse_mode=ParseMode.HTML
            ),
        )
        for hit in answer.hits
    ]
    button: InlineQueryResultsButton | None = None
    if not results:
        button = InlineQueryResultsButton(text=INLINE_NONE, start_parameter="help")
    # personal: Telegram keeps the results for this user only (with an allow-list, nobody
    # outside it may be shown an answer someone else's query fetched)
    await query.answer(results, button=button, cache_time=60, is_personal=True)


# -- admin ----------------------------------------------------------------------------


def is_admin(update: Update, context: ContextTypes.DEFAULT_TYPE) -> bool:
    user = update.effective_user
    return user is not None and user.id in services(context).admins


async def admin_message(update: Update, context: ContextTypes.DEFAULT_TYPE) -> Message | None:
    """The message of an admin's command; anyone else is told it is for admins (None)."""
    message = update.effective_message
    if message is None:
        return None
    if not is_admin(update, context):
        await send_html(message, ADMINS_ONLY)
        return None
    return message


async def reload_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/reload: rebuild the index from the seeds folder (and uploads), admins only."""
    message = await admin_message(update, context)
    if message is None:
        return
    try:
        report = await asyncio.to_thread(services(context).collection.rebuild)
    except DocumentError as exc:
        await send_html(
            message,
            f"تعذّرت إعادة البناء: {html.escape(str(exc), quote=False)}\nبقي الفهرس السابق كما هو.",
        )
        return
    await send_html(
        message,
        f"✅ أُعيد بناء الفهرس: {counted(report.documents, DOCUMENTS)}، "
        f"{counted(report.sentences, SENTENCES)} "
        f"(أُضيفت {len(report.added)}، وحُدّثت {len(report.updated)}، "
        f"وحُذفت {len(report.removed)}).",
    )


DOCS_PAGE = 15  # documents per page of /docs


def stats_html(stats: Stats) -> str:
    """The operator's summary, in Arabic."""
    lines = [
        "📊 <b>الإحصاءات</b>",
        f"الأسئلة اليوم: {stats.today}، وفي آخر ٧ أيام: {stats.week}",
        f"أُجيب منها: {round(100 * stats.answered_share)}٪ ({stats.answered} من {stats.week})",
        f"التقييمات في آخر ٧ أيام: 👍 {stats.helpful} · 👎 {stats.unhelpful}",
    ]
    if stats.unanswered:
        lines.append("\nأكثر الأسئلة التي لم تجد إجابة (ما ينبغي إضافته من وثائق):")
        lines += [f"• {html.escape(q, quote=False)} — {n}" for q, n in stats.unanswered]
    if stats.hours:
        busiest = "، ".join(f"{h:02d}:00 ({n})" for h, n in stats.hours)
        lines.append(f"\nأكثر الساعات ازدحامًا: {busiest}")
    return "\n".join(lines)


async def stats_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/stats (admins): questions today and this week, the share answered, votes, the most
    asked questions with no answer, the busiest hours."""
    message = await admin_message(update, context)
    if message is None:
        return
    svc = services(context)
    votes = await asyncio.to_thread(svc.feedback.votes)
    stats = await asyncio.to_thread(svc.questions.stats, votes)
    await send_html(message, fit(lambda limit: stats_html(stats)), quote=False)


def docs_page_html(docs: list[DocumentInfo], page: int) -> str:
    """One page of the collection for an admin: name, title, sentences, when added."""
    first = page * DOCS_PAGE
    lines = [
        f"• <code>{listed(d.name)}</code> — {listed(d.title)} "
        f"({counted(d.sentences, SENTENCES)}، {d.added_at[:10]})"
        for d in docs[first : first + DOCS_PAGE]
    ]
    pages = max(1, -(-len(docs) // DOCS_PAGE))
    head = f"📚 <b>الوثائق</b>: {counted(len(docs), DOCUMENTS)} — الصفحة {page + 1} من {pages}\n"
    hint = "\n\nللحذف: /remove اسم_الوثيقة"
    return head + "\n".join(lines) + hint


async def docs_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/docs: the collection, paged, admins only."""
    message = await admin_message(update, context)
    if message is None:
        return
    docs = await asyncio.to_thread(services(context).collection.documents)
    if not docs:
        await send_html(message, REASONS["no_documents"])
        return
    await send_html(message, docs_page_html(docs, 0), list_keyboard("d", 0, len(docs), DOCS_PAGE))


async def docs_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """«التالي» / «السابق» under /docs."""
    query = update.callback_query
    assert query is not None and query.data is not None
    if not is_admin(update, context):
        await acknowledge(query, ADMINS_ONLY, alert=True)
        return
    docs = await asyncio.to_thread(services(context).collection.documents)
    page = min(int(query.data.split(":")[1]), max(0, (len(docs) - 1) // DOCS_PAGE))
    await acknowledge(query)
    if isinstance(query.message, Message):
        markup = list_keyboard("d", page, len(docs), DOCS_PAGE)
        await edit_html(query.message, docs_page_html(docs, page), markup)


async def remove_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/remove NAME: asks for a confirmation with a button, admins only."""
    message = await admin_message(update, context)
    if message is None:
        return
    name = command_argument(message)
    svc = services(context)
    docs = {d.name: d for d in await asyncio.to_thread(svc.collection.documents)}
    if name not in docs:
        await send_html(
            message, f"لا توجد وثيقة بالاسم «{html.escape(name, quote=False)}». {REMOVE_USAGE}"
        )
        return
    sid = await asyncio.to_thread(svc.sessions.open, name)
    keyboard = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton("نعم، احذفها", callback_data=f"r:{sid}:1"),
                InlineKeyboardButton("إلغاء", callback_data=f"r:{sid}:0"),
            ]
        ]
    )
    title = html.escape(docs[name].title, quote=False)
    await send_html(
        message, f"هل تريد حذف الوثيقة «{title}» ({html.escape(name, quote=False)})؟", keyboard
    )


@with_session
async def remove_button(
    query: CallbackQuery, sid: str, session: Session, context: ContextTypes.DEFAULT_TYPE
) -> None:
    """«نعم، احذفها» / «إلغاء» under /remove."""
    if query.from_user.id not in services(context).admins:
        await acknowledge(query, ADMINS_ONLY, alert=True)
        return
    name = session.question  # the pending removal's document name
    await acknowledge(query)
    if not (query.data or "").endswith(":1"):
        text = "أُلغي الحذف."
    else:
        try:
            await asyncio.to_thread(services(context).collection.remove, [name])
            text = f"🗑 حُذفت الوثيقة {html.escape(name, quote=False)}."
        except DocumentError:
            text = f"الوثيقة {html.escape(name, quote=False)} محذوفة من قبل."
    if isinstance(query.message, Message):
        await edit_html(query.message, text, None)


_UNSAFE_NAME = re.compile(r"[^\w.\- ]+")
NAME_BYTES = 200


def safe_file_name(name: str) -> str:
    """A file name safe to store: no folders, no odd characters, ending in a format Sanad
    reads (.txt when it has none).

    >>> safe_file_name("../../etc/passwd"), safe_file_name("تقرير 2020.TXT"), safe_file_name("..")
    ('passwd.txt', 'تقرير 2020.txt', 'document.txt')
    >>> safe_file_name("التقرير.PDF"), safe_file_name("a.b.docx")
    ('التقرير.pdf', 'a.b.docx')
    """
    base = name.replace("\\", "/").split("/")[-1]
    suffix = Path(base).suffix.lower()
    suffix = suffix if suffix in SUFFIXES else ".txt"
    stem = base[: -len(suffix)] if base.lower().endswith(suffix) else base
    stem = _UNSAFE_NAME.sub("_", stem).strip(" ._")
    stem = stem.encode("utf-8")[:NAME_BYTES].decode("utf-8", "ignore")  # file systems: 255 bytes
    return f"{stem or 'document'}{suffix}"


async def upload(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A .txt document sent in private: admins add it to the index, others are refused."""
    message = update.effective_message
    if message is None or message.document is None:
        return
    if not is_admin(update, context):
        await send_html(message, UPLOAD_ADMINS_ONLY)
        return
    doc = message.document
    name = doc.file_name or "document.txt"
    if Path(name).suffix.lower() not in SUFFIXES:
        await send_html(message, NOT_TXT)
        return
    if (doc.file_size or 0) > MAX_UPLOAD_BYTES:
        await send_html(message, TOO_BIG)
        return
    await show_typing(context, message.chat_id)
    raw = bytes(await (await doc.get_file()).download_as_bytearray())
    if len(raw) > MAX_UPLOAD_BYTES:
        await send_html(message, TOO_BIG)
        return
    try:
        added = await asyncio.to_thread(
            services(context).collection.upload, safe_file_name(name), raw
        )
    except DocumentError as exc:
        reason = str(exc).split(": ", 1)[-1]
        await send_html(message, f"لم أستطع إضافة الوثيقة ({html.escape(reason)}). {NOT_TXT}")
        return
    except UploadsFull:
        await send_html(message, UPLOADS_FULL)
        return
    verb = "استُبدلت" if added.replaced else "أُضيفت"
    size = counted(added.sentences, SENTENCES)
    if added.pages:
        size = f"{counted(added.pages, PAGES)}، {size}"
    await send_html(
        message,
        f"✅ {verb} الوثيقة «{html.escape(added.title, quote=False)}» "
        f"باسم {html.escape(added.name, quote=False)}: {size}. يمكن السؤال عنها الآن.",
    )


# -- errors ---------------------------------------------------------------------------


async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Log the error (never the token); tell the user when there is a chat to tell."""
    error = context.error
    chat = update.effective_chat if isinstance(update, Update) else None
    if isinstance(error, InvalidToken):  # revoked while answering: no «عذرًا» can go out
        if isinstance(context.bot, SanadBot):
            context.bot.revoke()
        return
    if isinstance(error, Forbidden):
        log.warning("chat %s cannot be messaged: %s", chat.id if chat else "?", error)
        return
    if update is None and isinstance(error, NetworkError) and not isinstance(error, BadRequest):
        return  # polling could not reach Telegram: the heartbeat logs an outage, once
    if isinstance(error, NetworkError) and not isinstance(error, BadRequest):
        # a timeout or a connection lost after the call was sent: the reply may well have
        # arrived, so no "sorry"; and a call that surely did not was retried already
        log.warning("a Bot API call failed (chat %s): %s", chat.id if chat else "?", error)
        return
    log.error("error while handling an update: %s", error, exc_info=error)
    if chat is not None:
        try:
            await context.bot.send_message(chat.id, SORRY)
        except TelegramError as exc:
            log.warning("could not tell chat %s about the error: %s", chat.id, exc)
