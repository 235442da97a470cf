"""Where hand-offs are kept: two tables beside the conversations (SQLAlchemy).

`handoff_cases` (one row per conversation waiting for or talking to an operator) and
`handoff_messages` (what the user and the operator said during the hand-off, and the notices
the user was shown). The default is `DATA_DIR/handoff.db` (SQLite); with TRACKER_STORE_URL
(PostgreSQL) the tables go into that database (HANDOFF_STORE_URL overrides both).

Nothing is kept longer than needed: a finished case goes an hour after it ended (long enough for
the user's page to fetch the last notice), any case with no activity for RETENTION_DAYS goes, and
a conversation that is forgotten (清除记录, 重新开始, unsubscribe) takes its hand-off rows with it.
"""
from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlalchemy as sa

FINISHED_KEEP_SECONDS = 3600.0
OPEN_STATES = ("queued", "taken")

metadata = sa.MetaData()
cases = sa.Table(
    "handoff_cases", metadata,
    sa.Column("case_id", sa.String(32), primary_key=True),
    sa.Column("sender", sa.String(255), nullable=False, unique=True),
    sa.Column("channel", sa.String(16), nullable=False),
    sa.Column("state", sa.String(16), nullable=False),  # queued | taken | returned | closed
    sa.Column("created", sa.Float, nullable=False),
    sa.Column("taken", sa.Float),
    sa.Column("finished", sa.Float),
    sa.Column("last_user", sa.Float, nullable=False),  # the user's last message (WeChat's 48 h)
    sa.Column("updated", sa.Float, nullable=False),
)
messages = sa.Table(
    "handoff_messages", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("case_id", sa.String(32), nullable=False, index=True),
    sa.Column("who", sa.String(16), nullable=False),  # user | operator | notice
    sa.Column("state", sa.String(16)),  # for a notice: taken | returned | closed
    sa.Column("text", sa.Text, nullable=False),
    sa.Column("at", sa.Float, nullable=False),
    sqlite_autoincrement=True,  # ids never come back after a delete: pages poll with the last id they saw
)


@dataclass
class Case:
    case_id: str
    sender: str
    channel: str
    state: str
    created: float
    last_user: float
    updated: float
    taken: float | None = None
    finished: float | None = None

    @property
    def open(self) -> bool:
        return self.state in OPEN_STATES


def default_url(data_dir: Path, tracker_store_url: str | None, handoff_store_url: str | None) -> str:
    if handoff_store_url:
        return handoff_store_url
    if tracker_store_url and not tracker_store_url.startswith("sqlite"):
        return tracker_store_url  # one database server for the conversations and the hand-offs
    data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    return f"sqlite:///{data_dir / 'handoff.db'}"


class Store:
    def __init__(self, url: str):
        kwargs: dict[str, Any] = {}
        if url.startswith("sqlite"):
            kwargs["connect_args"] = {"check_same_thread": False, "timeout": 10}
        self.engine = sa.create_engine(url, future=True, **kwargs)
        metadata.create_all(self.engine)
        if url.startswith("sqlite:///") and url != "sqlite:///:memory:":
            try:
                Path(url[len("sqlite:///"):]).chmod(0o600)  # it holds what people said
            except OSError:
                pass

    def dispose(self) -> None:
        self.engine.dispose()

    # -- cases --------------------------------------------------------------------------------
    def open_cases(self) -> list[Case]:
        with self.engine.connect() as conn:
            rows = conn.execute(sa.select(cases).where(cases.c.state.in_(OPEN_STATES)).order_by(cases.c.created))
            return [Case(**row._mapping) for row in rows]

    def case_by_id(self, case_id: str) -> Case | None:
        with self.engine.connect() as conn:
            row = conn.execute(sa.select(cases).where(cases.c.case_id == case_id)).first()
            return Case(**row._mapping) if row else None

    def case_of(self, sender: str) -> Case | None:
        with self.engine.connect() as conn:
            row = conn.execute(sa.select(cases).where(cases.c.sender == sender)).first()
            return Case(**row._mapping) if row else None

    def put_case(self, case: Case) -> None:
        """Insert or replace (one row per conversation: an old finished case goes first)."""
        values = dict(case.__dict__)
        with self.engine.begin() as conn:
            old = conn.execute(sa.select(cases.c.case_id).where(cases.c.sender == case.sender)).scalars().all()
            if old and old != [case.case_id]:
                conn.execute(messages.delete().where(messages.c.case_id.in_([o for o in old if o != case.case_id])))
                conn.execute(cases.delete().where(cases.c.case_id.in_([o for o in old if o != case.case_id])))
            if case.case_id in old:
                conn.execute(cases.update().where(cases.c.case_id == case.case_id).values(**values))
            else:
                conn.execute(cases.insert().values(**values))

    def drop_sender(self, sender: str) -> int:
        with self.engine.begin() as conn:
            ids = conn.execute(sa.select(cases.c.case_id).where(cases.c.sender == sender)).scalars().all()
            if ids:
                conn.execute(messages.delete().where(messages.c.case_id.in_(ids)))
                conn.execute(cases.delete().where(cases.c.case_id.in_(ids)))
            return len(ids)

    def prune(self, retention_days: float, now: float | None = None) -> int:
        """Delete finished cases an hour after they ended and any case idle for retention_days."""
        now = time.time() if now is None else now
        stale = sa.or_(
            sa.and_(cases.c.state.notin_(OPEN_STATES), cases.c.finished < now - FINISHED_KEEP_SECONDS),
            cases.c.updated < now - retention_days * 86400,
        )
        with self.engine.begin() as conn:
            ids = conn.execute(sa.select(cases.c.case_id).where(stale)).scalars().all()
            for start in range(0, len(ids), 500):
                chunk = ids[start:start + 500]
                conn.execute(messages.delete().where(messages.c.case_id.in_(chunk)))
                conn.execute(cases.delete().where(cases.c.case_id.in_(chunk)))
            return len(ids)

    # -- messages -----------------------------------------------------------------------------
    def add_message(self, case_id: str, who: str, text: str, state: str | None = None, at: float | None = None) -> int:
        with self.engine.begin() as conn:
            result = conn.execute(messages.insert().values(case_id=case_id, who=who, text=text, state=state,
                                                           at=time.time() if at is None else at))
            return int(result.inserted_primary_key[0])

    def count_messages(self, case_id: str) -> int:
        with self.engine.connect() as conn:
            return int(conn.execute(sa.select(sa.func.count()).select_from(messages)
                                    .where(messages.c.case_id == case_id)).scalar() or 0)

    def messages_after(self, case_id: str, after: int = 0, who: tuple[str, ...] | None = None,
                       limit: int = 200) -> list[dict[str, Any]]:
        query = sa.select(messages).where(messages.c.case_id == case_id, messages.c.id > after)
        if who:
            query = query.where(messages.c.who.in_(who))
        with self.engine.connect() as conn:
            rows = conn.execute(query.order_by(messages.c.id).limit(limit))
            return [{"id": r.id, "who": r.who, "state": r.state, "text": r.text, "at": r.at} for r in rows]
