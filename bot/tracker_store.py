"""Rasa's SQL tracker store, with conversations that can really be deleted.

Rasa's `PUT /conversations/<id>/tracker/events` with `[]` (what `core.forget` sends) builds an
empty tracker and saves it, and Rasa's SQLTrackerStore only *appends* the events it has not
stored yet: the old rows stay. `ForgetfulSQLTrackerStore` deletes a conversation's rows when a
tracker with fewer events than are stored replaces it, so "forgotten" means gone.

`store_config(url)` turns a SQLAlchemy URL (sqlite:///run/data/rasa.db,
postgresql://user:pw@host:5432/db) into the `tracker_store:` block of endpoints.yml;
`delete_older_than(url, days)` is the retention job's delete.
"""
from __future__ import annotations

import time
from typing import Any

import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore

CLASS_PATH = "bot.tracker_store.ForgetfulSQLTrackerStore"


class ForgetfulSQLTrackerStore(SQLTrackerStore):
    async def save(self, tracker) -> None:
        with self.session_scope() as session:
            stored = self._event_query(session, tracker.sender_id, fetch_events_from_all_sessions=False).count()
            if len(tracker.events) < stored:  # a replacement (PUT …/tracker/events): drop every old row
                session.query(self.SQLEvent).filter(self.SQLEvent.sender_id == tracker.sender_id).delete()
                session.commit()
        await super().save(tracker)


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
