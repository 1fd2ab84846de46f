"""One ``sanad serve`` per data folder: a lock the system lets go of when its process ends."""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import IO

try:
    import fcntl
except ImportError:  # Windows: no second-bot guard there
    fcntl = None  # type: ignore[assignment]


log = logging.getLogger(__name__)


class Lease:
    """The data folder's serving lease, held while this process answers from it. A process
    that dies (kill -9 too) lets go of it at once: nothing stale is left to clean up."""

    def __init__(self, handle: IO[str] | None) -> None:
        self._handle = handle

    @classmethod
    def take(cls, index_path: Path) -> Lease | int:
        """The lease of the data folder of ``index_path``, or the process id of the bot
        that holds it (0 when it cannot be read)."""
        path = index_path.with_name(index_path.name + ".serve.lock")
        if fcntl is None:
            return cls(None)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            handle = path.open("a+", encoding="ascii")
        except OSError as exc:  # the index's own checks say what is wrong with its path
            log.warning("no serving lease at %s (%s)", path, exc)
            return cls(None)
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            handle.seek(0)
            holder = handle.read().strip()
            handle.close()
            return int(holder) if holder.isdigit() else 0
        handle.seek(0)
        handle.truncate()
        handle.write(str(os.getpid()))
        handle.flush()
        return cls(handle)

    def release(self) -> None:
        if self._handle is not None:
            self._handle.close()  # closing lets go of the lock
            self._handle = None
