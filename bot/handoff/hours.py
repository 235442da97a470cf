"""When people take hand-offs: HANDOFF_HOURS on HANDOFF_DAYS, local time in HANDOFF_TIMEZONE.

    HANDOFF_HOURS="08:30-17:30"               # one span
    HANDOFF_HOURS="08:30-12:00,14:00-17:30"   # several
    HANDOFF_DAYS="1-5"                         # ISO weekdays (1 = Monday); "1-7" every day, "1,3,5"

Empty HANDOFF_HOURS: hand-off is off (找人工 lists the departments). Public holidays are not known
here: set the hours to what the team works, or leave hand-off off on those days.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.handoff.messages import msg

_SPAN = re.compile(r"^(\d{1,2}):(\d{2})\s*[-–~]\s*(\d{1,2}):(\d{2})$")


class HoursError(ValueError):
    pass


def _minutes(h: str, m: str) -> int:
    hours, minutes = int(h), int(m)
    if minutes > 59 or hours > 24 or (hours == 24 and minutes):
        raise HoursError(f"{h}:{m} is not a time of day")
    return hours * 60 + minutes


def parse_spans(text: str) -> tuple[tuple[int, int], ...]:
    spans = []
    for part in (p.strip() for p in text.split(",")):
        if not part:
            continue
        m = _SPAN.match(part)
        if not m:
            raise HoursError(f"HANDOFF_HOURS part {part!r} is not HH:MM-HH:MM")
        start, end = _minutes(m[1], m[2]), _minutes(m[3], m[4])
        if end <= start:
            raise HoursError(f"HANDOFF_HOURS part {part!r} ends before it starts")
        spans.append((start, end))
    return tuple(spans)


def parse_days(text: str) -> frozenset[int]:
    days: set[int] = set()
    for part in (p.strip() for p in (text or "1-5").split(",")):
        if not part:
            continue
        first, _, last = part.partition("-")
        try:
            a, b = int(first), int(last or first)
        except ValueError:
            raise HoursError(f"HANDOFF_DAYS part {part!r} is not a weekday number 1-7") from None
        if not (1 <= a <= b <= 7):
            raise HoursError(f"HANDOFF_DAYS part {part!r} is not within 1-7")
        days.update(range(a, b + 1))
    return frozenset(days or range(1, 6))


@dataclass(frozen=True)
class Hours:
    spans: tuple[tuple[int, int], ...]
    days: frozenset[int]
    zone: dt.tzinfo

    @classmethod
    def from_settings(cls, hours: str, days: str, timezone: str) -> Hours:
        try:
            zone: dt.tzinfo = ZoneInfo(timezone or "Asia/Shanghai")
        except (ZoneInfoNotFoundError, ValueError):
            raise HoursError(f"HANDOFF_TIMEZONE {timezone!r} is not a known time zone") from None
        return cls(parse_spans(hours or ""), parse_days(days), zone)

    @property
    def configured(self) -> bool:
        return bool(self.spans)

    def open_at(self, when: dt.datetime | None = None) -> bool:
        local = (when or dt.datetime.now(dt.timezone.utc)).astimezone(self.zone)
        if local.isoweekday() not in self.days:
            return False
        minute = local.hour * 60 + local.minute
        return any(start <= minute < end for start, end in self.spans)

    def describe(self) -> str:
        """周一至周五 08:30–17:30 (for the user, from the settings)."""
        names = msg("day_names")
        days = sorted(self.days)
        if days == list(range(1, 8)):
            said = msg("days_every")
        elif days == list(range(days[0], days[-1] + 1)) and len(days) > 2:
            said = msg("days_range", first=names[days[0] - 1], last=names[days[-1] - 1])
        else:
            said = "、".join(names[d - 1] for d in days)
        spans = "、".join(f"{s // 60:02d}:{s % 60:02d}–{e // 60:02d}:{e % 60:02d}" for s, e in self.spans)
        return f"{said} {spans}"
