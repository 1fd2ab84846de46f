"""The index package stands alone: it never imports the bot or Telegram."""

import subprocess
import sys
import tomllib
from pathlib import Path

from tests.conftest import ROOT


def test_index_never_imports_bot_or_telegram() -> None:
    modules = sorted(p.stem for p in (ROOT / "index").glob("*.py") if p.stem != "__init__")
    code = (
        "import sys\n"
        + "".join(f"import index.{m}\n" for m in modules)
        + "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('bot', 'telegram'))\n"
        + "print(','.join(bad))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert done.stdout.strip() == ""
    assert len(modules) >= 8


def test_every_module_says_its_job_in_a_one_line_docstring() -> None:
    for package in ("index", "bot"):
        for path in sorted(Path(ROOT / package).glob("*.py")):
            source = path.read_text(encoding="utf-8")
            assert source.startswith('"""'), path
            first = source.splitlines()[0]
            assert first.endswith('"""') and len(first) > 10, path


def test_the_license_the_package_declares_is_shipped() -> None:
    declared = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert declared["project"]["license"] in ("MIT", {"text": "MIT"}, {"file": "LICENSE"})
    assert (ROOT / "LICENSE").read_text(encoding="utf-8").startswith("MIT License")
