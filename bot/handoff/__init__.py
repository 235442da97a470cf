"""Live hand-off to an operator (issue 10): 找人工 on the website or WeChat puts the conversation
into a queue shown in the operator console; an operator takes it (the bot pauses), talks to the
user in the same chat, then hands back to the bot or ends it.

- `desk.py`: the queue, and `HandoffCore` around the conversation core (what channels call).
- `store.py`: the SQL tables (kept no longer than needed). `hours.py`: HANDOFF_HOURS / HANDOFF_DAYS.
- `routes.py`: `GET /api/chat/events` (the widget, bot/web/static/handoff.js) and
  `/operator/api/handoff/…` (OPERATOR_TOKEN).
"""
from __future__ import annotations

import logging

from bot.handoff.desk import HandoffCore, HandoffDesk
from bot.handoff.hours import Hours, HoursError
from bot.handoff.store import Store, default_url
from bot.settings import Settings

log = logging.getLogger(__name__)


def make_desk(settings: Settings, wechat_client=lambda: None) -> HandoffDesk:
    """The desk for these settings; bad hours leave hand-off off (and say why in the log)."""
    try:
        hours = Hours.from_settings(settings.handoff_hours, settings.handoff_days, settings.handoff_timezone)
    except HoursError as exc:
        log.warning("hand-off off: %s", exc)
        hours = Hours.from_settings("", "1-5", "Asia/Shanghai")
    if hours.configured and not settings.operator_enabled:
        log.warning("hand-off off: the operator console is disabled")
    url = default_url(settings.data_path, settings.tracker_store_url, settings.handoff_store_url)
    return HandoffDesk(Store(url), hours, max_queue=max(1, settings.handoff_max_queue),
                       retention_days=settings.retention_days, enabled=settings.operator_enabled,
                       wechat_sender=wechat_client)


__all__ = ["HandoffCore", "HandoffDesk", "make_desk"]
