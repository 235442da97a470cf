"""County/district lists (县区基本养老服务清单) as overlays on the city list.

The 实施方案 三(一)2 says every 县、区 publishes its own list, which "应包含市级清单中的服务项目，
且覆盖范围和实现程度不得低于市级清单要求". An overlay records only how a county's list differs
from the city list (see data/changzhi-2024/overlays/README.md for the file format):

  * `offices`: the local office where the city list says 县级（政府）民政部门 etc.;
    phone/address stay empty unless the county publishes them;
  * `changes`: per city item, a higher amount, a wider target group (a replacement condition),
    or local wording;
  * `additions`: items the county adds;
  * `remove`: items dropped (never allowed; listed so that the check can say so).

    overlay = load_overlay(path)             # OverlayError if the file is malformed
    problems = validate_overlay(kb, overlay) # [] when the county list is not lower than the city list
    county_kb = apply_overlay(kb, overlay)   # a new PolicyList; OverlayError if invalid

Example overlays (`example: true`) are never applied unless the caller asks for it explicitly.
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .amounts import Amount, parse_amount
from .conditions import Condition, ConditionError, parse
from .facts import DATA_DIR, FACT_NAMES, facts
from .kb import Department, PolicyList, Service, build_service, load_kb

SERVICE_TYPES = ("物质帮助", "照护服务", "关爱服务")
CHANGE_KEYS = frozenset(
    {
        "id",
        "name",
        "target_group",
        "content",
        "standard",
        "service_type",
        "summary",
        "how_to_apply",
        "condition",
        "amounts",
        "department",
    }
)
ADDITION_REQUIRED = (
    "id",
    "name",
    "target_group",
    "content",
    "standard",
    "service_type",
    "department",
    "summary",
    "condition",
)
ADDITION_KEYS = frozenset(ADDITION_REQUIRED) | {"amounts", "how_to_apply", "local_office", "citation"}
TOP_KEYS = frozenset(
    {
        "example",
        "title",
        "district",
        "base_list",
        "list_title",
        "number",
        "published",
        "effective_from",
        "offices",
        "changes",
        "additions",
        "remove",
    }
)
OFFICE_KEYS = frozenset({"name", "full_name", "phone", "address"})
MAX_CASES = 1_000_000  # profiles tried when comparing two conditions; beyond it the check gives up


class OverlayError(ValueError):
    """A malformed overlay file, or an overlay that cannot be applied."""


@dataclass(frozen=True)
class Office:
    """The county office that handles what the city list gives to 县级（政府）XX部门."""

    name: str  # 潞州区民政局
    full_name: str  # 长治市潞州区民政局
    phone: str = ""
    address: str = ""

    def contact(self) -> str:
        parts = [f"电话：{self.phone}" if self.phone else "", f"地址：{self.address}" if self.address else ""]
        return "；".join(p for p in parts if p)


@dataclass(frozen=True)
class Overlay:
    district: str
    title: str
    example: bool
    base_list: str
    list_title: str
    number: str
    published: dt.date | None
    effective_from: dt.date | None
    offices: Mapping[str, Office]  # city department short name -> the county's office
    changes: Mapping[int, Mapping[str, Any]]  # city item id -> fields it replaces
    additions: tuple[Mapping[str, Any], ...]
    remove: tuple[int, ...]
    raw: Mapping[str, Any] = field(default_factory=dict)
    source: str = ""


def _fail(source: str, message: str) -> OverlayError:
    return OverlayError(f"{source}：{message}" if source else message)


def _date(value: Any, key: str, source: str) -> dt.date | None:
    if value is None or value == "":
        return None
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            pass
    raise _fail(source, f"{key} 应是日期（YYYY-MM-DD），而不是 {value!r}")


def _text(raw: Mapping[str, Any], key: str, source: str, required: bool = False) -> str:
    value = raw.get(key)
    if value is None:
        if required:
            raise _fail(source, f"缺少 {key}")
        return ""
    if not isinstance(value, str):
        raise _fail(source, f"{key} 应是文字，而不是 {value!r}")
    return value


def _item_id(value: Any, where: str, source: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise _fail(source, f"{where} 的 id 应是正整数（清单项目编号），而不是 {value!r}")
    return value


def _check_condition(spec: Any, item: int, definitions: Mapping[str, Condition], source: str) -> Condition:
    try:
        cond = parse(spec, definitions)
    except (ConditionError, KeyError, TypeError) as exc:
        raise _fail(source, f"第{item}项的条件写得不对：{exc}") from None
    if not cond.fact_names():
        raise _fail(source, f"第{item}项的条件至少要有一条要求")
    return cond


def _check_amounts(spec: Any, item: int, definitions: Mapping[str, Condition], source: str) -> tuple[Amount, ...]:
    if not isinstance(spec, list) or not all(isinstance(a, Mapping) for a in spec):
        raise _fail(source, f"第{item}项的 amounts 应是列表，每个金额一个映射")
    out = []
    for a in spec:
        value = a.get("value")
        if value is not None and (isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0):
            raise _fail(source, f"第{item}项的金额 value 应是非负数，而不是 {value!r}")
        if value is None and not a.get("text"):
            raise _fail(source, f"第{item}项的每个金额要有 value 或 text")
        try:
            out.append(parse_amount(a, definitions))
        except (ConditionError, KeyError, TypeError) as exc:
            raise _fail(source, f"第{item}项金额的适用条件写得不对：{exc}") from None
    return tuple(out)


def parse_overlay(raw: Any, source: str = "", definitions: Mapping[str, Condition] | None = None) -> Overlay:
    """Check an overlay's structure and build it; OverlayError names what is wrong."""
    if not isinstance(raw, Mapping):
        raise _fail(source, "差异文件应是一个 YAML 映射（district、title、changes……）")
    unknown = sorted(set(map(str, raw)) - TOP_KEYS)
    if unknown:
        raise _fail(source, f"不认识的字段 {', '.join(unknown)}；允许：{', '.join(sorted(TOP_KEYS))}")
    district = _text(raw, "district", source, required=True)
    districts = facts()["district"].values
    if district not in districts:
        raise _fail(source, f"district {district!r} 不是长治市的县区；允许：{', '.join(districts)}")
    title = _text(raw, "title", source, required=True)
    example = raw.get("example", False)
    if not isinstance(example, bool):
        raise _fail(source, f"example 应是 true 或 false，而不是 {example!r}")
    base_list = _text(raw, "base_list", source) or "changzhi-2024"
    if definitions is None:
        try:
            definitions = load_kb(base_list).definitions
        except (FileNotFoundError, OSError):
            raise _fail(source, f"base_list {base_list!r} 不是已有的市级清单") from None

    offices: dict[str, Office] = {}
    raw_offices = raw.get("offices") or {}
    if not isinstance(raw_offices, Mapping):
        raise _fail(source, "offices 应是映射：市级牵头部门简称 → 县区经办部门")
    for dept, spec in raw_offices.items():
        if not isinstance(spec, Mapping) or not isinstance(spec.get("name"), str) or not spec["name"]:
            raise _fail(source, f"offices.{dept} 要写明 name（如 潞州区民政局）")
        extra = sorted(set(spec) - OFFICE_KEYS)
        if extra:
            raise _fail(source, f"offices.{dept} 有不认识的字段 {', '.join(map(str, extra))}")
        offices[str(dept)] = Office(
            name=spec["name"],
            full_name=_text(spec, "full_name", source) or spec["name"],
            phone=_text(spec, "phone", source),
            address=_text(spec, "address", source),
        )

    changes: dict[int, Mapping[str, Any]] = {}
    raw_changes = raw.get("changes") or []
    if not isinstance(raw_changes, list):
        raise _fail(source, "changes 应是列表，每项写明 id")
    for change in raw_changes:
        if not isinstance(change, Mapping):
            raise _fail(source, "changes 的每一项应是映射，写明 id")
        item = _item_id(change.get("id"), "changes", source)
        if item in changes:
            raise _fail(source, f"第{item}项在 changes 里出现了两次")
        extra = sorted(set(change) - CHANGE_KEYS)
        if extra:
            raise _fail(
                source, f"第{item}项有不认识的字段 {', '.join(map(str, extra))}；允许：{', '.join(sorted(CHANGE_KEYS))}"
            )
        if len(change) == 1:
            raise _fail(source, f"第{item}项没有写任何改动")
        for key in ("name", "target_group", "content", "standard", "summary", "how_to_apply", "department"):
            if key in change:
                _text(change, key, source, required=True)
        if "service_type" in change and change["service_type"] not in SERVICE_TYPES:
            raise _fail(source, f"第{item}项的 service_type 应是 {'、'.join(SERVICE_TYPES)} 之一")
        if "condition" in change:
            _check_condition(change["condition"], item, definitions, source)
        if "amounts" in change:
            _check_amounts(change["amounts"], item, definitions, source)
        changes[item] = dict(change)

    additions: list[dict[str, Any]] = []
    raw_additions = raw.get("additions") or []
    if not isinstance(raw_additions, list):
        raise _fail(source, "additions 应是列表，每项是一个完整的服务项目")
    for addition in raw_additions:
        if not isinstance(addition, Mapping):
            raise _fail(source, "additions 的每一项应是映射")
        item = _item_id(addition.get("id"), "additions", source)
        if item in changes or any(a["id"] == item for a in additions):
            raise _fail(source, f"第{item}项重复出现")
        missing = [k for k in ADDITION_REQUIRED if k not in addition]
        if missing:
            raise _fail(source, f"新增的第{item}项缺少 {', '.join(missing)}")
        extra = sorted(set(addition) - ADDITION_KEYS)
        if extra:
            raise _fail(source, f"新增的第{item}项有不认识的字段 {', '.join(map(str, extra))}")
        for key in ("name", "target_group", "content", "standard", "summary", "department"):
            _text(addition, key, source, required=True)
        if addition["service_type"] not in SERVICE_TYPES:
            raise _fail(source, f"第{item}项的 service_type 应是 {'、'.join(SERVICE_TYPES)} 之一")
        _check_condition(addition["condition"], item, definitions, source)
        _check_amounts(addition.get("amounts") or [], item, definitions, source)
        additions.append(dict(addition))

    remove = raw.get("remove") or []
    if not isinstance(remove, list):
        raise _fail(source, "remove 应是项目编号的列表")
    return Overlay(
        district=district,
        title=title,
        example=example,
        base_list=base_list,
        list_title=_text(raw, "list_title", source) or f"{district}基本养老服务清单",
        number=_text(raw, "number", source),
        published=_date(raw.get("published"), "published", source),
        effective_from=_date(raw.get("effective_from"), "effective_from", source),
        offices=offices,
        changes=changes,
        additions=tuple(additions),
        remove=tuple(_item_id(i, "remove", source) for i in remove),
        raw=dict(raw),
        source=source,
    )


