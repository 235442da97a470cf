"""HANDOFF_HOURS / HANDOFF_DAYS read as the team works (local time in HANDOFF_TIMEZONE)."""
import datetime as dt

import pytest

from bot.handoff.hours import Hours, HoursError

CST = dt.timezone(dt.timedelta(hours=8))


def at(y, mo, d, h, mi):
    return dt.datetime(y, mo, d, h, mi, tzinfo=CST)


def test_weekdays_office_hours():
    hours = Hours.from_settings("08:30-17:30", "1-5", "Asia/Shanghai")
    assert hours.open_at(at(2026, 12, 2, 8, 30))  # a Wednesday
    assert hours.open_at(at(2026, 12, 2, 17, 29))
    assert not hours.open_at(at(2026, 12, 2, 17, 30))
    assert not hours.open_at(at(2026, 12, 2, 8, 29))
    assert not hours.open_at(at(2026, 12, 5, 10, 0))  # Saturday
    assert hours.open_at(dt.datetime(2026, 12, 2, 1, 0, tzinfo=dt.timezone.utc))  # 09:00 in 长治
    assert hours.describe() == "周一至周五 08:30–17:30"


def test_several_spans_and_days():
    hours = Hours.from_settings("08:30-12:00, 14:00-17:30", "1,3,6", "Asia/Shanghai")
    assert not hours.open_at(at(2026, 12, 2, 13, 0)) and hours.open_at(at(2026, 12, 2, 14, 0))
    assert not hours.open_at(at(2026, 12, 1, 9, 0))  # Tuesday
    assert hours.describe() == "周一、周三、周六 08:30–12:00、14:00–17:30"
    assert Hours.from_settings("00:00-24:00", "1-7", "Asia/Shanghai").describe() == "每天 00:00–24:00"


@pytest.mark.parametrize("hours,days", [("8:30", "1-5"), ("17:30-08:30", "1-5"), ("25:00-26:00", "1-5"),
                                        ("08:30-17:30", "0-5"), ("08:30-17:30", "mon")])
def test_bad_settings_are_refused(hours, days):
    with pytest.raises(HoursError):
        Hours.from_settings(hours, days, "Asia/Shanghai")


def test_empty_is_off_and_bad_settings_leave_it_off(tmp_path):
    from bot.handoff import make_desk
    from bot.settings import Settings

    base = dict(operator_token="x" * 30, data_dir=str(tmp_path))
    assert not make_desk(Settings(**base)).enabled
    assert not make_desk(Settings(**base, handoff_hours="nine to five")).enabled
    assert not make_desk(Settings(data_dir=str(tmp_path), handoff_hours="08:00-18:00")).enabled  # no console
    assert make_desk(Settings(**base, handoff_hours="08:00-18:00")).enabled
