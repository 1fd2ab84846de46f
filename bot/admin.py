"""Admins' commands and uploads: /reload, /stats, /docs, /remove, documents sent."""

from __future__ import annotations

import asyncio
import html
import re
from pathlib import Path

from telegram import CallbackQuery, Message, Update
from telegram.ext import ContextTypes

from bot.access import admin_message, is_admin
from bot.answering import command_argument
from bot.buttons import DOCS, Pressed, list_keyboard, pressed, remove_keyboard, use_keyboard
from bot.callbacks import with_session
from bot.chat_sets import scope_key, set_names
from bot.render import (
    DOCS_PAGE,
    DOCUMENTS,
    PAGES,
    SENTENCES,
    counted,
    docs_page_html,
    fit,
    stats_html,
)
from bot.send import acknowledge, chat_of, edit_html, send_html, show_typing
from bot.services import services
from bot.sessions import Session
from bot.texts import (
    ADMINS_ONLY,
    DEFAULT_SET_NAME,
    NOT_TXT,
    REMOVE_USAGE,
    SETS_HEAD,
    SETS_HINT,
    TOO_BIG,
    UPLOAD_ADMINS_ONLY,
    UPLOADS_FULL,
    USE_ASK,
    USE_DONE,
    USE_KEPT,
    USE_NOW,
    USE_UNKNOWN,
)
from index.collection import UploadsFull
from index.question.query import REASONS
from index.reading.documents import SUFFIXES, DocumentError
from index.storage.store import DEFAULT_SET

MAX_UPLOAD_BYTES = 20 * 1024 * 1024  # what the Bot API lets a bot download


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


async def stats_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/stats (admins): questions today and this week, the share answered, votes, the most
    asked questions with no answer, the busiest hours; in a chat with sets of its own,
    those of the questions answered from them."""
    message = await admin_message(update, context)
    if message is None:
        return
    svc = services(context)
    scope = await asyncio.to_thread(svc.scope, message.chat_id)  # this chat's sets' own
    sets = None if scope is None else scope_key(scope)
    votes = await asyncio.to_thread(svc.feedback.votes, 7, sets)
    stats = await asyncio.to_thread(svc.questions.stats, votes, sets)
    await send_html(message, fit(lambda limit: stats_html(stats)), quote=False)


async def docs_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/docs: the collection, paged, admins only."""
    message = await admin_message(update, context)
    if message is None:
        return
    docs = await asyncio.to_thread(services(context).documents_for, message.chat_id)
    if not docs:
        await send_html(message, REASONS["no_documents"])
        return
    await send_html(message, docs_page_html(docs, 0), list_keyboard(DOCS, 0, len(docs), DOCS_PAGE))