def load_overlay(path: Path | str) -> Overlay:
    """Read an overlay file (YAML); OverlayError if it cannot be read or is malformed."""
    path = Path(path)
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise OverlayError(f"读不到差异文件 {path}：{exc.strerror}") from None
    except yaml.YAMLError as exc:
        raise OverlayError(f"{path.name}：不是合法的 YAML：{str(exc).splitlines()[0]}") from None
    return parse_overlay(raw, source=path.name)


# --- comparing the county list with the city list ---------------------------------------------


def _int_points(name: str, conditions: Iterable[Condition]) -> list[int]:
    fact = facts()[name]
    points = {fact.lo, fact.hi} | {v for v in fact.values if isinstance(v, int)}
    for cond in conditions:
        for leaf in cond.leaves():
            if leaf.fact != name:
                continue
            if leaf.spec[0] == "range":
                _, _, lo, hi = leaf.spec
                points |= {lo - 1, lo, hi, hi + 1}
            elif leaf.spec[0] == "in":
                for v in leaf.spec[2]:
                    points |= {int(v) - 1, int(v), int(v) + 1}
    return sorted(p for p in points if fact.lo <= p <= fact.hi)


def _domain(name: str, conditions: Iterable[Condition]) -> tuple[Any, ...]:
    """Values that between them show every way the conditions can treat this fact.

    Integers: each side of every boundary the conditions draw (the _probe_values idea), plus the
    ends of the range; enums: every value; booleans: both; lists: every subset.
    """
    fact = facts()[name]
    if fact.type == "int":
        return tuple(_int_points(name, conditions))
    if fact.type == "bool":
        return (True, False)
    if fact.type == "list":
        values = list(fact.values)
        return tuple(list(c) for r in range(len(values) + 1) for c in itertools.combinations(values, r))
    return tuple(fact.values)


