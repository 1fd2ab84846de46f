"""Install uv from its wheel on PyPI, for a machine with Python and nothing else (no pip,
or a system pip that refuses installs): download, check its sha256, unpack the binary.

    python3 .ci/fetch_uv.py ~/.local/bin
"""

from __future__ import annotations

import hashlib
import io
import json
import platform
import stat
import sys
import urllib.parse
import urllib.request
import zipfile
from pathlib import Path

INDEX = "https://pypi.org/pypi/uv/json"


def wheel_for_this_machine(files: list[dict]) -> dict:
    machine = {"amd64": "x86_64", "arm64": "aarch64"}.get(
        platform.machine().lower(), platform.machine()
    )
    libc = "musllinux" if "musl" in (platform.libc_ver()[0] or "").lower() else "manylinux"
    for file in files:
        name = file["filename"]
        if name.endswith(".whl") and libc in name and name.endswith(f"_{machine}.whl"):
            return file
    raise SystemExit(f"no uv wheel for {libc} {machine} on PyPI")


def main(target: Path) -> None:
    with urllib.request.urlopen(INDEX, timeout=60) as answer:
        release = json.load(answer)
    wheel = wheel_for_this_machine(release["urls"])
    url = urllib.parse.urljoin(INDEX, wheel["url"])  # a mirror may answer relative links
    with urllib.request.urlopen(url, timeout=300) as answer:
        raw = answer.read()
    if hashlib.sha256(raw).hexdigest() != wheel["digests"]["sha256"]:
        raise SystemExit(f"{wheel['filename']}: checksum mismatch")
    target.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(io.BytesIO(raw)) as archive:
        for member in archive.namelist():
            if member.endswith(("/scripts/uv", "/scripts/uvx")):
                path = target / Path(member).name
                path.write_bytes(archive.read(member))
                path.chmod(path.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    print(f"installed uv {release['info']['version']} in {target}")


if __name__ == "__main__":
    main(Path(sys.argv[1]).expanduser())
