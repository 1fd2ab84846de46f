"""Write files and folders so that a reader sees the old version or the new one, never half."""

from __future__ import annotations

import logging
import os
import shutil
from collections.abc import Callable
from pathlib import Path

log = logging.getLogger(__name__)

TMP_MARK = ".tmp-"


def temporary_name(path: Path) -> Path:
    """Where a new version of ``path`` is written before it takes its place.

    >>> temporary_name(Path("/data/grams.json")).name.startswith("grams.json.tmp-")
    True
    """
    return path.with_name(f"{path.name}{TMP_MARK}{os.getpid()}")


def remove_stale_temporaries(folder: Path) -> list[Path]:
    """Remove what a writer killed half-way left in ``folder`` (``*.tmp-PID`` of a process
    that is gone); what was removed."""
    removed = []
    for entry in folder.iterdir() if folder.is_dir() else ():
        pid = entry.name.rpartition(TMP_MARK)[2]
        if TMP_MARK not in entry.name or not pid.isdigit() or _alive(int(pid)):
            continue
        if entry.is_dir():
            shutil.rmtree(entry, ignore_errors=True)
        else:
            entry.unlink(missing_ok=True)
        removed.append(entry)
    return removed


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def write_file_atomically(path: Path, data: bytes | str) -> None:
    """Write ``data`` (text as UTF-8) to a temporary file beside ``path``, then rename it
    into place."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = temporary_name(path)
    try:
        tmp.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
        tmp.replace(path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def write_folder_atomically(folder: Path, fill: Callable[[Path], None]) -> None:
    """Let ``fill`` write a temporary folder beside ``folder``, then rename it into place
    (``folder`` must not exist yet)."""
    tmp = temporary_name(folder)
    shutil.rmtree(tmp, ignore_errors=True)
    try:
        tmp.mkdir(parents=True)
        fill(tmp)
        tmp.rename(folder)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def numbered(folder: Path, prefix: str) -> list[tuple[int, Path]]:
    """The entries ``<prefix><number>`` of ``folder`` (a temporary one is not), oldest
    first.

    >>> import tempfile
    >>> root = Path(tempfile.mkdtemp())
    >>> for name in ("g2", "g10", "grams.json", "g3.tmp-1"):
    ...     (root / name).mkdir()
    >>> [(n, p.name) for n, p in numbered(root, "g")]
    [(2, 'g2'), (10, 'g10')]
    """
    found = []
    for entry in folder.iterdir() if folder.is_dir() else ():
        number = entry.name[len(prefix) :]
        if entry.name.startswith(prefix) and number.isdigit():
            found.append((int(number), entry))
    return sorted(found)


def replace_generation(
    folder: Path, prefix: str, number: int, fill: Callable[[Path], None]
) -> None:
    """Write ``folder``/``<prefix><number>`` atomically (see :func:`write_folder_atomically`),
    then remove the older ones of that prefix (memory maps still open on them stay valid)
    and what a writer stopped half-way left there. A failure is logged: answering goes on
    from what is loaded."""
    target = folder / f"{prefix}{number}"
    try:
        write_folder_atomically(target, fill)
    except OSError as exc:
        if not target.exists():
            log.warning("could not save %s: %s", target, exc)
        return
    for _, old in numbered(folder, prefix):
        if old != target:
            shutil.rmtree(old, ignore_errors=True)
    for stale in remove_stale_temporaries(folder):
        log.info("removed %s, left by a writer that was stopped half-way", stale.name)