def _profiles(conditions: Iterable[Condition | None]) -> Iterator[dict[str, Any]]:
    conds = [c for c in conditions if c is not None]
    names = sorted(set().union(*(c.fact_names() for c in conds)) if conds else set(), key=FACT_NAMES.index)
    domains = [_domain(n, conds) for n in names]
    size = 1
    for d in domains:
        size *= len(d)
    if size > MAX_CASES:
        raise _TooMany(size)
    for combo in itertools.product(*domains):
        yield dict(zip(names, combo, strict=False))


class _TooMany(Exception):
    pass


def _describe(profile: Mapping[str, Any]) -> str:
    known = facts()
    return "、".join(f"{known[n].label}为{known[n].value_label(v)}" for n, v in profile.items()) or "任何老人"


def _item(service: Service) -> str:
    return f"第{service.id}项“{service.name}”"


def _keeps_city_condition(spec: Any, city_spec: Any) -> bool:
    """`any: [<the city condition as written>, ...]`: wider by construction, nothing to enumerate."""
    return (
        isinstance(spec, Mapping)
        and list(spec) == ["any"]
        and isinstance(spec["any"], list)
        and city_spec in spec["any"]
    )


def _narrowing(service: Service, local: Condition, spec: Any = None) -> str | None:
    """A problem sentence if someone eligible under the city condition is not under the county's."""
    if spec is not None and _keeps_city_condition(spec, service.raw.get("condition")):
        return None
    try:
        for profile in _profiles([service.condition, local]):
            if service.condition.evaluate(profile) is True and local.evaluate(profile) is not True:
                return (
                    f"{_item(service)}的服务对象范围缩小了：例如{_describe(profile)}的老人按市级清单符合条件，"
                    f"按本清单却不符合；县区清单的覆盖范围不得低于市级清单。"
                )
    except _TooMany as exc:
        return (
            f"{_item(service)}的新条件涉及的情况太多（{exc.args[0]}种），无法自动核对是否缩小了服务对象范围，"
            f"请写成 any: [市级条件原文, 新增条件] 的形式，或请人工核对。"
        )
    return None


