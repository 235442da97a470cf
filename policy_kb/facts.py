"""Profile facts (contract section 2): their domains, labels and validation."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

DATA_DIR = Path(__file__).parent / "data"


class ProfileError(ValueError):
    """A profile names an unknown fact or gives a value outside its domain.

    The message is one line, in Chinese then English, naming the fact and the allowed values.
    """

    def __init__(self, fact: str, message_zh: str, message_en: str):
        self.fact = fact
        self.message_zh = message_zh
        self.message_en = message_en
        super().__init__(f"{message_zh} / {message_en}")


@dataclass(frozen=True)
class Fact:
    name: str
    type: str  # int | enum | bool | list
    label: str
    ease: int
    values: dict[Any, str] = field(default_factory=dict)  # value -> plain label
    min: int | None = None
    max: int | None = None

    @property
    def lo(self) -> int:
        """The smallest allowed integer (only int facts have one)."""
        return self.min if self.min is not None else -(10**9)

    @property
    def hi(self) -> int:
        return self.max if self.max is not None else 10**9

    def allowed(self, lang: str = "zh") -> str:
        zh = lang == "zh"
        if self.type == "int":
            return f"{self.min}–{self.max} 的整数" if zh else f"an integer {self.min}–{self.max}"
        if self.type == "bool":
            return "true 或 false" if zh else "true or false"
        values = ", ".join(map(str, self.values))
        if self.type == "list":
            return f"由以下值组成的列表：{values}" if zh else f"a list of: {values}"
        return values

    def value_label(self, value: Any) -> str:
        if self.type == "bool":
            return "是" if value else "否"
        if self.type == "list":
            return "、".join(self.values.get(v, str(v)) for v in value) or "无"
        if self.type == "int" and self.name == "age":
            return f"{value}周岁"
        return self.values.get(value, str(value))

    def check(self, value: Any) -> Any:
        """Return the value if valid, else raise ProfileError."""
        if self.type == "int":
            ok = not isinstance(value, bool) and isinstance(value, int) and self.lo <= value <= self.hi
        elif self.type == "bool":
            ok = isinstance(value, bool)
        elif self.type == "list":
            ok = isinstance(value, list) and all(isinstance(v, str) and v in self.values for v in value)
            if ok:
                return sorted(set(value))
        else:
            ok = isinstance(value, str) and value in self.values
        if not ok:
            raise ProfileError(
                self.name,
                f"{self.label}（{self.name}）的取值 {value!r} 无效，允许：{self.allowed()}",
                f"invalid value {value!r} for fact '{self.name}'; allowed: {self.allowed('en')}",
            )
        return value


@lru_cache(maxsize=1)
def facts() -> dict[str, Fact]:
    raw = yaml.safe_load((DATA_DIR / "facts.yaml").read_text(encoding="utf-8"))
    return {
        name: Fact(
            name=name,
            type=spec["type"],
            label=spec["label"],
            ease=spec["ease"],
            values=dict(spec.get("values") or {}),
            min=spec.get("min"),
            max=spec.get("max"),
        )
        for name, spec in raw.items()
    }


FACT_NAMES: tuple[str, ...] = tuple(facts())


_INT, _BOOL, _ENUM, _LIST = range(4)


@lru_cache(maxsize=1)
def _fast_checks() -> dict[str, tuple[Fact, int, Any, Any]]:
    """Per fact, what a quick test needs: (fact, kind, allowed values or min, max).

    validate_profile accepts the common valid values (exact int, bool, str types) on the spot;
    anything else goes through Fact.check, which accepts or rejects it exactly as before (and
    normalises lists), so the quick path changes no result, only the speed.
    """
    kinds = {"int": _INT, "bool": _BOOL, "enum": _ENUM, "list": _LIST}
    return {
        name: (fact, kinds[fact.type], frozenset(fact.values) if fact.type == "enum" else fact.min, fact.max)
        for name, fact in facts().items()
    }


def validate_profile(profile: Any) -> dict[str, Any]:
    """Check a profile and return it without its unknown (null) facts."""
    if not isinstance(profile, Mapping):
        raise ProfileError(
            "",
            '档案必须是一个 JSON 对象，例如 {"age": 83}',
            'a profile must be a JSON object, e.g. {"age": 83}',
        )
    checks = _fast_checks()
    clean: dict[str, Any] = {}
    for name, value in profile.items():
        try:
            fact, kind, a, b = checks[name]
        except KeyError:
            known = facts()
            raise ProfileError(
                str(name),
                f"未知的事实 {name!r}，允许的事实：{', '.join(known)}",
                f"unknown fact {name!r}; allowed facts: {', '.join(known)}",
            ) from None
        if value is None:
            continue  # null = unknown
        t = type(value)
        if (
            (t is str and kind == _ENUM and value in a)
            or (t is bool and kind == _BOOL)
            or (t is int and kind == _INT and a <= value <= b)
        ):
            clean[name] = value
        else:
            clean[name] = fact.check(value)
    return clean
