"""Inline buttons: what each carries (its callback data, written and read here) and keyboards."""

from __future__ import annotations

from dataclasses import dataclass

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

# The kinds of button, and the shape of what follows the kind in their data (≤ 64 bytes).
MORE = "m"  # m:SESSION:PAGE — another page of an answer
CONTEXT = "c"  # c:SESSION — the sentences around the answer's first hit
VOTE = "f"  # f:SESSION:1 or 0 — 👍 / 👎
REMOVE = "r"  # r:SESSION:1 or 0 — a removal confirmed or cancelled
USE = "u"  # u:SESSION:1 or 0 — a chat's sets of documents confirmed or cancelled
DOCS = "d"  # d:PAGE — a page of /docs
SOURCES = "s"  # s:PAGE — a page of /sources
EXAMPLE = "example"  # the example question under /start
_SHAPES = {
    MORE: r":[\w-]+:\d+",
    CONTEXT: r":[\w-]+",
    VOTE: r":[\w-]+:[01]",
    REMOVE: r":[\w-]+:[01]",
    USE: r":[\w-]+:[01]",
    DOCS: r":\d+",
    SOURCES: r":\d+",
    EXAMPLE: "",
}
_PAGED = (DOCS, SOURCES)  # no session: a number alone


def pattern(kind: str) -> str:
    """The data of a button of this kind, as python-telegram-bot's handler matches it.

    >>> pattern(MORE), pattern(SOURCES)
    ('^m:[\\\\w-]+:\\\\d+$', '^s:\\\\d+$')
    """
    return f"^{kind}{_SHAPES[kind]}$"


def data(kind: str, *parts: str | int) -> str:
    """A button's data.

    >>> data(MORE, "Ab3_x-9q", 2), data(SOURCES, 0), data(EXAMPLE)
    ('m:Ab3_x-9q:2', 's:0', 'example')
    """
    return ":".join([kind, *map(str, parts)])


@dataclass(frozen=True, slots=True)
class Pressed:
    """What a pressed button says: its kind, its session (empty for a page of a list) and
    its number (a page, or 1 / 0 for yes / no)."""

    kind: str
    session: str = ""
    number: int = 0


def pressed(raw: str) -> Pressed:
    """Read a button's data (one its handler's :func:`pattern` matched).

    >>> pressed("m:Ab3_x-9q:2"), pressed("c:Ab3_x-9q").session, pressed("d:4").number
    (Pressed(kind='m', session='Ab3_x-9q', number=2), 'Ab3_x-9q', 4)
    """
    kind, *parts = raw.split(":")
    if kind in _PAGED:
        return Pressed(kind, "", int(parts[0]))
    session = parts[0] if parts else ""
    return Pressed(kind, session, int(parts[1]) if len(parts) > 1 else 0)


def answer_keyboard(sid: str, page: int, has_more: bool) -> InlineKeyboardMarkup:
    """«المزيد» / «السابق» / «السياق» and 👍 / 👎 under an answer."""
    nav = []
    if page > 0:
        nav.append(InlineKeyboardButton("السابق", callback_data=data(MORE, sid, page - 1)))
    if has_more:
        nav.append(InlineKeyboardButton("المزيد", callback_data=data(MORE, sid, page + 1)))
    nav.append(InlineKeyboardButton("السياق", callback_data=data(CONTEXT, sid)))
    votes = [
        InlineKeyboardButton("👍", callback_data=data(VOTE, sid, 1)),
        InlineKeyboardButton("👎", callback_data=data(VOTE, sid, 0)),
    ]
    return InlineKeyboardMarkup([nav, votes])


def list_keyboard(kind: str, page: int, count: int, per_page: int) -> InlineKeyboardMarkup | None:
    """«السابق» / «التالي» under a page of a list (``kind``: DOCS or SOURCES)."""
    nav = []
    if page > 0:
        nav.append(InlineKeyboardButton("السابق", callback_data=data(kind, page - 1)))
    if (page + 1) * per_page < count:
        nav.append(InlineKeyboardButton("التالي", callback_data=data(kind, page + 1)))
    return InlineKeyboardMarkup([nav]) if nav else None


def remove_keyboard(sid: str) -> InlineKeyboardMarkup:
    """«نعم، احذفها» / «إلغاء» under /remove."""
    yes = InlineKeyboardButton("نعم، احذفها", callback_data=data(REMOVE, sid, 1))
    no = InlineKeyboardButton("إلغاء", callback_data=data(REMOVE, sid, 0))
    return InlineKeyboardMarkup([[yes, no]])


def use_keyboard(sid: str) -> InlineKeyboardMarkup:
    """«نعم» / «إلغاء» under /use."""
    yes = InlineKeyboardButton("نعم", callback_data=data(USE, sid, 1))
    no = InlineKeyboardButton("إلغاء", callback_data=data(USE, sid, 0))
    return InlineKeyboardMarkup([[yes, no]])


def example_keyboard(question: str) -> InlineKeyboardMarkup:
    """The example question under /start, as a button."""
    return InlineKeyboardMarkup([[InlineKeyboardButton(question, callback_data=data(EXAMPLE))]])
