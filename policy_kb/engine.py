"""Deciding which services apply to a profile, with reasons, amounts and the next useful questions."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from functools import lru_cache
from operator import itemgetter
from typing import Any

from .amounts import amount_for
from .conditions import All, Any_, Condition, Leaf, Not, explain
from .facts import FACT_NAMES, facts, validate_profile
from .kb import PolicyList, Service
from .sources import catalog

ELIGIBLE, POSSIBLE, INELIGIBLE = "eligible", "possible", "ineligible"
_STATUS = {True: ELIGIBLE, None: POSSIBLE, False: INELIGIBLE}


def open_facts(cond: Condition, profile: Mapping[str, Any]) -> set[str]:
    """Unknown facts in the parts of `cond` that are still undecided."""
    if cond.evaluate(profile) is not None:
        return set()
    if isinstance(cond, Leaf):
        return {cond.fact}
    if isinstance(cond, Not):
        return open_facts(cond.child, profile)
    assert isinstance(cond, (All, Any_))
    out: set[str] = set()
    for child in cond.children:
        out |= open_facts(child, profile)
    return out


@lru_cache(maxsize=64)
def _probe_values(kb: PolicyList) -> dict[str, tuple[Any, ...]]:
    """Values worth trying for each fact: every enum value; for integers, both sides of each boundary."""
    points: dict[str, set[int]] = {}
    for service in kb.services:
        for leaf in service.condition.leaves():
            if leaf.spec[0] == "range":
                _, name, lo, hi = leaf.spec
                points.setdefault(name, set()).update({lo - 1, lo, hi, hi + 1})
    out: dict[str, tuple[Any, ...]] = {}
    for name, fact in facts().items():
        if fact.type == "int":
            pts = points.get(name, set()) | set(fact.values)
            out[name] = tuple(sorted(p for p in pts if fact.lo <= p <= fact.hi)) or (fact.lo,)
        elif fact.type == "bool":
            out[name] = (True, False)
        elif fact.type == "list":
            out[name] = ([],) + tuple([v] for v in fact.values)
        else:
            out[name] = tuple(fact.values)
    return out


def _decides(service: Service, profile: Mapping[str, Any], fact: str, values: Iterable[Any]) -> bool:
    trial = dict(profile)
    for value in values:
        trial[fact] = value
        if service.condition.evaluate(trial) is not None:
            return True
    return False


def next_facts(kb: PolicyList, profile: Mapping[str, Any], undecided: Iterable[Service]) -> list[str]:
    """Unknown facts that can still change a result, most useful first.

    Most useful = settles the most undecided services on its own; then appears in the most of them;
    then the easier question (facts.yaml `ease`).
    """
    probes = _probe_values(kb)
    decisive: dict[str, int] = {}
    appears: dict[str, int] = {}
    for service in undecided:
        for fact in open_facts(service.condition, profile):
            appears[fact] = appears.get(fact, 0) + 1
            if _decides(service, profile, fact, probes[fact]):
                decisive[fact] = decisive.get(fact, 0) + 1
    ease = facts()
    return sorted(appears, key=lambda f: (-decisive.get(f, 0), -appears[f], ease[f].ease))


def _years_until(leaf: Leaf, profile: Mapping[str, Any]) -> str | None:
    if leaf.spec[0] == "range" and leaf.fact == "age" and profile.get("age") is not None:
        lo = leaf.spec[2]
        gap = lo - profile["age"]
        if gap > 0:
            return f"还差{gap}年满{lo}周岁，到时可以申请"
    return None


def explain_service(service: Service, profile: Mapping[str, Any], status: str) -> dict[str, Any]:
    met, failed, unknown = explain(service.condition, profile)
    cite = service.citation.text()
    if status == ELIGIBLE:
        why = f"老人{'，'.join(leaf.label for leaf in met)}，符合{cite}。"
        change = None
    elif status == POSSIBLE:
        done = f"老人{'，'.join(leaf.label for leaf in met)}；" if met else ""
        why = f"{done}还要看：{'；'.join(dict.fromkeys(leaf.label for leaf in unknown))}（{cite}）。"
        change = "确认以上情况后就能判断。"
    else:
        why = f"不符合：{'；'.join(dict.fromkeys(leaf.label for leaf in failed))}（{cite}）。"
        hints = [_years_until(leaf, profile) or leaf.hint for leaf in failed]
        change = "；".join(dict.fromkeys(h for h in hints if h)) or None
    missing = [f for f in dict.fromkeys(leaf.fact for leaf in unknown)] if status == POSSIBLE else []
    return {"why": why, "change": change, "missing": missing}


def service_result(service: Service, profile: Mapping[str, Any], status: str) -> dict[str, Any]:
    detail = explain_service(service, profile, status)
    return {
        "id": service.id,
        "name": service.name,
        "status": status,
        "department": service.department.short_name,
        "department_full": service.department.full_name,
        "service_type": service.service_type,
        "amount": amount_for(service.amounts, profile),
        "why": detail["why"],
        "change": detail["change"],
        "missing": detail["missing"],
        "summary": service.summary,
        "how_to_apply": service.how_to_apply,
        "citation": service.citation.full(),
        "local_office": service.local_office,  # the list gives it to a county-level office
        "office": service.office,  # that office by name when a county list gives it, else None
    }


def _key_facts(service: Service) -> tuple[str, ...]:
    """Facts a service's status, reasons and amount depend on."""
    names = set(service.facts)
    for amount in service.amounts:
        if amount.when is not None:
            names |= amount.when.fact_names()
    return tuple(sorted(names))


def _freeze(value: Any) -> Any:
    return tuple(value) if isinstance(value, list) else value


