"""Storing a published list (and county overlays) in any SQL database SQLAlchemy speaks.

SQLAlchemy 1.4 in 2.0 style: `future=True` engines and sessions, `select()` statements.

    engine = make_engine()                      # $POLICY_KB_URL, $POLICY_KB_DB_URL or sqlite:///policy_kb.db
    save_list(engine, load_kb())                # -> 26 (services stored)
    kb = load_list_from_db(engine, "changzhi-2024")   # the same PolicyList again

Tables (prefixed `kb_` so they can share a database with other parts of the project):
  kb_sources       one row per published list: document number, title, dates
  kb_departments   the lead departments (牵头落实部门) of a list, with full names and contacts
  kb_definitions   named conditions shared by services (their YAML spec, in order)
  kb_services      one row per service item (清单第N项)
  kb_conditions    a service's condition: the spec as written (JSON) and the facts it reads
  kb_leaves        the condition's requirements one by one (fact, test, plain label)
  kb_amounts       a service's amounts/benefits, one row per band or part
  kb_overlays      county/district overlays (县区清单差异文件), stored as their spec

Nothing connects at import time: an engine exists only once `make_engine` is called.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
from collections.abc import Mapping
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
    create_engine,
    select,
)
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, registry, relationship

from .conditions import Condition, Leaf, parse_definitions
from .facts import facts
from .kb import Department, PolicyList, build_service

DEFAULT_URL = "sqlite:///policy_kb.db"
ENV_URL = "POLICY_KB_URL"  # also where the engine reads its lists from (policy_kb.sources)
ENV_DB_URL = "POLICY_KB_DB_URL"  # older name, still read when POLICY_KB_URL is not set

mapper_registry = registry()
Base: Any = mapper_registry.generate_base()  # declarative base (SQLAlchemy 1.4 has no typed one)


class SourceRow(Base):
    """A published document and its list (长政办发〔2024〕28号, published 2024-10-16)."""

    __tablename__ = "kb_sources"
    id = Column(String(100), primary_key=True)  # list id, e.g. changzhi-2024
    number = Column(String(100), nullable=False)  # 长政办发〔2024〕28号
    issuer = Column(String(200), nullable=False, default="")
    title = Column(Text, nullable=False)
    list_title = Column(String(200), nullable=False)
    published = Column(Date, nullable=False)
    effective_from = Column(Date, nullable=False)
    effective_to = Column(Date, nullable=True)
    document = Column(JSON, nullable=False, default=dict)  # document.yaml as written (dates as ISO text)
    stored_at = Column(DateTime, nullable=False)

    departments = relationship(
        "DepartmentRow", back_populates="source", order_by="DepartmentRow.position", cascade="all, delete-orphan"
    )
    definitions = relationship("DefinitionRow", order_by="DefinitionRow.position", cascade="all, delete-orphan")
    services = relationship(
        "ServiceRow", back_populates="source", order_by="ServiceRow.item", cascade="all, delete-orphan"
    )


class DepartmentRow(Base):
    __tablename__ = "kb_departments"
    __table_args__ = (UniqueConstraint("source_id", "short_name"),)
    id = Column(Integer, primary_key=True, autoincrement=True)
    source_id = Column(String(100), ForeignKey("kb_sources.id"), nullable=False, index=True)
    position = Column(Integer, nullable=False)
    short_name = Column(String(100), nullable=False)  # 市民政局
    full_name = Column(String(200), nullable=False)  # 长治市民政局
    phone = Column(String(100), nullable=False, default="")
    address = Column(String(300), nullable=False, default="")
    county_counterpart = Column(String(100), nullable=True)  # 民政部门

    source = relationship("SourceRow", back_populates="departments")


class DefinitionRow(Base):
    __tablename__ = "kb_definitions"
    __table_args__ = (UniqueConstraint("source_id", "name"),)
    id = Column(Integer, primary_key=True, autoincrement=True)
    source_id = Column(String(100), ForeignKey("kb_sources.id"), nullable=False, index=True)
    position = Column(Integer, nullable=False)  # later definitions may use earlier ones
    name = Column(String(100), nullable=False)
    spec = Column(JSON, nullable=False)


class ServiceRow(Base):
    __tablename__ = "kb_services"
    __table_args__ = (UniqueConstraint("source_id", "item"),)
    id = Column(Integer, primary_key=True, autoincrement=True)
    source_id = Column(String(100), ForeignKey("kb_sources.id"), nullable=False, index=True)
    item = Column(Integer, nullable=False)  # the service id: its number in the list
    name = Column(String(200), nullable=False)
    target_group = Column(Text, nullable=False)
    content = Column(Text, nullable=False)
    standard = Column(Text, nullable=False)
    service_type = Column(String(50), nullable=False)
    department_id = Column(Integer, ForeignKey("kb_departments.id"), nullable=False)
    summary = Column(Text, nullable=False)
    how_to_apply = Column(Text, nullable=True)
    local_office = Column(Boolean, nullable=False, default=False)
    citation_document = Column(String(200), nullable=False)  # 长政办发〔2024〕28号
    citation_list_title = Column(String(200), nullable=False)  # 长治市基本养老服务清单
    citation_item = Column(Integer, nullable=False)
    citation_tasks = Column(JSON, nullable=False, default=list)  # e.g. ["三(二)5"]
    raw = Column(JSON, nullable=False)  # the service's YAML as written, for reference

    source = relationship("SourceRow", back_populates="services")
    department = relationship("DepartmentRow")
    condition = relationship("ConditionRow", uselist=False, back_populates="service", cascade="all, delete-orphan")
    amounts = relationship("AmountRow", order_by="AmountRow.position", cascade="all, delete-orphan")


class ConditionRow(Base):
    __tablename__ = "kb_conditions"
    id = Column(Integer, primary_key=True, autoincrement=True)
    service_id = Column(Integer, ForeignKey("kb_services.id"), nullable=False, unique=True)
    spec = Column(JSON, nullable=False)  # as written, may `use` named definitions
    facts = Column(JSON, nullable=False)  # sorted fact names the condition reads

    service = relationship("ServiceRow", back_populates="condition")
    leaves = relationship("LeafRow", order_by="LeafRow.position", cascade="all, delete-orphan")


class LeafRow(Base):
    """One requirement, with named definitions resolved: 年满60周岁 = age in [60, 130]."""

    __tablename__ = "kb_leaves"
    id = Column(Integer, primary_key=True, autoincrement=True)
    condition_id = Column(Integer, ForeignKey("kb_conditions.id"), nullable=False, index=True)
    position = Column(Integer, nullable=False)
    fact = Column(String(50), nullable=False, index=True)
    kind = Column(String(10), nullable=False)  # range | in | is
    min = Column(Integer, nullable=True)
    max = Column(Integer, nullable=True)
    values = Column(JSON, nullable=True)  # for `in`
    is_value = Column(JSON, nullable=True)  # for `is`
    label = Column(Text, nullable=False)
    hint = Column(Text, nullable=True)


class AmountRow(Base):
    __tablename__ = "kb_amounts"
    id = Column(Integer, primary_key=True, autoincrement=True)
    service_id = Column(Integer, ForeignKey("kb_services.id"), nullable=False, index=True)
    position = Column(Integer, nullable=False)
    label = Column(String(200), nullable=True)
    value = Column(Float, nullable=True)  # 70, 7.16 (integers come back as int)
    unit = Column(String(20), nullable=True)  # 元, 度
    period = Column(String(20), nullable=True)  # 月, 年, 人, 次
    per = Column(String(20), nullable=True)  # 户
    floor = Column(Boolean, nullable=False, default=False)  # 不低于
    ceiling = Column(Boolean, nullable=False, default=False)  # 不超过
    text = Column(Text, nullable=True)
    when_spec = Column(JSON, nullable=True)


class OverlayRow(Base):
    """A county/district list as a difference file on top of a city list (see policy_kb.overlay)."""

    __tablename__ = "kb_overlays"
    __table_args__ = (UniqueConstraint("source_id", "district", "example"),)
    id = Column(Integer, primary_key=True, autoincrement=True)
    source_id = Column(String(100), ForeignKey("kb_sources.id"), nullable=False, index=True)
    district = Column(String(50), nullable=False)
    title = Column(Text, nullable=False)
    example = Column(Boolean, nullable=False)
    spec = Column(JSON, nullable=False)
    stored_at = Column(DateTime, nullable=False)


def make_engine(url: str | None = None, **kwargs: Any) -> Engine:
    """An engine for `url`, else $POLICY_KB_URL, else $POLICY_KB_DB_URL, else sqlite:///policy_kb.db."""
    url = url or os.environ.get(ENV_URL) or os.environ.get(ENV_DB_URL) or DEFAULT_URL
    return create_engine(url, future=True, **kwargs)


