"""Logging for the bot that never lets the token through, at any level, to any handler."""

from __future__ import annotations

import logging
import threading

REDACTED = "[token]"


class RedactToken(logging.Filter):
    """Replace the bot token (and its secret half) in a record with ``[token]``.

    >>> f = RedactToken("123:SECRET")
    >>> url = "https://h/bot123:SECRET/getMe"
    >>> r = logging.LogRecord("x", logging.DEBUG, "", 0, "url %s", (url,), None)
    >>> f.filter(r), r.getMessage()
    (True, 'url https://h/bot[token]/getMe')
    """

    def __init__(self, *secrets: str) -> None:
        super().__init__()
        self._secrets: list[str] = []
        self.add(*secrets)

    def add(self, *secrets: str) -> None:
        parts = set(self._secrets)
        for secret in secrets:
            if secret:
                parts.add(secret)
                if ":" in secret:
                    parts.add(secret.split(":", 1)[1])
        self._secrets = sorted((p for p in parts if len(p) >= 6), key=len, reverse=True)

    def filter(self, record: logging.LogRecord) -> bool:
        if not self._secrets:
            return True
        message = record.getMessage()
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        for secret in self._secrets:
            message = message.replace(secret, REDACTED)
            if record.exc_text:
                record.exc_text = record.exc_text.replace(secret, REDACTED)
            if record.stack_info:
                record.stack_info = record.stack_info.replace(secret, REDACTED)
        record.msg, record.args = message, ()
        return True


_redactor = RedactToken()
_install_lock = threading.Lock()
_installed = False


def protect_secrets(*secrets: str) -> None:
    """Redact these secrets from every log record from now on, whichever logger makes it
    and whichever handler writes it (python-telegram-bot logs request URLs, token included,
    at DEBUG). Logging is process-wide, so this is too: one record factory, installed once."""
    global _installed
    _redactor.add(*secrets)
    with _install_lock:
        if _installed:
            return
        make_record = logging.getLogRecordFactory()

        def redacting_factory(*args: object, **kwargs: object) -> logging.LogRecord:
            record = make_record(*args, **kwargs)
            _redactor.filter(record)
            return record

        logging.setLogRecordFactory(redacting_factory)
        _installed = True


def setup_logging(*secrets: str, verbose: bool = False) -> None:
    """Log to stderr with the secrets redacted; keep httpx quiet (it logs URLs)."""
    protect_secrets(*secrets)
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(logging.DEBUG if verbose else logging.INFO)
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("httpcore").setLevel(logging.WARNING)
