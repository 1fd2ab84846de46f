"""Config: defaults, a TOML file, SANAD_<SECTION>_<KEY> overrides, errors naming the key."""

import re
from pathlib import Path

import pytest

from index.config import PROJECT_ROOT, ConfigError, load_config


def test_defaults_without_a_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    config = load_config(environ={})
    assert (config.bm25.k1, config.bm25.b, config.search.top_k) == (0.9, 0.4, 3)
    assert config.analysis.segmenter == "auto"
    assert config.index_path == Path("data/sanad.sqlite3")
    assert config.telegram.token == "" and config.telegram.admins == []


@pytest.mark.skipif(PROJECT_ROOT is None, reason="runs from a checkout")
def test_in_a_folder_of_the_checkout_the_paths_are_the_projects(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert PROJECT_ROOT is not None
    monkeypatch.chdir(PROJECT_ROOT / "bot")  # «cd bot && sanad docs»
    config = load_config(environ={})
    assert config.index_path == PROJECT_ROOT / "data" / "sanad.sqlite3"
    assert config.seeds_path == PROJECT_ROOT / "seeds"


def test_a_config_file_in_the_current_folder_is_found_and_paths_follow_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "config.toml").write_text('[index]\npath = "i.sqlite3"\n', encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    assert load_config(environ={}).index_path.resolve() == tmp_path / "i.sqlite3"


def test_sanad_config_names_the_file_a_service_reads(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # it was silently ignored: a unit file's Environment=SANAD_CONFIG=… changed nothing
    etc = tmp_path / "etc"
    etc.mkdir()
    (etc / "sanad.toml").write_text('[index]\npath = "/srv/sanad/i.sqlite3"\n', "utf-8")
    monkeypatch.chdir(tmp_path)
    config = load_config(environ={"SANAD_CONFIG": str(etc / "sanad.toml")})
    assert config.index_path == Path("/srv/sanad/i.sqlite3")


@pytest.mark.parametrize(
    ("var", "value", "message"),
    [
        ("SANAD_SEARCH_TOP_K", "0", "search.top_k: expected a number between 1 and 50, got 0"),
        ("SANAD_SEARCH_TOP_K", "-3", "search.top_k"),
        ("SANAD_BM25_K1", "0", "bm25.k1: expected a number more than 0"),
        ("SANAD_BM25_B", "1.5", "bm25.b: expected a number between 0 and 1, got 1.5"),
        ("SANAD_SEARCH_GRAM_WEIGHT", "-1", "search.gram_weight: expected a number 0 or more"),
        ("SANAD_TELEGRAM_WEBHOOK_PORT", "70000", "telegram.webhook_port: expected a number a port"),
        ("SANAD_INDEX_MAX_PDF_PAGES", "0", "index.max_pdf_pages"),
    ],
)
def test_values_out_of_range_are_refused_naming_the_key(var: str, value: str, message: str) -> None:
    with pytest.raises(ConfigError, match=re.escape(message)):
        load_config(environ={var: value})


def test_unrelated_sanad_variables_are_left_alone() -> None:
    config = load_config(environ={"SANAD_HOME": "/opt/sanad", "SANAD_SEARCH_TOP_K": "4"})
    assert config.search.top_k == 4
    with pytest.raises(ConfigError, match=re.escape("unknown config key search.topk")):
        load_config(environ={"SANAD_SEARCH_TOPK": "4"})  # Sanad's own section: a typo


@pytest.mark.parametrize("value", ["[123, 456]", "123,456", "123 456", " [123,456] "])
def test_lists_from_the_environment_read_as_people_write_them(value: str) -> None:
    assert load_config(environ={"SANAD_TELEGRAM_ADMINS": value}).telegram.admins == [123, 456]


@pytest.mark.parametrize("value", ["[1, true]", '["a"]', "one", "[1, 2"])
def test_a_list_that_is_not_of_integers_is_refused(value: str) -> None:
    with pytest.raises(
        ConfigError, match=re.escape("telegram.admins: expected a list of integers")
    ):
        load_config(environ={"SANAD_TELEGRAM_ADMINS": value})


def test_file_values_and_paths_relative_to_the_file(tmp_path: Path) -> None:
    path = tmp_path / "conf" / "sanad.toml"
    path.parent.mkdir()
    path.write_text(
        '[index]\npath = "idx.sqlite3"\n[bm25]\nk1 = 1\n[telegram]\nadmins = [42, 7]\n',
        encoding="utf-8",
    )
    config = load_config(path, environ={})
    assert config.index_path == tmp_path / "conf" / "idx.sqlite3"
    assert config.bm25.k1 == 1.0 and isinstance(config.bm25.k1, float)
    assert config.telegram.admins == [42, 7]


def test_environment_overrides_the_file(tmp_path: Path) -> None:
    path = tmp_path / "c.toml"
    path.write_text('[telegram]\ntoken = "from-file"\n', encoding="utf-8")
    env = {
        "SANAD_TELEGRAM_TOKEN": "from-env",
        "SANAD_TELEGRAM_ADMINS": "1, 2",
        "SANAD_SEARCH_TOP_K": "5",
    }
    config = load_config(path, environ=env)
    assert config.telegram.token == "from-env"
    assert config.telegram.admins == [1, 2]
    assert config.search.top_k == 5


def test_the_token_never_shows_in_the_config_repr() -> None:
    config = load_config(environ={"SANAD_TELEGRAM_TOKEN": "123:SECRET"})
    assert "SECRET" not in repr(config)


@pytest.mark.parametrize(
    ("text", "env", "message"),
    [
        ("[bm25]\nk2 = 1.0\n", {}, "unknown config key bm25.k2"),
        ("[search]\ntop_k = 2.5\n", {}, "config key search.top_k: expected an integer"),
        ('[telegram]\nadmins = ["bob"]\n', {}, "config key telegram.admins: expected a list"),
        ("[nope]\nx = 1\n", {}, "unknown config section [nope]"),
        ("[analysis]\nsegmenter = 'magic'\n", {}, "analysis.segmenter: expected one of"),
        ("", {"SANAD_BM25_K1": "fast"}, "config key bm25.k1: expected a number"),
        ("", {"SANAD_INDEX_COLOUR": "red"}, "unknown config key index.colour"),
        ("[bm25\n", {}, "c.toml"),
    ],
)
def test_bad_config_stops_with_a_message_naming_the_key(
    tmp_path: Path, text: str, env: dict[str, str], message: str
) -> None:
    path = tmp_path / "c.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as error:
        load_config(path, environ=env)
    assert message in str(error.value)


def test_a_missing_config_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not found"):
        load_config(tmp_path / "missing.toml", environ={})


def test_the_example_config_documents_every_key_with_its_default() -> None:
    from dataclasses import fields

    from index.config import Config
    from tests.conftest import ROOT

    example = ROOT / "config.example.toml"
    config = load_config(example, environ={})
    assert config == Config()
    text = example.read_text(encoding="utf-8")
    for section in fields(Config):
        if section.name == "base":
            continue
        assert f"[{section.name}]" in text
        for key in fields(getattr(config, section.name)):
            assert f"\n{key.name} = " in text, f"{section.name}.{key.name} is not documented"
