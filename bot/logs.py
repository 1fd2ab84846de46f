"""Logging for the bot that never lets the token through, at any level."""

from __future__ import annotations

import logging

REDACTED = "[token]"


class RedactToken(logging.Filter):
    """Replace the bot token (and its secret half) in every record with ``[token]``.

    >>> f = RedactToken("123:SECRET")
    >>> url = "https://h/bot123:SECRET/getMe"
    >>> r = logging.LogRecord("x", logging.DEBUG, "", 0, "url %s", (url,), None)
    >>> f.filter(r), r.getMessage()
    (True, 'url https://h/bot[token]/getMe')
    """

    def __init__(self, *secrets: str) -> None:
        super().__init__()
        parts = set()
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
        record.msg, record.args = message, ()
        return True


def setup_logging(*secrets: str, verbose: bool = False) -> None:
    """Log to stderr through the redacting filter; keep httpx quiet (it logs URLs)."""
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    install_redaction(handler, *secrets)
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(logging.DEBUG if verbose else logging.INFO)
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("httpcore").setLevel(logging.WARNING)


def install_redaction(handler: logging.Handler, *secrets: str) -> None:
    handler.addFilter(RedactToken(*secrets))
