"""A setting's valid range, written beside its field: read by the config check and the CLI."""

from __future__ import annotations

from dataclasses import Field, dataclass, field, fields
from typing import Any


@dataclass(frozen=True, slots=True)
class Range:
    """From ``low`` to ``high`` (None: no bound), said in ``words`` («between 0 and 1»).

    >>> Range(0, 1, "between 0 and 1").holds(1.5), Range(1, None, "1 or more").holds(7)
    (False, True)
    """

    low: float | None
    high: float | None
    words: str

    def holds(self, value: float) -> bool:
        return (self.low is None or value >= self.low) and (self.high is None or value <= self.high)


def ranged(default: Any, low: float | None, high: float | None, words: str) -> Any:
    """A dataclass field with its default and its valid range."""
    return field(default=default, metadata={"range": Range(low, high, words)})


def ranges(settings: type | object) -> dict[str, Range]:
    """The ranges of a settings dataclass's fields, by field name."""
    found: tuple[Field[Any], ...] = fields(settings)  # type: ignore[arg-type]
    return {f.name: f.metadata["range"] for f in found if "range" in f.metadata}
