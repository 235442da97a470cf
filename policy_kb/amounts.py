"""Structured amounts and their plain-Chinese wording (元 with the period)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .conditions import Condition, parse

PERIOD_WORDS = {"月": "每月", "年": "每年", "人": "每人", "次": "每次"}


@dataclass(frozen=True)
class Amount:
    label: str | None
    value: float | None
    unit: str | None
    period: str | None
    per: str | None
    floor: bool  # 不低于
    ceiling: bool  # 不超过
    text: str | None
    when: Condition | None

    def wording(self) -> str:
        """e.g. 每月不低于70元 / 每月每户15度 / 订单式培训：每人不超过4000元."""
        if self.value is None:
            body = self.text or ""
        else:
            number = f"{self.value:g}"
            qualifier = "不低于" if self.floor else "不超过" if self.ceiling else ""
            head = PERIOD_WORDS.get(self.period or "", "")
            if self.per:
                head += "每" + self.per
            body = f"{head}{qualifier}{number}{self.unit or ''}"
        return f"{self.label}：{body}" if self.label else body

    def applies(self, profile: Mapping[str, Any]) -> bool | None:
        return True if self.when is None else self.when.evaluate(profile)

    def as_dict(self) -> dict[str, Any]:
        return {
            "label": self.label,
            "value": self.value,
            "unit": self.unit,
            "period": self.period,
            "per": self.per,
            "floor": self.floor,
            "ceiling": self.ceiling,
            "text": self.wording(),
        }


def parse_amount(raw: Mapping[str, Any], definitions: Mapping[str, Condition]) -> Amount:
    return Amount(
        label=raw.get("label"),
        value=raw.get("value"),
        unit=raw.get("unit"),
        period=raw.get("period"),
        per=raw.get("per"),
        floor=bool(raw.get("floor")),
        ceiling=bool(raw.get("ceiling")),
        text=raw.get("text"),
        when=parse(raw["when"], definitions) if raw.get("when") else None,
    )


def amount_for(amounts: tuple[Amount, ...], profile: Mapping[str, Any]) -> str:
    """The amount for this elder: parts that apply; parts that may apply are kept with their label."""
    parts = []
    for amount in amounts:
        applies = amount.applies(profile)
        if applies is False:
            continue
        text = amount.wording()
        # A part that depends on a fact not yet known is kept, marked so nobody reads it as promised.
        parts.append(text if applies or amount.label else f"如符合：{text}")
    return "；".join(p for p in parts if p)