def create_schema(engine: Engine) -> None:
    Base.metadata.create_all(engine)


def _jsonable(value: Any) -> Any:
    """YAML-loaded data as JSON can hold it (dates become ISO text, keys text)."""
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return value


def _number(value: Any) -> Any:
    return int(value) if isinstance(value, float) and value.is_integer() else value


def _leaf_row(position: int, leaf: Leaf) -> LeafRow:
    kind, name = leaf.spec[0], leaf.spec[1]
    row = LeafRow(position=position, fact=name, kind=kind, label=leaf.label, hint=leaf.hint)
    if kind == "range":
        row.min, row.max = leaf.spec[2], leaf.spec[3]
    elif kind == "in":
        values = list(leaf.spec[2])
        if facts()[name].type == "int":  # the spec keeps values as text; store them as the fact's type
            values = [int(v) for v in values]
        row.values = values
    else:
        row.is_value = leaf.spec[2]
    return row


def _clear_list(session: Session, source: SourceRow) -> None:
    """Remove a stored list's content (not its overlays), children first."""
    for service in list(source.services):
        session.delete(service)
    session.flush()
    for dept in list(source.departments):
        session.delete(dept)
    for definition in list(source.definitions):
        session.delete(definition)
    session.flush()
    session.expire(source)


def save_list(engine: Engine, kb: PolicyList) -> int:
    """Store `kb` (replacing an earlier copy with the same id); return how many services were stored."""
    create_schema(engine)
    now = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)
    with Session(engine, future=True) as session, session.begin():
        source = session.get(SourceRow, kb.id)
        if source is None:
            source = SourceRow(id=kb.id)
            session.add(source)
        else:
            _clear_list(session, source)
        source.number = kb.number
        source.issuer = str(kb.document.get("issuer") or "")
        source.title = kb.title
        source.list_title = kb.list_title
        source.published = kb.published
        source.effective_from = kb.effective_from
        source.effective_to = kb.effective_to
        source.document = _jsonable(kb.document)
        source.stored_at = now

        dept_rows: dict[str, DepartmentRow] = {}
        for position, (key, dept) in enumerate(kb.departments.items()):
            dept_rows[key] = DepartmentRow(
                position=position,
                short_name=key,
                full_name=dept.full_name,
                phone=dept.phone,
                address=dept.address,
                county_counterpart=dept.county_counterpart,
            )
        source.departments = list(dept_rows.values())
        source.definitions = [
            DefinitionRow(position=i, name=name, spec=_jsonable(spec))
            for i, (name, spec) in enumerate(kb.raw_definitions.items())
        ]
        rows = []
        for service in kb.services:
            raw = service.raw
            if not raw:
                raise ValueError(f"service {service.id} has no raw spec; build it with policy_kb.kb.build_service")
            dept_key = next(
                (k for k, d in kb.departments.items() if d is service.department), service.department.short_name
            )
            row = ServiceRow(
                item=service.id,
                name=service.name,
                target_group=service.target_group,
                content=service.content,
                standard=service.standard,
                service_type=service.service_type,
                department=dept_rows[dept_key],
                summary=service.summary,
                how_to_apply=service.how_to_apply,
                local_office=service.local_office,
                citation_document=service.citation.document,
                citation_list_title=service.citation.list_title,
                citation_item=service.citation.item,
                citation_tasks=list(service.citation.tasks),
                raw=_jsonable(raw),
            )
            row.condition = ConditionRow(
                spec=_jsonable(raw["condition"]),
                facts=sorted(service.condition.fact_names()),
                leaves=[_leaf_row(i, leaf) for i, leaf in enumerate(service.condition.leaves())],
            )
            row.amounts = [
                AmountRow(
                    position=i,
                    label=a.get("label"),
                    value=a.get("value"),
                    unit=a.get("unit"),
                    period=a.get("period"),
                    per=a.get("per"),
                    floor=bool(a.get("floor")),
                    ceiling=bool(a.get("ceiling")),
                    text=a.get("text"),
                    when_spec=_jsonable(a["when"]) if a.get("when") else None,
                )
                for i, a in enumerate(raw.get("amounts") or ())
            ]
            rows.append(row)
        source.services = rows
        return len(rows)