def _amount_key(a: Amount) -> str:
    return a.label or a.text or a.wording()


def _lower(city: Amount, local: Amount) -> bool:
    """Both numeric: a smaller value, or a floor/exact amount turned into a ceiling (不超过)."""
    return (local.value or 0) < (city.value or 0) or (local.ceiling and not city.ceiling)


def _amount_problems(service: Service, local: tuple[Amount, ...]) -> list[str]:
    """Every city amount must still be given, wherever it applied, at a value not lower."""
    problems = []
    for a in service.amounts:
        if a.value is None:
            candidates = [b for b in local if _amount_key(b) == _amount_key(a)]
        else:
            candidates = [
                b for b in local if b.value is not None and (b.unit, b.period, b.per) == (a.unit, a.period, a.per)
            ]
            if a.label and a.when is None:
                candidates = [b for b in candidates if b.label == a.label] or candidates
        whens = [a.when] + [b.when for b in candidates]
        try:
            for profile in _profiles(whens):
                if a.applies(profile) is not True or service.condition.evaluate(profile) is False:
                    continue
                applying = [b for b in candidates if b.applies(profile) is True]
                if not applying:
                    where = f"（{_describe(profile)}时）" if profile else ""
                    problems.append(
                        f"{_item(service)}删去了待遇“{a.wording()}”{where}；县区清单的实现程度不得低于市级清单。"
                    )
                    break
                same = [b for b in applying if a.label and b.label == a.label] or applying
                if a.value is None:
                    continue
                best = max(same, key=lambda b: (b.value, not b.ceiling))
                if _lower(a, best):
                    where = f"{_describe(profile)}时，" if profile else ""
                    problems.append(
                        f"{_item(service)}的标准降低了：{where}市级清单为“{a.wording()}”，"
                        f"本清单只有“{best.wording()}”；县区清单的标准不得低于市级清单。"
                    )
                    break
        except _TooMany:
            problems.append(f"{_item(service)}的金额分档太复杂，无法自动核对是否降低了标准，请按市级清单的分档写。")
            break
    return problems


