"""A fake Telegram Bot API server on 127.0.0.1 that enforces the API's rules.

Tests push updates into it, the real python-telegram-bot polling loop fetches them over
HTTP, and every call the bot makes is recorded. It checks what Telegram checks: message
text 1-4096 characters after entity parsing, HTML with only Telegram's tags properly
nested and escaped, callback_data of 1-64 bytes, known chats and messages. It can also
inject faults: 429 with retry_after, 400, 403 and 5xx.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import re
import socket
import struct
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, unquote

TOKEN = "123456:TEST-token-never-logged"
BOT_ID = 123456
BOT_USERNAME = "sanad_test_bot"

# Parameters that Python-telegram-bot sends as raw strings (everything else is JSON).
_STRING_PARAMS = {
    "text",
    "callback_query_id",
    "inline_query_id",
    "action",
    "parse_mode",
    "file_id",
    "url",
    "secret_token",
    "next_offset",
    "language_code",
    "description",
    "chat_id",
}

_ALLOWED_TAGS = {
    "b": set(),
    "strong": set(),
    "i": set(),
    "em": set(),
    "u": set(),
    "ins": set(),
    "s": set(),
    "strike": set(),
    "del": set(),
    "tg-spoiler": set(),
    "span": {"class"},
    "a": {"href"},
    "code": {"class"},
    "pre": set(),
    "blockquote": {"expandable"},
    "tg-emoji": {"emoji-id"},
    "tg-time": {"unix", "format"},
}
_TAG = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9-]*)((?:\s+[A-Za-z-]+(?:=\"[^\"<>]*\")?)*)\s*>")
_ATTR = re.compile(r"([A-Za-z-]+)(?:=\"([^\"]*)\")?")
_ENTITY = re.compile(r"&(lt|gt|amp|quot|#[0-9]{1,7}|#x[0-9A-Fa-f]{1,6});")
_ENTITY_VALUES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}


class ResetAfter(Exception):
    """The call was done; the connection is reset instead of answered."""


def buttons(message: dict[str, Any]) -> dict[str, str]:
    """The inline buttons under a message the bot sent: text → callback data."""
    return {
        b["text"]: b["callback_data"]
        for row in (message.get("reply_markup") or {}).get("inline_keyboard", [])
        for b in row
    }


class ApiError(Exception):
    def __init__(self, code: int, description: str, retry_after: int | None = None) -> None:
        super().__init__(description)
        self.code = code
        self.description = description
        self.retry_after = retry_after


def parse_html(text: str) -> str:
    """The visible text of a Telegram HTML message, or ApiError 400 as Telegram says it."""
    out: list[str] = []
    stack: list[str] = []
    i = 0

    def offset(pos: int) -> int:
        return len(text[:pos].encode("utf-8"))

    while i < len(text):
        ch = text[i]
        if ch == "<":
            m = _TAG.match(text, i)
            if not m:
                raise ApiError(
                    400,
                    "Bad Request: can't parse entities: Unexpected end of name "
                    f"token at byte offset {offset(i)}",
                )
            closing, name, attrs = m.group(1), m.group(2).lower(), m.group(3)
            if name not in _ALLOWED_TAGS:
                kind = "end" if closing else "start"
                raise ApiError(
                    400,
                    f"Bad Request: can't parse entities: Unsupported {kind} tag "
                    f'"{name}" at byte offset {offset(i)}',
                )
            if closing:
                if not stack or stack[-1] != name:
                    raise ApiError(
                        400,
                        "Bad Request: can't parse entities: Can't find end tag "
                        f'corresponding to start tag "{stack[-1] if stack else name}"',
                    )
                stack.pop()
            else:
                for attr, _ in _ATTR.findall(attrs):
                    if attr not in _ALLOWED_TAGS[name]:
                        raise ApiError(
                            400,
                            "Bad Request: can't parse entities: Unsupported "
                            f'attribute "{attr}" at byte offset {offset(i)}',
                        )
                if name == "blockquote" and "blockquote" in stack:
                    raise ApiError(
                        400,
                        "Bad Request: can't parse entities: Blockquote entities can't be nested",
                    )
                if (
                    stack
                    and stack[-1] in ("pre", "code")
                    and not (stack[-1] == "pre" and name == "code")
                ):
                    raise ApiError(
                        400,
                        "Bad Request: can't parse entities: Pre/code entities "
                        "can't contain other entities",
                    )
                stack.append(name)
            i = m.end()
        elif ch == "&":
            m = _ENTITY.match(text, i)
            if not m:
                raise ApiError(
                    400,
                    "Bad Request: can't parse entities: Character '&' is reserved"
                    f" and must be escaped with &amp; at byte offset {offset(i)}",
                )
            ref = m.group(1)
            if ref.startswith("#x"):
                out.append(chr(int(ref[2:], 16)))
            elif ref.startswith("#"):
                out.append(chr(int(ref[1:])))
            else:
                out.append(_ENTITY_VALUES[ref])
            i = m.end()
        elif ch == ">":
            raise ApiError(
                400,
                "Bad Request: can't parse entities: Character '>' is reserved "
                f"and must be escaped with &gt; at byte offset {offset(i)}",
            )
        else:
            out.append(ch)
            i += 1
    if stack:
        raise ApiError(
            400,
            "Bad Request: can't parse entities: Can't find end tag corresponding"
            f' to start tag "{stack[-1]}"',
        )
    return "".join(out)


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def check_text(text: Any, parse_mode: str | None) -> str:
    """The visible text of a message after entity parsing, checked for length."""
    if not isinstance(text, str):
        raise ApiError(400, "Bad Request: message text is empty")
    visible = parse_html(text) if (parse_mode or "").upper() == "HTML" else text
    if not visible.strip():
        raise ApiError(400, "Bad Request: message text is empty")
    if utf16_len(visible) > 4096:
        raise ApiError(400, "Bad Request: message is too long")
    return visible


def check_markup(markup: Any) -> None:
    if markup is None:
        return
    if not isinstance(markup, dict):
        raise ApiError(400, "Bad Request: can't parse reply keyboard markup JSON object")
    rows = markup.get("inline_keyboard")
    if rows is None:
        return
    count = 0
    for row in rows:
        if len(row) > 8:
            raise ApiError(400, "Bad Request: too many buttons in a row")
        for button in row:
            count += 1
            if not button.get("text"):
                raise ApiError(
                    400, "Bad Request: text buttons are unallowed in the inline keyboard"
                )
            if "callback_data" in button:
                size = len(button["callback_data"].encode("utf-8"))
                if not 1 <= size <= 64:
                    raise ApiError(400, "Bad Request: BUTTON_DATA_INVALID")
            kinds = {
                "callback_data",
                "url",
                "switch_inline_query",
                "switch_inline_query_current_chat",
                "copy_text",
            } & set(button)
            if len(kinds) != 1:
                raise ApiError(400, "Bad Request: can't parse inline keyboard button")
    if count > 100:
        raise ApiError(400, "Bad Request: too many buttons")


@dataclass
class Fault:
    """A fault to inject: on ``method`` (and ``chat_id`` if set), ``times`` times."""

    method: str
    code: int
    description: str
    retry_after: int | None = None
    times: int | None = 1  # None: forever
    chat_id: int | None = None
    delay: float = 0.0  # seconds to stall first (a timeout when longer than the client waits)
    reset: bool = False  # do the call, then reset the connection instead of answering


@dataclass
class Call:
    """One recorded Bot API call (``done`` once the fake has acted on it: a test that sees
    an edit sees the message edited)."""

    method: str
    params: dict[str, Any]
    at: float = field(default_factory=time.monotonic)
    ok: bool = True
    error: str | None = None
    done: bool = False


class FakeTelegram:
    """The fake server; ``start()`` it, point the bot at :attr:`base_url`, push updates."""

    def __init__(self, token: str = TOKEN) -> None:
        self.token = token
        self.calls: list[Call] = []
        self.faults: list[Fault] = []
        self.files: dict[str, bytes] = {}
        self.chats: dict[int, dict[str, Any]] = {}
        self.messages: dict[tuple[int, int], dict[str, Any]] = {}
        self.callbacks: dict[str, bool] = {}  # id -> answered
        self.inline_queries: dict[str, bool] = {}
        self.webhook: dict[str, Any] | None = None
        self.connections: set[socket.socket] = set()
        self.internal_errors: list[str] = []
        self._updates: list[dict[str, Any]] = []
        self._delivered: list[dict[str, Any]] = []
        self._update_ids = itertools.count(1)
        self._message_ids = itertools.count(1000)
        self._cond = threading.Condition()
        self._faults_added = 0
        self._last_call = time.monotonic()  # when the bot last called anything but getUpdates
        self._server: ThreadingHTTPServer | None = None

    # -- lifecycle --------------------------------------------------------------------
    def start(self, port: int = 0) -> FakeTelegram:
        fake = self

        class Handler(_Handler):
            server_fake = fake

        class Server(ThreadingHTTPServer):
            request_queue_size = 1024  # a burst of client connections must not be reset

        self._server = Server(("127.0.0.1", port), Handler)
        self._server.daemon_threads = True
        threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        ).start()
        return self

    def stop(self) -> None:
        if self._server:
            with self._cond:
                self._cond.notify_all()
            self._server.shutdown()
            self._server.server_close()

    def go_offline(self) -> None:
        """Stop listening and drop every open connection: calls fail to connect (they
        surely never arrived) until :meth:`go_online`."""
        port = self.port
        self.stop()
        self._offline_port = port
        for connection in list(self.connections):
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)

    def go_online(self) -> None:
        """Listen again, on the same port."""
        self.start(self._offline_port)

    @property
    def port(self) -> int:
        assert self._server is not None
        return self._server.server_address[1]

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/bot"

    @property
    def base_file_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/file/bot"

    # -- what tests do ------------------------------------------------------------------
    def add_chat(self, chat_id: int, kind: str = "private", title: str | None = None) -> dict:
        chat: dict[str, Any] = {"id": chat_id, "type": kind}
        if kind == "private":
            chat["first_name"] = f"user{chat_id}"
        else:
            chat["title"] = title or f"group {chat_id}"
        self.chats[chat_id] = chat
        return chat

    def push(self, update: dict[str, Any]) -> int:
        with self._cond:
            update_id = next(self._update_ids)
            self._updates.append({"update_id": update_id, **update})
            self._cond.notify_all()
        return update_id

    def user(self, user_id: int) -> dict[str, Any]:
        return {
            "id": user_id,
            "is_bot": False,
            "first_name": f"user{user_id}",
            "language_code": "ar",
        }

    def message(
        self,
        chat_id: int,
        text: str,
        user_id: int | None = None,
        reply_to: dict | None = None,
        **extra: Any,
    ) -> dict[str, Any]:
        """Push a message from a user; commands and @mentions get their entities."""
        chat = self.chats.get(chat_id) or self.add_chat(chat_id)
        user_id = user_id or (chat_id if chat["type"] == "private" else 777)
        message: dict[str, Any] = {
            "message_id": next(self._message_ids),
            "date": int(time.time()),
            "chat": chat,
            "from": self.user(user_id),
            "text": text,
            **extra,
        }
        entities = []
        if text.startswith("/"):
            length = len(text.split()[0])
            entities.append(
                {"type": "bot_command", "offset": 0, "length": utf16_len(text[:length])}
            )
        for m in re.finditer(r"@\w+", text):
            entities.append(
                {
                    "type": "mention",
                    "offset": utf16_len(text[: m.start()]),
                    "length": utf16_len(m.group()),
                }
            )
        if entities:
            message["entities"] = entities
        if reply_to is not None:
            message["reply_to_message"] = reply_to
        self.messages[(chat_id, message["message_id"])] = message
        self.push({"message": message})
        return message

    def document(
        self,
        chat_id: int,
        file_name: str,
        content: bytes,
        user_id: int | None = None,
        mime_type: str = "text/plain",
    ) -> dict[str, Any]:
        file_id = f"file-{len(self.files) + 1}"
        self.files[file_id] = content
        chat = self.chats.get(chat_id) or self.add_chat(chat_id)
        message: dict[str, Any] = {
            "message_id": next(self._message_ids),
            "date": int(time.time()),
            "chat": chat,
            "from": self.user(user_id or chat_id),
            "document": {
                "file_id": file_id,
                "file_unique_id": file_id + "-u",
                "file_name": file_name,
                "mime_type": mime_type,
                "file_size": len(content),
            },
        }
        self.messages[(chat_id, message["message_id"])] = message
        self.push({"message": message})
        return message

    def press(
        self, message: dict[str, Any], data: str, user_id: int | None = None, forged: bool = False
    ) -> str:
        """Press an inline button (by its callback_data) under a message the bot sent;
        ``forged``: data that is no button of that message (a client sending what it likes)."""
        buttons = [
            b for row in (message.get("reply_markup") or {}).get("inline_keyboard", []) for b in row
        ]
        assert forged or any(b.get("callback_data") == data for b in buttons), (data, buttons)
        query_id = f"cq-{next(self._update_ids)}"
        self.callbacks[query_id] = False
        chat_id = message["chat"]["id"]
        shown = {k: v for k, v in message.items() if k != "html"}
        self.push(
            {
                "callback_query": {
                    "id": query_id,
                    "from": self.user(user_id or chat_id),
                    "chat_instance": "ci",
                    "message": shown,
                    "data": data,
                }
            }
        )
        return query_id

    def bot_messages(self, chat_id: int) -> list[dict[str, Any]]:
        """What the bot has sent to a chat, as it stands now (edits applied), oldest first."""
        with self._cond:
            items = sorted(self.messages.items())
        return [m for (chat, _), m in items if chat == chat_id and m["from"]["id"] == BOT_ID]

    def inline_query(self, query: str, user_id: int = 555) -> str:
        query_id = f"iq-{next(self._update_ids)}"
        self.inline_queries[query_id] = False
        self.push(
            {
                "inline_query": {
                    "id": query_id,
                    "from": self.user(user_id),
                    "query": query,
                    "offset": "",
                }
            }
        )
        return query_id

    def stall(self, method: str, seconds: float, times: int | None = 1) -> Fault:
        """Answer ``method`` only after ``seconds`` (then normally): a client timeout."""
        return self.fail(method, 0, "", delay=seconds, times=times)

    def redeliver(self, update_ids: list[int]) -> None:
        """Offer these updates again, as Telegram does when their offset was never confirmed
        (the bot died before its next getUpdates)."""
        with self._cond:
            again = [u for u in self._delivered if u["update_id"] in set(update_ids)]
            self._updates = sorted(again + self._updates, key=lambda u: u["update_id"])
            self._cond.notify_all()

    def fail(self, method: str, code: int, description: str, **kw: Any) -> Fault:
        fault = Fault(method, code, description, **kw)
        with self._cond:
            self.faults.append(fault)
            self._faults_added += 1  # a long poll in progress ends now: the fault applies
            self._cond.notify_all()
        return fault

    def sent(
        self, method: str | None = None, chat_id: int | None = None, ok: bool | None = True
    ) -> list[Call]:
        with self._cond:
            calls = list(self.calls)
        return [
            c
            for c in calls
            if c.done
            and (method is None or c.method == method)
            and (chat_id is None or c.params.get("chat_id") == chat_id)
            and (ok is None or c.ok == ok)
        ]

    def wait_for(self, predicate: Callable[[], Any], timeout: float = 10.0) -> Any:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            result = predicate()
            if result:
                return result
            time.sleep(0.01)
        raise AssertionError(f"timed out waiting; calls: {[c.method for c in self.calls]}")

    def wait_sent(
        self, method: str, chat_id: int | None = None, count: int = 1, timeout: float = 10.0
    ) -> list[Call]:
        return self.wait_for(
            lambda: (calls := self.sent(method, chat_id)) and len(calls) >= count and calls,
            timeout,
        )

    def wait_idle(self, quiet: float = 0.5, timeout: float = 20.0) -> None:
        """Wait until the bot is idle: it has fetched every update pushed, every call it
        made is done, and it has called nothing (but the long poll) for ``quiet`` seconds.
        Then whatever it was going to send has been sent: a test may assert that nothing
        more came (no second answer, no late apology)."""

        def idle() -> bool:
            with self._cond:
                busy = any(not c.done and c.method != "getUpdates" for c in self.calls)
                fetched = {u["update_id"] for u in self._delivered}
                pending = any(u["update_id"] not in fetched for u in self._updates)
                return not busy and not pending and time.monotonic() - self._last_call >= quiet

        self.wait_for(idle, timeout)

    def unanswered_callbacks(self) -> list[str]:
        return [q for q, answered in self.callbacks.items() if not answered]

    # -- the API ------------------------------------------------------------------------
    def _fault_for(self, method: str, params: dict[str, Any]) -> Fault | None:
        with self._cond:
            for fault in self.faults:
                if fault.method != method or fault.times == 0:
                    continue
                if fault.chat_id is not None and params.get("chat_id") != fault.chat_id:
                    continue
                if fault.times is not None:
                    fault.times -= 1
                return fault
        return None

    def handle(self, method: str, params: dict[str, Any]) -> Any:
        call = Call(method, params)
        with self._cond:
            self.calls.append(call)
            if method != "getUpdates":
                self._last_call = time.monotonic()
        try:
            fault = self._fault_for(method, params)
            if fault and fault.delay:
                time.sleep(fault.delay)
            if fault and fault.code:
                raise ApiError(fault.code, fault.description, fault.retry_after)
            handler = getattr(self, f"api_{method}", None)
            if handler is None:
                raise ApiError(404, "Not Found: method not found")
            result = handler(params)
            if fault and fault.reset:
                call.error = "reset after delivery"
                raise ResetAfter()
            return result
        except ApiError as exc:
            call.ok, call.error = False, exc.description
            raise
        finally:
            with self._cond:
                call.done = True
                if method != "getUpdates":
                    self._last_call = time.monotonic()
                self._cond.notify_all()

    def _chat(self, params: dict[str, Any]) -> dict[str, Any]:
        chat_id = params.get("chat_id")
        if isinstance(chat_id, str) and chat_id.lstrip("-").isdigit():
            chat_id = int(chat_id)
            params["chat_id"] = chat_id
        if chat_id not in self.chats:
            raise ApiError(400, "Bad Request: chat not found")
        return self.chats[chat_id]

    def _bot_user(self) -> dict[str, Any]:
        return {"id": BOT_ID, "is_bot": True, "first_name": "Sanad", "username": BOT_USERNAME}

    def api_getMe(self, params: dict[str, Any]) -> dict[str, Any]:
        return {
            **self._bot_user(),
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": True,
        }

    def api_deleteWebhook(self, params: dict[str, Any]) -> bool:
        self.webhook = None
        return True

    def api_setWebhook(self, params: dict[str, Any]) -> bool:
        self.webhook = params
        return True

    def api_getWebhookInfo(self, params: dict[str, Any]) -> dict[str, Any]:
        return {
            "url": (self.webhook or {}).get("url", ""),
            "has_custom_certificate": False,
            "pending_update_count": 0,
        }

    def api_getUpdates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        if self.webhook:
            raise ApiError(409, "Conflict: can't use getUpdates method while webhook is active")
        offset = int(params.get("offset") or 0)
        timeout = float(params.get("timeout") or 0)
        limit = int(params.get("limit") or 100)
        deadline = time.monotonic() + min(timeout, 5)
        with self._cond:
            self._updates = [u for u in self._updates if u["update_id"] >= offset]
            faults = self._faults_added
            while (
                not self._updates and time.monotonic() < deadline and faults == self._faults_added
            ):
                self._cond.wait(deadline - time.monotonic())
            batch = self._updates[:limit]
            known = {u["update_id"] for u in self._delivered}
            self._delivered.extend(u for u in batch if u["update_id"] not in known)
            return batch

    def _store_sent(self, chat: dict[str, Any], params: dict[str, Any], visible: str) -> dict:
        message: dict[str, Any] = {
            "message_id": next(self._message_ids),
            "date": int(time.time()),
            "chat": chat,
            "from": self._bot_user(),
            "text": visible,
        }
        if params.get("reply_markup"):
            message["reply_markup"] = params["reply_markup"]
        message["html"] = params.get("text")
        self.messages[(chat["id"], message["message_id"])] = message
        return message

    def api_sendMessage(self, params: dict[str, Any]) -> dict[str, Any]:
        chat = self._chat(params)
        visible = check_text(params.get("text"), params.get("parse_mode"))
        check_markup(params.get("reply_markup"))
        reply = params.get("reply_parameters") or {}
        missing = reply and (chat["id"], reply["message_id"]) not in self.messages
        if missing and not reply.get("allow_sending_without_reply"):
            raise ApiError(400, "Bad Request: message to be replied not found")
        message = self._store_sent(chat, params, visible)
        return {k: v for k, v in message.items() if k != "html"}

    def api_editMessageText(self, params: dict[str, Any]) -> dict[str, Any]:
        chat = self._chat(params)
        key = (chat["id"], int(params.get("message_id", 0)))
        old = self.messages.get(key)
        if old is None or old["from"].get("id") != BOT_ID:
            raise ApiError(400, "Bad Request: message to edit not found")
        visible = check_text(params.get("text"), params.get("parse_mode"))
        check_markup(params.get("reply_markup"))
        if old.get("html") == params.get("text") and old.get("reply_markup") == params.get(
            "reply_markup"
        ):
            raise ApiError(
                400,
                "Bad Request: message is not modified: specified new message "
                "content and reply markup are exactly the same",
            )
        old.update(text=visible, html=params.get("text"))
        if params.get("reply_markup"):
            old["reply_markup"] = params["reply_markup"]
        else:
            old.pop("reply_markup", None)
        return {k: v for k, v in old.items() if k != "html"}

    def api_answerCallbackQuery(self, params: dict[str, Any]) -> bool:
        query_id = params.get("callback_query_id")
        if query_id not in self.callbacks:
            raise ApiError(
                400,
                "Bad Request: query is too old and response timeout expired or query ID is invalid",
            )
        if len(params.get("text") or "") > 200:
            raise ApiError(400, "Bad Request: MESSAGE_TOO_LONG")
        self.callbacks[query_id] = True
        return True

    def api_answerInlineQuery(self, params: dict[str, Any]) -> bool:
        query_id = params.get("inline_query_id")
        if query_id not in self.inline_queries:
            raise ApiError(
                400,
                "Bad Request: query is too old and response timeout expired or query ID is invalid",
            )
        results = params.get("results") or []
        if len(results) > 50:
            raise ApiError(400, "Bad Request: RESULTS_TOO_MUCH")
        ids = [r.get("id", "") for r in results]
        if len(set(ids)) != len(ids) or any(not 1 <= len(i.encode()) <= 64 for i in ids):
            raise ApiError(400, "Bad Request: RESULT_ID_INVALID")
        for result in results:
            if not result.get("title"):
                raise ApiError(400, "Bad Request: RESULT_TITLE_EMPTY")
            content = result.get("input_message_content") or {}
            check_text(content.get("message_text"), content.get("parse_mode"))
            check_markup(result.get("reply_markup"))
        self.inline_queries[query_id] = True
        return True

    def api_setMyCommands(self, params: dict[str, Any]) -> bool:
        commands = params.get("commands") or []
        if len(commands) > 100:
            raise ApiError(400, "Bad Request: too many commands")
        for command in commands:
            if not re.fullmatch(r"[a-z0-9_]{1,32}", command.get("command", "")):
                raise ApiError(400, "Bad Request: BOT_COMMAND_INVALID")
            if not 1 <= len(command.get("description", "")) <= 256:
                raise ApiError(400, "Bad Request: BOT_COMMAND_DESCRIPTION_INVALID")
        return True

    def api_sendChatAction(self, params: dict[str, Any]) -> bool:
        self._chat(params)
        if params.get("action") not in {"typing", "upload_document", "upload_photo"}:
            raise ApiError(400, "Bad Request: wrong parameter action in request")
        return True

    def api_getFile(self, params: dict[str, Any]) -> dict[str, Any]:
        file_id = params.get("file_id")
        if file_id not in self.files:
            raise ApiError(400, "Bad Request: invalid file_id")
        return {
            "file_id": file_id,
            "file_unique_id": f"{file_id}-u",
            "file_size": len(self.files[file_id]),
            "file_path": f"documents/{file_id}.txt",
        }


class _Handler(BaseHTTPRequestHandler):
    server_fake: FakeTelegram
    protocol_version = "HTTP/1.1"

    def setup(self) -> None:
        super().setup()
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.server_fake.connections.add(self.connection)

    def finish(self) -> None:
        self.server_fake.connections.discard(self.connection)
        with contextlib.suppress(OSError):
            super().finish()

    def log_message(self, format: str, *args: Any) -> None:  # quiet
        pass

    def _send(self, status: int, body: bytes, content_type: str = "application/json") -> None:
        head = (
            f"HTTP/1.1 {status} {'OK' if status == 200 else 'Error'}\r\n"
            f"Content-Type: {content_type}\r\nContent-Length: {len(body)}\r\n"
            "Connection: keep-alive\r\n\r\n"
        ).encode()
        self.wfile.write(head + body)  # one write: no Nagle round trip
        self.wfile.flush()

    def _json(self, status: int, payload: dict[str, Any]) -> None:
        self._send(status, json.dumps(payload, ensure_ascii=False).encode("utf-8"))

    def do_GET(self) -> None:
        fake = self.server_fake
        path = unquote(self.path)
        prefix = f"/file/bot{fake.token}/documents/"
        if path.startswith(prefix):
            file_id = path[len(prefix) :].removesuffix(".txt")
            if file_id in fake.files:
                self._send(200, fake.files[file_id], "application/octet-stream")
                return
        self._json(404, {"ok": False, "error_code": 404, "description": "Not Found"})

    def do_POST(self) -> None:
        fake = self.server_fake
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        match = re.fullmatch(r"/bot([^/]+)/(\w+)", unquote(self.path))
        if not match:
            self._json(404, {"ok": False, "error_code": 404, "description": "Not Found"})
            return
        token, method = match.groups()
        if token != fake.token:
            self._json(401, {"ok": False, "error_code": 401, "description": "Unauthorized"})
            return
        params = self._params(body)
        try:
            result = fake.handle(method, params)
        except ResetAfter:
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.connection.close()
            self.close_connection = True
            return
        except ApiError as exc:
            payload: dict[str, Any] = {
                "ok": False,
                "error_code": exc.code,
                "description": exc.description,
            }
            if exc.retry_after is not None:
                payload["parameters"] = {"retry_after": exc.retry_after}
            self._json(exc.code, payload)
            return
        except Exception as exc:  # a bug in the fake itself: fail loudly in the test
            fake.internal_errors.append(repr(exc))
            self._json(500, {"ok": False, "error_code": 500, "description": repr(exc)})
            return
        self._json(200, {"ok": True, "result": result})

    def _params(self, body: bytes) -> dict[str, Any]:
        content_type = self.headers.get("Content-Type", "")
        if "application/json" in content_type:
            return json.loads(body or b"{}")
        params: dict[str, Any] = {}
        for key, value in parse_qsl(body.decode("utf-8"), keep_blank_values=True):
            if key in _STRING_PARAMS:
                params[key] = value
            else:
                try:
                    params[key] = json.loads(value)
                except ValueError:
                    params[key] = value
        if isinstance(params.get("chat_id"), str) and params["chat_id"].lstrip("-").isdigit():
            params["chat_id"] = int(params["chat_id"])
        return params
