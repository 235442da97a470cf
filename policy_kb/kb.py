"""Loading a published list (document, departments, definitions, 26 services) from data files."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from .amounts import Amount, parse_amount
from .conditions import Condition, parse, parse_definitions
from .facts import DATA_DIR

DEFAULT_LIST = "changzhi-2024"


@dataclass(frozen=True)
class Department:
    short_name: str
    full_name: str
    phone: str = ""
    address: str = ""
    county_counterpart: str | None = None  # e.g. 民政部门: the county office that handles it


@dataclass(frozen=True)
class Citation:
    document: str  # 长政办发〔2024〕28号
    list_title: str
    item: int
    tasks: tuple[str, ...] = ()

    def text(self) -> str:
        """Short form for sentences: 《长治市基本养老服务清单》第8项."""
        out = f"《{self.list_title}》第{self.item}项"
        if self.tasks:
            out += "，另见《实施方案》" + "、".join(self.tasks)
        return out

    def full(self) -> str:
        return f"{self.text()}（{self.document}）"


@dataclass(frozen=True, eq=False)
class Service:
    id: int
    name: str
    target_group: str
    content: str
    standard: str
    service_type: str
    department: Department
    summary: str
    condition: Condition
    amounts: tuple[Amount, ...]
    citation: Citation
    how_to_apply: str | None = None
    local_office: bool = False  # the text says a county-level office handles it (县级…部门)
    office: str | None = None  # that office by name, once a county overlay gives it (潞州区民政局)
    facts: frozenset[str] = field(default=frozenset())
    raw: Mapping[str, Any] = field(default_factory=dict)  # the service's YAML, for storage and overlays

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "target_group": self.target_group,
            "content": self.content,
            "standard": self.standard,
            "service_type": self.service_type,
            "department": self.department.short_name,
            "department_full": self.department.full_name,
            "summary": self.summary,
            "how_to_apply": self.how_to_apply,
            "amounts": [a.as_dict() for a in self.amounts],
            "requirements": [leaf.label for leaf in self.condition.leaves()],
            "citation": self.citation.full(),
            "citation_item": self.citation.item,
        }


@dataclass(frozen=True, eq=False)  # hashed by identity: one object per loaded list
class PolicyList:
    id: str
    number: str
    title: str
    list_title: str
    published: dt.date
    effective_from: dt.date
    effective_to: dt.date | None
    departments: Mapping[str, Department]
    definitions: Mapping[str, Condition]
    services: tuple[Service, ...]
    raw_definitions: Mapping[str, Any] = field(default_factory=dict)  # definitions.yaml, for storage
    document: Mapping[str, Any] = field(default_factory=dict)  # document.yaml (issuer, seed, ...)

    def service(self, service_id: int) -> Service | None:
        for s in self.services:
            if s.id == service_id:
                return s
        return None

    def in_force(self, on: dt.date) -> bool:
        return self.effective_from <= on and (self.effective_to is None or on < self.effective_to)


def _read(path: Path) -> Any:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def build_service(
    raw: Mapping[str, Any],
    doc: Mapping[str, Any],
    departments: Mapping[str, Department],
    definitions: Mapping[str, Condition],
) -> Service:
    condition = parse(raw["condition"], definitions)
    dept = raw["department"]
    if dept not in departments:
        raise ValueError(f"service {raw['id']}: unknown department {dept!r}")
    cite = raw.get("citation") or {}
    return Service(
        id=raw["id"],
        name=raw["name"],
        target_group=raw["target_group"],
        content=raw["content"],
        standard=raw["standard"],
        service_type=raw["service_type"],
        department=departments[dept],
        summary=raw["summary"],
        condition=condition,
        amounts=tuple(parse_amount(a, definitions) for a in raw.get("amounts") or ()),
        citation=Citation(
            doc["number"], doc["list_title"], cite.get("item", raw["id"]), tuple(cite.get("tasks") or ())
        ),
        how_to_apply=raw.get("how_to_apply"),
        local_office=bool(raw.get("local_office")),
        office=raw.get("office"),
        facts=condition.fact_names(),
        raw=dict(raw),
    )


def load_list(folder: Path) -> PolicyList:
    doc = _read(folder / "document.yaml")
    departments = {
        name: Department(
            name, spec["full_name"], spec.get("phone") or "", spec.get("address") or "", spec.get("county_counterpart")
        )
        for name, spec in _read(folder / "departments.yaml").items()
    }
    raw_definitions = _read(folder / "definitions.yaml") or {}
    definitions = parse_definitions(raw_definitions)
    services = tuple(
        sorted(
            (build_service(_read(p), doc, departments, definitions) for p in (folder / "services").glob("*.yaml")),
            key=lambda s: s.id,
        )
    )
    return PolicyList(
        id=doc["id"],
        number=doc["number"],
        title=doc["title"],
        list_title=doc["list_title"],
        published=doc["published"],
        effective_from=doc["effective_from"],
        effective_to=doc.get("effective_to"),
        departments=departments,
        definitions=definitions,
        services=services,
        raw_definitions=raw_definitions,
        document=doc,
    )


def load_kb(name: str = DEFAULT_LIST) -> PolicyList:
    """The list named `name` from policy_kb/data (cached: loaded on first use, never at import).

    load_kb() and load_kb("changzhi-2024") are the same object (the engine caches per list object).
    """
    return _load_named(name)


@lru_cache(maxsize=8)
def _load_named(name: str) -> PolicyList:
    return load_list(DATA_DIR / name)


def list_in_force(on: dt.date | None = None) -> PolicyList:
    """The published list in force on a date (today when not given), among the configured lists.

    By default the lists of policy_kb/data; see policy_kb.sources for the settings that add list
    folders (POLICY_KB_LISTS) or serve the lists stored in a database (POLICY_KB_URL).
    """
    from .sources import catalog

    return catalog().in_force(on)