_Getter = Callable[[Any], Any]


def _one(i: int) -> _Getter:
    return lambda v: (v[i],)


class _Plan:
    """Per list: which facts each service's result depends on, and a cache of its results.

    A service's result depends only on its own few facts, so it is computed once per distinct
    combination of them; real profiles repeat those small combinations constantly. Services that
    depend on the same facts (e.g. the eight that read only `age`) share one cache entry.
    """

    MAX_ENTRIES = 50_000  # per group of services; beyond it the cache is simply cleared

    def __init__(self, kb: PolicyList):
        self.services = kb.services
        # list facts are frozen to tuples so that they can be part of a cache key
        self.list_facts = tuple(i for i, n in enumerate(FACT_NAMES) if facts()[n].type == "list")
        by_facts: dict[tuple[str, ...], list[int]] = {}
        for position, service in enumerate(kb.services):
            by_facts.setdefault(_key_facts(service), []).append(position)
        self.groups: list[tuple[tuple[str, ...], _Getter, tuple[Service, ...], dict[Any, Any]]] = []
        flat: list[int] = []
        for names, positions in by_facts.items():
            idx = [FACT_NAMES.index(n) for n in names]
            getter: _Getter
            if len(idx) > 1:
                getter = itemgetter(*idx)
            elif idx:
                getter = _one(idx[0])
            else:  # a condition reading no fact (never in the published list, possible in an added item)
                getter = lambda v: ()
            self.groups.append((names, getter, tuple(kb.services[p] for p in positions), {}))
            flat.extend(positions)
        # from the results in group order back to list order
        where = {position: i for i, position in enumerate(flat)}
        order = [where[p] for p in range(len(kb.services))]
        self.reorder: _Getter = itemgetter(*order) if len(order) > 1 else (lambda r: tuple(r[:1]))

    def results(self, clean: Mapping[str, Any]) -> list[dict[str, Any]]:
        get = clean.get
        values = [get(f) for f in FACT_NAMES]
        for i in self.list_facts:
            if values[i] is not None:
                values[i] = _freeze(values[i])
        flat: list[dict[str, Any]] = []
        extend = flat.extend
        for names, getter, services, cache in self.groups:
            key = getter(values)
            found = cache.get(key)
            if found is None:
                if len(cache) >= self.MAX_ENTRIES:
                    cache.clear()
                profile = {
                    n: list(v) if isinstance(v, tuple) else v for n, v in zip(names, key, strict=False) if v is not None
                }
                found = cache[key] = tuple(
                    service_result(service, profile, _STATUS[service.condition.evaluate(profile)])
                    for service in services
                )
            extend(found)
        return list(self.reorder(flat))


@lru_cache(maxsize=64)  # the city lists and their county lists
def _plan(kb: PolicyList) -> _Plan:
    return _Plan(kb)


def _results(kb: PolicyList, clean: Mapping[str, Any]) -> list[dict[str, Any]]:
    return _plan(kb).results(clean)


def _lists(clean: Mapping[str, Any], on: dt.date | None) -> tuple[PolicyList, PolicyList]:
    """(the city list in force on the day, the list that answers: its county list for the district)."""
    cat = catalog()
    base = cat.in_force(on)
    return base, cat.for_district(base, clean.get("district"))


def decide(profile: Mapping[str, Any], kb: PolicyList | None = None, on: dt.date | None = None) -> dict[int, str]:
    """Only the statuses, for a validated profile."""
    kb = kb or _lists(profile, on)[1]
    return {r["id"]: r["status"] for r in _results(kb, profile)}


def _list_info(kb: PolicyList) -> dict[str, Any]:
    overlay = None
    if "district" in kb.document:
        overlay = {"district": kb.document["district"], "title": kb.title, "example": bool(kb.document.get("example"))}
    return {
        "id": kb.id,
        "number": kb.number,
        "published": kb.published.isoformat(),
        "title": kb.list_title,
        "effective_from": kb.effective_from.isoformat(),
        "overlay": overlay,
    }


def _answer(results: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
    """What an elder is told: each status, and for services that may apply, amount and where to go."""
    return [
        (r["id"], r["status"]) + (() if r["status"] == INELIGIBLE else (r["amount"], r["how_to_apply"], r["office"]))
        for r in results
    ]


def evaluate(
    profile: Mapping[str, Any], kb: PolicyList | None = None, validated: bool = False, on: dt.date | None = None
) -> dict[str, Any]:
    """Contract section 4: eligible / possible ids, next_facts and every service with its reasons.

    Without `kb`, the list in force on `on` (today) answers, as the county list of the elder's
    `district` when an overlay is configured for it (policy_kb.sources); `list` says which.
    """
    clean = dict(profile) if validated else validate_profile(profile)
    counties: list[PolicyList] = []
    if kb is None:
        base, kb = _lists(clean, on)
        if "district" not in clean:
            counties = catalog().counties(base)
    results = _results(kb, clean)
    eligible: list[int] = []
    possible: list[int] = []
    for r in results:
        status = r["status"]
        if status == ELIGIBLE:
            eligible.append(r["id"])
        elif status == POSSIBLE:
            possible.append(r["id"])
    asks = next_facts(kb, clean, [s for s in kb.services if s.id in possible]) if possible else []
    if counties and any(_answer(_results(county, clean)) != _answer(results) for county in counties):
        asks.append("district")  # a configured county list would answer differently
    return {
        "eligible": eligible,
        "possible": possible,
        "next_facts": asks,
        "services": list(map(dict.copy, results)),  # shallow copies: callers may annotate them
        "list": _list_info(kb),
    }