def _definitions_for(kb: PolicyList, overlay: Overlay) -> Mapping[str, Condition]:
    if overlay.base_list != kb.id:
        raise OverlayError(f"{overlay.source or overlay.district}：差异文件基于清单 {overlay.base_list}，不是 {kb.id}")
    return kb.definitions


def _check_references(kb: PolicyList, overlay: Overlay) -> None:
    ids = {s.id for s in kb.services}
    where = overlay.source or overlay.district
    for item in list(overlay.changes) + list(overlay.remove):
        if item not in ids:
            raise OverlayError(f"{where}：市级清单没有第{item}项（共{len(ids)}项）")
    for addition in overlay.additions:
        if addition["id"] in ids:
            raise OverlayError(
                f"{where}：新增项目不能用市级清单已有的编号 {addition['id']}；改动已有项目请写在 changes 里"
            )
    for dept in overlay.offices:
        if dept not in kb.departments:
            raise OverlayError(
                f"{where}：offices 里的 {dept} 不是市级清单的牵头部门；允许：{', '.join(kb.departments)}"
            )
    known = set(kb.departments) | {o.name for o in overlay.offices.values()}
    for spec in list(overlay.changes.values()) + list(overlay.additions):
        named = spec.get("department")
        if named is not None and named not in known:
            raise OverlayError(f"{where}：第{spec['id']}项的牵头部门 {named} 不认识；允许：{', '.join(sorted(known))}")


def validate_overlay(kb: PolicyList, overlay: Overlay) -> list[str]:
    """Problems that make the county list lower than the city list, one Chinese sentence each ([] = OK).

    Checked: every city item is kept; no amount band is lowered or dropped; no target group is
    narrowed (every profile eligible under the city condition must stay eligible). Raises
    OverlayError when the overlay does not fit this list at all (unknown items, departments).
    """
    definitions = _definitions_for(kb, overlay)
    _check_references(kb, overlay)
    problems = []
    for service in kb.services:
        if service.id in overlay.remove:
            problems.append(f"{_item(service)}被删去了；县区清单应包含市级清单的全部服务项目。")
            continue
        change = overlay.changes.get(service.id)
        if not change:
            continue
        if "condition" in change:
            local = _check_condition(change["condition"], service.id, definitions, overlay.source)
            problem = _narrowing(service, local, change["condition"])
            if problem:
                problems.append(problem)
        if "amounts" in change:
            amounts = _check_amounts(change["amounts"], service.id, definitions, overlay.source)
            problems.extend(_amount_problems(service, amounts))
    return problems


# --- building the county list -------------------------------------------------------------------


def _office_text(text: str | None, dept: Department, office: Office) -> str | None:
    """Name the county office where the city text says 县级（人民）（政府）XX部门."""
    if not text or not dept.county_counterpart:
        return text
    pattern = "县级(?:人民)?(?:政府)?" + re.escape(dept.county_counterpart)
    return re.sub(pattern, office.name, text)


