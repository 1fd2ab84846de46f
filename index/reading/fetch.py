"""Fetch a document from the web once: a page or a file, under a name taken from its address."""

from __future__ import annotations

import re
import socket
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass

from index.reading.documents import DocumentError

USER_AGENT = "Sanad/0.1 (+https://github.com/sanad; fetches a document once, on request)"
# What a fetched answer may be, and the name ending it is kept under.
KINDS = {
    "text/html": ".html",
    "application/xhtml+xml": ".html",
    "application/pdf": ".pdf",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ".docx",
    "text/plain": ".txt",
    "text/markdown": ".md",
}
_UNSAFE = re.compile(r"[^\w.\-]+")


@dataclass(frozen=True, slots=True)
class Fetched:
    """A fetched document: the name to keep it under, its bytes, the address it came from."""

    name: str
    raw: bytes
    url: str


def is_url(text: str) -> bool:
    """
    >>> is_url("https://example.org/a"), is_url("seeds/a.txt")
    (True, False)
    """
    return text.startswith(("http://", "https://"))


def url_name(url: str, suffix: str) -> str:
    """A file name for what an address gave: its host and path, made safe.

    >>> url_name("https://www.example.org/news/2025/وزير-يزور?id=7", ".html")
    'example.org_news_2025_وزير-يزور.html'
    """
    parts = urllib.parse.urlsplit(url)
    host = parts.hostname or "page"
    host = host.removeprefix("www.")
    path = urllib.parse.unquote(parts.path).strip("/")
    stem = _UNSAFE.sub("_", f"{host}_{path}" if path else host).strip("._")
    stem = stem.encode("utf-8")[:180].decode("utf-8", "ignore")
    return stem.removesuffix(suffix) + suffix


def fetch(url: str, timeout: float, max_bytes: int) -> Fetched:
    """The document at ``url``; DocumentError in one line when it cannot be had (no
    answer in ``timeout`` seconds, an HTTP error, something that is no document, or more
    than ``max_bytes``)."""
    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            kind = response.headers.get_content_type()
            suffix = KINDS.get(kind)
            if suffix is None:
                raise DocumentError(f"{url}: not a web page or a document Sanad reads ({kind})")
            raw = response.read(max_bytes + 1)
    except urllib.error.HTTPError as exc:
        raise DocumentError(f"{url}: the server answered {exc.code} {exc.reason}") from None
    except TimeoutError:
        raise DocumentError(f"{url}: no answer within {timeout:g} s") from None
    except urllib.error.URLError as exc:
        reason = exc.reason
        if isinstance(reason, (TimeoutError, socket.timeout)):
            raise DocumentError(f"{url}: no answer within {timeout:g} s") from None
        raise DocumentError(f"{url}: cannot be fetched ({reason})") from None
    except ValueError as exc:
        raise DocumentError(f"{url}: not an address Sanad can fetch ({exc})") from None
    if len(raw) > max_bytes:
        raise DocumentError(f"{url}: too large (the limit is {max_bytes:,} bytes)")
    return Fetched(url_name(url, suffix), raw, url)