async def docs_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """«التالي» / «السابق» under /docs."""
    query = update.callback_query
    assert query is not None and query.data is not None
    if not is_admin(update, context):
        await acknowledge(query, ADMINS_ONLY, alert=True)
        return
    docs = await asyncio.to_thread(services(context).documents_for, chat_of(query))
    page = min(pressed(query.data).number, max(0, (len(docs) - 1) // DOCS_PAGE))
    await acknowledge(query)
    if isinstance(query.message, Message):
        markup = list_keyboard(DOCS, page, len(docs), DOCS_PAGE)
        await edit_html(query.message, docs_page_html(docs, page), markup)


async def remove_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/remove NAME: asks for a confirmation with a button, admins only."""
    message = await admin_message(update, context)
    if message is None:
        return
    name = command_argument(message)
    svc = services(context)
    docs = {d.name: d for d in await asyncio.to_thread(svc.documents_for, message.chat_id)}
    if name not in docs:
        await send_html(
            message, f"لا توجد وثيقة بالاسم «{html.escape(name, quote=False)}». {REMOVE_USAGE}"
        )
        return
    sid = await asyncio.to_thread(svc.sessions.open, name)
    keyboard = remove_keyboard(sid)
    title = html.escape(docs[name].title, quote=False)
    await send_html(
        message, f"هل تريد حذف الوثيقة «{title}» ({html.escape(name, quote=False)})؟", keyboard
    )


@with_session
async def remove_button(
    query: CallbackQuery, button: Pressed, session: Session, context: ContextTypes.DEFAULT_TYPE
) -> None:
    """«نعم، احذفها» / «إلغاء» under /remove."""
    if query.from_user.id not in services(context).admins:
        await acknowledge(query, ADMINS_ONLY, alert=True)
        return
    name = session.question  # the pending removal's document name
    await acknowledge(query)
    if not button.number:  # «إلغاء»
        text = "أُلغي الحذف."
    else:
        try:
            await asyncio.to_thread(services(context).collection.remove, [name])
            text = f"🗑 حُذفت الوثيقة {html.escape(name, quote=False)}."
        except DocumentError:
            text = f"الوثيقة {html.escape(name, quote=False)} محذوفة من قبل."
    if isinstance(query.message, Message):
        await edit_html(query.message, text, None)


def set_label(name: str) -> str:
    """A set's name as the bot shows it (the default set in words)."""
    return DEFAULT_SET_NAME if name == DEFAULT_SET else html.escape(name, quote=False)


async def sets_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/sets (admins): the sets of documents, their sizes, and which this chat uses."""
    message = await admin_message(update, context)
    if message is None:
        return
    svc = services(context)
    sizes = await asyncio.to_thread(svc.collection.sets)
    mine = set(await asyncio.to_thread(svc.scope, message.chat_id) or sizes)
    lines = [
        f"• {set_label(name)} — {counted(size, DOCUMENTS)}{' ✓' if name in mine else ''}"
        for name, size in sizes.items()
    ]
    await send_html(message, SETS_HEAD + "\n" + "\n".join(lines) + SETS_HINT, quote=False)


async def use_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/use SET… (admins): answer this chat from these sets from now on (``default``: the
    default set again), once confirmed with a button; /use alone says which it uses."""
    message = await admin_message(update, context)
    if message is None:
        return
    svc = services(context)
    argument = command_argument(message)
    if not argument:
        now = await asyncio.to_thread(svc.scope, message.chat_id) or [DEFAULT_SET]
        await send_html(message, USE_NOW.format(names="، ".join(map(set_label, now))))
        return
    sizes = await asyncio.to_thread(svc.collection.sets)
    names = set_names(argument, known={*sizes, DEFAULT_SET})
    unknown = [n for n in names if n not in sizes and n != DEFAULT_SET]
    if unknown or not names:
        name = unknown[0] if unknown else argument
        await send_html(message, USE_UNKNOWN.format(name=html.escape(name, quote=False)))
        return
    sid = await asyncio.to_thread(svc.sessions.open, "\n".join(names))  # the pending choice
    text = USE_ASK.format(names="، ".join(map(set_label, names)))
    await send_html(message, text, use_keyboard(sid))


@with_session
async def use_button(
    query: CallbackQuery, button: Pressed, session: Session, context: ContextTypes.DEFAULT_TYPE
) -> None:
    """«نعم» / «إلغاء» under /use: an admin confirms the chat's sets."""
    svc = services(context)
    if query.from_user.id not in svc.admins:
        await acknowledge(query, ADMINS_ONLY, alert=True)
        return
    await acknowledge(query)
    names = session.question.split("\n")
    if button.number:
        await asyncio.to_thread(svc.chat_sets.use, chat_of(query), names)
        text = USE_DONE.format(names="، ".join(map(set_label, names)))
    else:
        text = USE_KEPT
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
        if message.chat.type == "private":  # in a group, a member sharing a file is no upload
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
    svc = services(context)
    sets = await asyncio.to_thread(svc.chat_sets.of, message.chat_id) or None  # a group's
    try:
        added = await asyncio.to_thread(svc.collection.upload, safe_file_name(name), raw, sets=sets)
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