def _amount_raw(row: AmountRow) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if row.when_spec is not None:
        out["when"] = row.when_spec
    for key in ("label", "unit", "period", "per", "text"):
        value = getattr(row, key)
        if value is not None:
            out[key] = value
    if row.value is not None:
        out["value"] = _number(row.value)
    if row.floor:
        out["floor"] = True
    if row.ceiling:
        out["ceiling"] = True
    return out


def _service_raw(row: ServiceRow) -> dict[str, Any]:
    """The service's spec rebuilt from its columns (the form policy_kb.kb.build_service reads)."""
    raw: dict[str, Any] = {
        "id": row.item,
        "name": row.name,
        "target_group": row.target_group,
        "content": row.content,
        "standard": row.standard,
        "service_type": row.service_type,
        "department": row.department.short_name,
        "summary": row.summary,
        "condition": row.condition.spec,
    }
    if row.amounts:
        raw["amounts"] = [_amount_raw(a) for a in row.amounts]
    citation: dict[str, Any] = {"item": row.citation_item}
    if row.citation_tasks:
        citation["tasks"] = list(row.citation_tasks)
    raw["citation"] = citation
    if row.how_to_apply is not None:
        raw["how_to_apply"] = row.how_to_apply
    if row.local_office:
        raw["local_office"] = True
    if (row.raw or {}).get("office"):  # the county office a county list names (policy_kb.overlay)
        raw["office"] = row.raw["office"]
    return raw


