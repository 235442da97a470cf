"""Rasa's SQL tracker store, with conversations that can really be deleted.

Rasa's `PUT /conversations/<id>/tracker/events` with `[]` (what `core.forget` sends) builds an
empty tracker and saves it, and Rasa's SQLTrackerStore only *appends* the events it has not
stored yet: the old rows stay. `ForgetfulSQLTrackerStore` deletes a conversation's rows when a
tracker with fewer events than are stored replaces it, so "forgotten" means gone.

`store_config(url)` turns a SQLAlchemy URL (sqlite:///run/data/rasa.db,
postgresql://user:pw@host:5432/db) into the `tracker_store:` block of endpoints.yml;
`delete_older_than(url, days)` is the retention job's delete.

Speed: Rasa rebuilds a conversation's tracker from all its rows on every message (a query, a JSON
parse and a replay of each event) and counts the stored rows twice on every save: about 40% of
Rasa's CPU per turn. Here the tracker a turn saved is kept in memory (a bounded LRU) with the
conversation's row count and highest row id; the next message gets it back after one small
query shows the table still holds exactly those rows, and its save writes only the new events.
Any other writer (a second replica, the retention job, a replacement) changes the count or the
id, and the tracker is then rebuilt from the table as Rasa does; so is one changed in memory but
never saved (its event count no longer matches).
"""
from __future__ import annotations

import json
import time
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore

CLASS_PATH = "bot.tracker_store.ForgetfulSQLTrackerStore"


@dataclass
class _Kept:
    tracker: Any
    rows: int  # the conversation's rows in the table when it was last read or written here
    top_id: int  # their highest id
    events: int  # len(tracker.events) then: a tracker changed since and not saved is not reused
    used: float = 0.0  # time.monotonic() of the last read or write


class ForgetfulSQLTrackerStore(SQLTrackerStore):
    KEEP = 500  # conversations kept in memory (least recently used dropped first; ~70 kB each)
    KEEP_SECONDS = 900  # ...and none idle longer: what users said is not held in memory past that

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._kept: OrderedDict[str, _Kept] = OrderedDict()
        self._stamp_sql: Any = None

    def _stamp(self, session, sender_id: str) -> tuple[int, int]:
        if self._stamp_sql is None:  # one Core statement, compiled once (the ORM query costs more)
            table = self.SQLEvent.__table__
            self._stamp_sql = sa.select(sa.func.count(table.c.id), sa.func.max(table.c.id)).where(
                table.c.sender_id == sa.bindparam("sender")
            )
        n, top = session.execute(self._stamp_sql, {"sender": sender_id}).one()
        return int(n or 0), int(top or 0)

    def _keep(self, tracker, rows: int, top_id: int) -> None:
        now = time.monotonic()
        self._kept[tracker.sender_id] = _Kept(tracker, rows, top_id, len(tracker.events), now)
        self._kept.move_to_end(tracker.sender_id)
        while self._kept and (
            len(self._kept) > self.KEEP or next(iter(self._kept.values())).used < now - self.KEEP_SECONDS
        ):
            self._kept.popitem(last=False)

    def _fresh(self, session, sender_id: str) -> _Kept | None:
        """The kept tracker if it is unchanged since it was kept, not idle too long, and the table
        still holds exactly the rows it was kept with."""
        kept = self._kept.get(sender_id)
        if kept is None:
            return None
        if (
            len(kept.tracker.events) != kept.events
            or kept.used < time.monotonic() - self.KEEP_SECONDS
            or self._stamp(session, sender_id) != (kept.rows, kept.top_id)
        ):
            del self._kept[sender_id]
            return None
        return kept

    async def retrieve(self, sender_id: str):
        with self.session_scope() as session:
            kept = self._fresh(session, sender_id)
            if kept is not None:
                kept.used = time.monotonic()
                self._kept.move_to_end(sender_id)
                return kept.tracker
            rows, top_id = self._stamp(session, sender_id)
        tracker = await super().retrieve(sender_id)
        if tracker is not None:
            self._keep(tracker, rows, top_id)
        return tracker

    async def save(self, tracker) -> None:
        with self.session_scope() as session:
            # The tracker this store handed out for this turn, checked against the table then: the
            # conversation's lock keeps any other writer out until this save (as Rasa's own save,
            # which counts and then appends, relies on too).
            kept = self._kept.get(tracker.sender_id)
            if kept is not None and kept.tracker is tracker and len(tracker.events) >= kept.events:
                await self.stream_events(tracker)
                rows = [self._row(tracker, e) for e in list(tracker.events)[kept.events :]]
                session.add_all(rows)
                session.flush()
                top_id = max([kept.top_id] + [r.id for r in rows])
                session.commit()
                self._keep(tracker, kept.rows + len(rows), top_id)
                return
            stored = self._event_query(session, tracker.sender_id, fetch_events_from_all_sessions=False).count()
            if len(tracker.events) < stored:  # a replacement (PUT …/tracker/events): drop every old row
                session.query(self.SQLEvent).filter(self.SQLEvent.sender_id == tracker.sender_id).delete()
                session.commit()
        await super().save(tracker)
        with self.session_scope() as session:  # every event of `tracker` is stored now
            self._keep(tracker, *self._stamp(session, tracker.sender_id))

    def _row(self, tracker, event):
        """The table row Rasa's own save writes for `event`."""
        data = event.as_dict()
        return self.SQLEvent(
            sender_id=tracker.sender_id,
            type_name=event.type_name,
            timestamp=data.get("timestamp"),
            intent_name=data.get("parse_data", {}).get("intent", {}).get("name"),
            action_name=data.get("name"),
            data=json.dumps(data),
        )


def store_config(url: str) -> dict[str, Any]:
    """The endpoints.yml `tracker_store` block for a SQLAlchemy URL."""
    u = sa.engine.make_url(url)
    config: dict[str, Any] = {"type": CLASS_PATH, "dialect": u.drivername, "db": u.database}
    if u.host:
        config["url"] = u.host
    if u.port:
        config["port"] = u.port
    if u.username:
        config["username"] = u.username
    if u.password:
        config["password"] = u.password
    if u.query:
        config["query"] = dict(u.query)
    return config


def delete_older_than(url: str, days: float, now: float | None = None) -> int:
    """Delete every conversation whose newest event is older than `days`; returns how many."""
    cutoff = (now if now is not None else time.time()) - days * 86400
    engine = sa.create_engine(url)
    try:
        events = sa.Table("events", sa.MetaData(), autoload_with=engine)
    except sa.exc.NoSuchTableError:
        engine.dispose()
        return 0
    try:
        with engine.begin() as conn:
            old = (sa.select(events.c.sender_id).group_by(events.c.sender_id)
                   .having(sa.func.max(events.c.timestamp) < cutoff))
            senders = [row[0] for row in conn.execute(old)]
            for start in range(0, len(senders), 500):
                conn.execute(events.delete().where(events.c.sender_id.in_(senders[start:start + 500])))
        return len(senders)
    finally:
        engine.dispose()
