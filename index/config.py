"""Settings: defaults, overridden by a TOML file, overridden by SANAD_<SECTION>_<KEY>."""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from index.ranges import ranged, ranges
from index.retrieval.scoring import BM25Params
from index.retrieval.settings import SearchSettings, SemanticSettings
from index.storage.sqlite import MEMORY

DEFAULT_CONFIG_FILE = Path("config.toml")
SEGMENTERS = ("auto", "light", "camel")
# The checkout Sanad runs from (None when installed as a package): a command typed in it
# or any folder below it (`cd bot && sanad docs`) reads its config and data.
_CHECKOUT = Path(__file__).resolve().parent.parent
PROJECT_ROOT: Path | None = _CHECKOUT if (_CHECKOUT / "pyproject.toml").is_file() else None


def home() -> Path:
    """Where relative paths resolve when there is no config file: the project root when the
    current folder is in it, else the current folder."""
    here = Path.cwd()
    if PROJECT_ROOT is not None and (here == PROJECT_ROOT or PROJECT_ROOT in here.parents):
        return PROJECT_ROOT
    return Path(".")


class ConfigError(ValueError):
    """A config problem, named by its key, in one line."""


@dataclass(frozen=True, slots=True)
class IndexSettings:
    path: str = "data/sanad.sqlite3"
    seeds: str = "seeds"
    uploads: str = "data/uploads"
    uploads_max_files: int = ranged(1000, 0, None, "0 or more")
    uploads_max_mb: int = ranged(200, 0, None, "0 or more")
    max_document_mb: int = ranged(50, 1, None, "1 or more")
    max_pdf_pages: int = ranged(2000, 1, None, "1 or more")
    max_ocr_pages: int = ranged(200, 0, None, "0 (no OCR) or more")
    fetch_timeout: float = ranged(20.0, 0.001, None, "more than 0")


@dataclass(frozen=True, slots=True)
class AnalysisSettings:
    segmenter: str = "auto"


@dataclass(frozen=True, slots=True)
class TelegramSettings:
    token: str = field(default="", repr=False)
    base_url: str = ""
    admins: list[int] = field(default_factory=list)
    webhook_url: str = ""
    webhook_listen: str = "127.0.0.1"
    webhook_port: int = ranged(8443, 1, 65535, "a port, 1 to 65535")
    webhook_secret: str = field(default="", repr=False)
    # with a webhook: how often the token is checked
    webhook_token_check_s: int = ranged(60, 1, 86400, "seconds, 1 to 86400")
    example: str = "ماذا قال رودينكو عن أوزبكستان؟"
    button_ttl: int = ranged(86400, 1, None, "1 or more")
    allowed_chats: list[int] = field(default_factory=list)
    questions_per_minute: int = ranged(20, 0, None, "0 (no limit) or more")
    inline_queries_per_minute: int = ranged(120, 0, None, "0 (no limit) or more")
    followup_minutes: float = ranged(10, 0, None, "0 or more")
    keep_questions_days: float = ranged(30, 0, None, "0 or more")


@dataclass(frozen=True, slots=True)
class ClusterSettings:
    address: str = ""  # a Ray cluster's address ("" starts one on this machine)
    # the collection cut into this many shards of whole documents
    shards: int = ranged(3, 1, 1024, "between 1 and 1024")
    # actors serving each shard, spread over the nodes
    replicas: int = ranged(1, 1, 16, "between 1 and 16")