def stored_lists(engine: Engine) -> list[str]:
    """Ids of the lists stored in the database (empty when none was ever stored)."""
    create_schema(engine)
    with Session(engine, future=True) as session:
        return list(session.execute(select(SourceRow.id).order_by(SourceRow.effective_from)).scalars())


def load_list_from_db(engine: Engine, list_id: str) -> PolicyList:
    """Rebuild a stored list: the same services, conditions and amounts as the YAML it came from."""
    with Session(engine, future=True) as session:
        source = session.execute(select(SourceRow).where(SourceRow.id == list_id)).scalar_one_or_none()
        if source is None:
            raise LookupError(f"list {list_id!r} is not stored in {engine.url.render_as_string(hide_password=True)}")
        departments = {
            d.short_name: Department(d.short_name, d.full_name, d.phone or "", d.address or "", d.county_counterpart)
            for d in source.departments
        }
        raw_definitions = {d.name: d.spec for d in source.definitions}
        definitions: Mapping[str, Condition] = parse_definitions(raw_definitions)
        services = []
        for row in source.services:
            raw = _service_raw(row)
            doc = {"number": row.citation_document, "list_title": row.citation_list_title}
            service = build_service(raw, doc, departments, definitions)
            # built from the columns; `raw` stays the spec as it was written
            services.append(dataclasses.replace(service, raw=dict(row.raw)))
        document = dict(source.document or {})
        for key in ("published", "effective_from", "effective_to"):
            document[key] = getattr(source, key)
        return PolicyList(
            id=source.id,
            number=source.number,
            title=source.title,
            list_title=source.list_title,
            published=source.published,
            effective_from=source.effective_from,
            effective_to=source.effective_to,
            departments=departments,
            definitions=definitions,
            services=tuple(sorted(services, key=lambda s: s.id)),
            raw_definitions=raw_definitions,
            document=document,
        )


def save_overlay(engine: Engine, overlay: Any) -> int:
    """Store a county overlay (policy_kb.overlay.Overlay) under the list it builds on; return its row id.

    The list must be stored first. An overlay replaces an earlier one for the same district
    (examples are kept apart from real lists).
    """
    create_schema(engine)
    now = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)
    with Session(engine, future=True) as session, session.begin():
        if session.get(SourceRow, overlay.base_list) is None:
            raise LookupError(f"store list {overlay.base_list!r} before its overlays")
        row = session.execute(
            select(OverlayRow).where(
                OverlayRow.source_id == overlay.base_list,
                OverlayRow.district == overlay.district,
                OverlayRow.example == overlay.example,
            )
        ).scalar_one_or_none()
        if row is None:
            row = OverlayRow(source_id=overlay.base_list, district=overlay.district, example=overlay.example)
            session.add(row)
        row.title = overlay.title
        row.spec = _jsonable(overlay.raw)
        row.stored_at = now
        session.flush()
        return row.id


def load_overlays_from_db(engine: Engine, list_id: str, include_examples: bool = False) -> list[Any]:
    """The overlays stored for a list (examples only when asked for)."""
    from .overlay import parse_overlay

    with Session(engine, future=True) as session:
        stmt = select(OverlayRow).where(OverlayRow.source_id == list_id).order_by(OverlayRow.district)
        if not include_examples:
            stmt = stmt.where(OverlayRow.example.is_(False))
        return [parse_overlay(row.spec, source=f"db:{row.id}") for row in session.execute(stmt).scalars()]