def _localise(raw: dict[str, Any], dept: Department, office: Office) -> dict[str, Any]:
    for key in ("content", "standard", "how_to_apply"):
        raw[key] = _office_text(raw.get(key), dept, office)
    how = raw.get("how_to_apply") or ""
    if office.name not in how:
        how = f"{how}；经办：{office.name}" if how else f"经办：{office.name}"
    if office.contact():
        how = f"{how}（{office.contact()}）"
    raw["how_to_apply"] = how
    raw["office"] = office.name  # shown as the result's `office`
    return raw


def apply_overlay(kb: PolicyList, overlay: Overlay, *, allow_example: bool = False) -> PolicyList:
    """The county's list: the city list with the overlay applied (a new PolicyList).

    Raises OverlayError if the overlay would lower the city list, or if it is an example and
    `allow_example` is not set: examples are never applied by default.
    """
    if overlay.example and not allow_example:
        raise OverlayError(f"{overlay.title}：这是示例文件（example: true），不是任何县区真实发布的清单，不能直接使用")
    problems = validate_overlay(kb, overlay)
    if problems:
        raise OverlayError(f"{overlay.district}清单低于市级清单（{len(problems)}处）：" + " ".join(problems))
    departments: dict[str, Department] = dict(kb.departments)
    for office in overlay.offices.values():
        departments.setdefault(office.name, Department(office.name, office.full_name, office.phone, office.address))
    city_doc = {"number": kb.number, "list_title": kb.list_title}
    county_doc = {"number": overlay.number or overlay.title, "list_title": overlay.list_title}
    services = []
    for service in kb.services:
        raw = dict(service.raw)
        raw.update({k: v for k, v in (overlay.changes.get(service.id) or {}).items() if k != "id"})
        local = overlay.offices.get(service.department.short_name)
        if local is not None and service.local_office:
            raw = _localise(raw, service.department, local)
        doc = (
            {"number": service.citation.document, "list_title": service.citation.list_title}
            if service.raw
            else city_doc
        )
        services.append(build_service(raw, doc, departments, kb.definitions))
    for addition in overlay.additions:
        services.append(build_service(dict(addition), county_doc, departments, kb.definitions))
    document = dict(kb.document)
    document.update(
        {
            "district": overlay.district,
            "overlay_title": overlay.title,
            "example": overlay.example,
            "base_list": kb.id,
            "county_number": overlay.number,
        }
    )
    return PolicyList(
        id=f"{kb.id}@{overlay.district}",
        number=kb.number,
        title=overlay.title,
        list_title=overlay.list_title,
        published=overlay.published or kb.published,
        effective_from=overlay.effective_from or kb.effective_from,
        effective_to=kb.effective_to,
        departments=departments,
        definitions=kb.definitions,
        services=tuple(sorted(services, key=lambda s: s.id)),
        raw_definitions=kb.raw_definitions,
        document=document,
    )


def overlay_folder(list_id: str = "changzhi-2024") -> Path:
    return DATA_DIR / list_id / "overlays"


def published_overlays(list_id: str = "changzhi-2024") -> dict[str, Overlay]:
    """The real (non-example) county overlays shipped for a list, by district. Examples are skipped."""
    out = {}
    folder = overlay_folder(list_id)
    for path in sorted(folder.glob("*.yaml")) if folder.is_dir() else ():
        overlay = load_overlay(path)
        if not overlay.example:
            out[overlay.district] = overlay
    return out


def county_list(district: str | None, kb: PolicyList | None = None) -> PolicyList:
    """The list that applies in a district: its configured overlay on the city list, else the city list.

    The overlays are those of the settings (policy_kb.sources: POLICY_KB_OVERLAYS) and the real
    (non-example) ones shipped beside the list.
    """
    from .sources import catalog

    cat = catalog()
    return cat.for_district(kb or cat.in_force(), district)