@dataclass(frozen=True, slots=True)
class Config:
    """Every setting. Relative paths are resolved against ``base``."""

    index: IndexSettings = field(default_factory=IndexSettings)
    analysis: AnalysisSettings = field(default_factory=AnalysisSettings)
    bm25: BM25Params = field(default_factory=BM25Params)  # the engine's, as they are
    search: SearchSettings = field(default_factory=SearchSettings)
    semantic: SemanticSettings = field(default_factory=SemanticSettings)
    telegram: TelegramSettings = field(default_factory=TelegramSettings)
    cluster: ClusterSettings = field(default_factory=ClusterSettings)
    base: Path = field(default=Path("."), compare=False)

    @property
    def index_path(self) -> Path:
        return self.base / self.index.path

    @property
    def seeds_path(self) -> Path:
        return self.base / self.index.seeds

    @property
    def uploads_path(self) -> Path:
        return self.base / self.index.uploads

    @property
    def vector_cache_path(self) -> Path | None:
        """The shared vector cache (``semantic.cache``), if one is configured."""
        return self.base / self.semantic.cache if self.semantic.cache else None

    @property
    def sources(self) -> list[Path]:
        """What a default build indexes: the seeds, and uploaded documents if any."""
        return [self.seeds_path] + ([self.uploads_path] if self.uploads_path.is_dir() else [])


_SECTIONS = [f.name for f in fields(Config) if f.name != "base"]


def _env_list(value: str) -> list[Any]:
    """A list as people write it in an environment variable: TOML (``[123, 456]``) or
    separated by commas or spaces (``123,456``).

    >>> _env_list("[123, 456]"), _env_list("123,456"), _env_list(" 7 ")
    ([123, 456], ['123', '456'], ['7'])
    """
    if value.strip().startswith("["):
        parsed = tomllib.loads(f"v = {value}")["v"]
        if isinstance(parsed, list):
            return parsed
    return value.replace(",", " ").split()


def _coerce(key: str, value: Any, default: Any, from_env: bool) -> Any:
    """Check (and for env strings, convert) ``value`` against the default's type."""
    kind = type(default)
    try:
        if from_env:
            if kind is list:
                items = _env_list(value)
                if all(isinstance(v, (int, str)) and not isinstance(v, bool) for v in items):
                    return [int(v) for v in items]
                raise ValueError(value)
            if kind is bool:
                return value.strip().lower() in ("1", "true", "yes", "on")
            return kind(value)
        if kind is float and isinstance(value, int) and not isinstance(value, bool):
            return float(value)
        if kind is list:
            if isinstance(value, list) and all(
                isinstance(v, int) and not isinstance(v, bool) for v in value
            ):
                return value
        elif isinstance(value, kind) and not (kind is int and isinstance(value, bool)):
            return value
    except (ValueError, tomllib.TOMLDecodeError):
        pass
    expected = {
        list: "a list of integers",
        float: "a number",
        int: "an integer",
        str: "a string",
        bool: "true or false",
    }[kind]
    raise ConfigError(f"config key {key}: expected {expected}, got {value!r}")


# Allowed ranges: key → (lowest, highest, what to say); None: no bound on that side.


def check_ranges(config: Config) -> None:
    """Every number within its range, or a ConfigError naming the key.

    >>> check_ranges(replace(Config(), bm25=BM25Params(b=1.5)))
    Traceback (most recent call last):
    ...
    index.config.ConfigError: config key bm25.b: expected a number between 0 and 1, got 1.5
    """
    for section in _SECTIONS:
        settings = getattr(config, section)
        for name, valid in ranges(settings).items():
            value = getattr(settings, name)
            if not valid.holds(value):
                raise ConfigError(
                    f"config key {section}.{name}: expected a number {valid.words}, got {value!r}"
                )


def _section(config: Config, name: str, values: Mapping[str, Any], env: bool, where: str):
    current = getattr(config, name)
    known = {f.name: getattr(current, f.name) for f in fields(current)}
    changes = {}
    for key, value in values.items():
        if key not in known:
            raise ConfigError(f"unknown config key {name}.{key} in {where}")
        changes[key] = _coerce(f"{name}.{key}", value, known[key], env)
    return replace(current, **changes)


