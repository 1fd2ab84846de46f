"""The camel-tools segmenter, run for real on a tiny database and MLE model in camel-tools'
own file formats (tests/data/camel), and the fallback when no data is installed."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from index.text.analysis import Analyzer, LightSegmenter, prepare
from index.text.camel import CamelSegmenter, CamelUnavailable, find_camel_data, make_segmenter
from tests.conftest import CAMEL_DATA


@pytest.fixture
def camel_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("CAMELTOOLS_DATA", str(CAMEL_DATA))
    monkeypatch.setenv("HOME", str(tmp_path))  # camel-tools creates ~/.camel_tools on import


@pytest.fixture
def no_camel_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("CAMELTOOLS_DATA", str(tmp_path / "nothing-here"))


def test_installed_data_is_found_from_the_catalogue(camel_env: None) -> None:
    data = find_camel_data()
    assert data is not None
    assert data.mle_model.name == "model.json" and data.morphology_db.name == "morphology.db"


def test_auto_uses_camel_tools_when_its_data_is_installed(camel_env: None) -> None:
    assert isinstance(make_segmenter("auto"), CamelSegmenter)


@pytest.mark.parametrize(
    ("word", "base"),
    [
        ("وأوزبكستان", "اوزبكستان"),  # in the MLE model
        ("لأوزبكستان", "اوزبكستان"),  # analysed by the database, ranked by pos-lex logprob
        ("بالاتحاد", "اتحاد"),
        ("سيفتحها", "يفتح"),
        ("نحترمه", "نحترم"),
        ("رودينكو", "رودينكو"),  # unknown proper noun: NOAN_PROP backoff keeps it whole
    ],
)
def test_camel_d3tok_segmentation_drops_clitics(camel_env: None, word: str, base: str) -> None:
    assert make_segmenter("camel").segment(prepare(word)) == (base,)


def test_camel_analysis_of_a_question(camel_env: None) -> None:
    analyzer = Analyzer(make_segmenter("camel"))
    assert analyzer.signature.startswith("camel/")
    assert analyzer.terms("ماذا قال رودينكو عن أوزبكستان؟") == ["قال", "رودينكو", "اوزبكستان"]


def test_auto_falls_back_to_light_with_one_log_line(
    no_camel_env: None, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger="index.text.camel"):
        segmenter = make_segmenter("auto")
    assert isinstance(segmenter, LightSegmenter)
    assert len(caplog.records) == 1 and "light" in caplog.records[0].getMessage()


def test_asking_for_camel_without_its_data_is_a_clear_error(no_camel_env: None) -> None:
    with pytest.raises(CamelUnavailable, match="camel_data -i disambig-mle-calima-msa-r13"):
        make_segmenter("camel")


def test_broken_camel_data_falls_back_to_light(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    broken = tmp_path / "camel"
    for part in ("morphology_db", "disambig_mle"):
        (broken / "data" / part / "calima-msa-r13").mkdir(parents=True)
    (broken / "catalogue.json").write_text((CAMEL_DATA / "catalogue.json").read_text())
    (broken / "data/morphology_db/calima-msa-r13/morphology.db").write_text("garbage\n")
    (broken / "data/disambig_mle/calima-msa-r13/model.json").write_text("{}")
    monkeypatch.setenv("CAMELTOOLS_DATA", str(broken))
    assert isinstance(make_segmenter("auto"), LightSegmenter)
    with pytest.raises(CamelUnavailable, match="unusable"):
        make_segmenter("camel")


def test_the_documented_camel_data_command_runs(tmp_path: Path) -> None:
    # `uv run camel_data -i disambig-mle-calima-msa-r13` is what the README and Sanad's own
    # error message tell users to run: its imports (tabulate among them) must all be there
    import os
    import subprocess
    import sys

    env = {**os.environ, "CAMELTOOLS_DATA": str(CAMEL_DATA), "HOME": str(tmp_path)}
    done = subprocess.run(
        [str(Path(sys.executable).parent / "camel_data"), "--help"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "camel_data" in done.stdout and "--install" in done.stdout