def check_paths(config: Config) -> None:
    """The index, seeds and uploads paths name something usable: none empty (an empty
    ``SANAD_INDEX_SEEDS=`` was the working folder, ``.venv`` and all), the index a file
    that is a file when it exists (not a folder, not ``/dev/null``), in a folder that is
    one. Raises ConfigError naming the key.

    >>> check_paths(Config(index=IndexSettings(path="")))
    Traceback (most recent call last):
    ...
    index.config.ConfigError: config key index.path is empty: name a file (data/sanad.sqlite3)
    >>> check_paths(Config(index=IndexSettings(path="/dev/null")))
    Traceback (most recent call last):
    ...
    index.config.ConfigError: config key index.path: /dev/null is not a file
    """
    index = config.index
    for key in ("path", "seeds", "uploads"):
        if not str(getattr(index, key)).strip():
            example = {"path": "data/sanad.sqlite3", "seeds": "seeds", "uploads": "data/uploads"}
            kind = "file" if key == "path" else "folder"
            raise ConfigError(f"config key index.{key} is empty: name a {kind} ({example[key]})")
    path = config.index_path
    if index.path == MEMORY:
        return
    if path.is_dir():
        raise ConfigError(
            f"config key index.path: {path} is a folder (name a file in it, e.g."
            f" {path / 'sanad.sqlite3'})"
        )
    if path.exists() and not path.is_file():
        raise ConfigError(f"config key index.path: {path} is not a file")
    folder = next((f for f in [path.parent, *path.parent.parents] if f.exists()), None)
    if folder is not None and not folder.is_dir():
        raise ConfigError(f"config key index.path: {folder} is not a folder")


def load_config(path: Path | None = None, environ: Mapping[str, str] | None = None) -> Config:
    """Defaults ← ``path`` (else the file ``SANAD_CONFIG`` names, else ``config.toml`` in
    the current folder, else in the project root, when present) ← ``SANAD_<SECTION>_<KEY>``
    variables (others that start with ``SANAD_`` are not Sanad's settings, and left alone).
    Relative paths resolve against the config file's folder, or :func:`home` when there is
    none.

    >>> load_config(environ={"SANAD_BM25_K1": "1.2"}).bm25.k1
    1.2
    >>> load_config(environ={"SANAD_CONFIG": "/nowhere/sanad.toml"})
    Traceback (most recent call last):
    ...
    index.config.ConfigError: config file /nowhere/sanad.toml not found
    >>> load_config(environ={"SANAD_SEARCH_TOPK": "1"})
    Traceback (most recent call last):
    ...
    index.config.ConfigError: unknown config key search.topk in SANAD_SEARCH_TOPK
    """
    environ = os.environ if environ is None else environ
    config = Config(base=home())
    if path is None and environ.get("SANAD_CONFIG", "").strip():
        path = Path(environ["SANAD_CONFIG"].strip())  # as --config (a service's unit file)
    if path is None:
        path = next(
            (
                folder / DEFAULT_CONFIG_FILE
                for folder in (Path("."), config.base)
                if (folder / DEFAULT_CONFIG_FILE).is_file()
            ),
            None,
        )
    if path is not None:
        try:
            data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise ConfigError(f"config file {path} not found") from None
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise ConfigError(f"config file {path}: {exc}") from None
        changes = {}
        for name, values in data.items():
            if name not in _SECTIONS or not isinstance(values, dict):
                raise ConfigError(f"unknown config section [{name}] in {path}")
            changes[name] = _section(config, name, values, env=False, where=str(path))
        config = replace(config, base=Path(path).parent, **changes)
    for var, value in environ.items():
        if not var.startswith("SANAD_") or var == "SANAD_CONFIG":
            continue
        rest = var[len("SANAD_") :].lower()
        found = next((s for s in _SECTIONS if rest.startswith(s + "_")), None)
        if found is None:
            continue  # SANAD_HOME and the like: not one of Sanad's settings
        name, key = found, rest[len(found) + 1 :]
        config = replace(config, **{name: _section(config, name, {key: value}, True, var)})
    check_ranges(config)
    check_paths(config)
    if config.analysis.segmenter not in SEGMENTERS:
        raise ConfigError(
            f"config key analysis.segmenter: expected one of {', '.join(SEGMENTERS)}, "
            f"got {config.analysis.segmenter!r}"
        )
    return config
