"""Conditions over profile facts, evaluated in three values.

A condition is True (holds whatever the unknown facts are), False (fails whatever
they are) or None (depends on unknown facts). Kleene's logic keeps this sound and
monotone: learning a fact can turn None into True or False, never True into False.

YAML forms (see policy_kb/data/*/definitions.yaml):
  {fact: age, min: 60}                      integer range (min/max inclusive)
  {fact: economic_status, in: [a, b]}       membership
  {fact: employee_pension_retired, is: true}
  {all: [...]}, {any: [...]}, {not: {...}}  combinations
  {use: age_60}                             a named definition
Every leaf carries `label` (the requirement in plain words) and may carry `hint`
(what would change a failed result, e.g. 满80周岁后可申请).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from .facts import facts

Tri = bool | None


class Condition:
    def evaluate(self, profile: Mapping[str, Any]) -> Tri:  # pragma: no cover - abstract
        raise NotImplementedError

    def leaves(self) -> Iterable[Leaf]:  # pragma: no cover - abstract
        raise NotImplementedError

    def fact_names(self) -> frozenset[str]:
        return frozenset(leaf.fact for leaf in self.leaves())


@dataclass(frozen=True, eq=False)
class Leaf(Condition):
    fact: str
    test: Callable[[Any], bool]
    label: str
    hint: str | None
    spec: tuple  # hashable description, used by overlay validation and storage

    def evaluate(self, profile: Mapping[str, Any]) -> Tri:
        value = profile.get(self.fact)
        if value is None:
            return None
        return self.test(value)

    def leaves(self) -> Iterable[Leaf]:
        yield self


@dataclass(frozen=True, eq=False)
class All(Condition):
    children: tuple[Condition, ...]

    def evaluate(self, profile: Mapping[str, Any]) -> Tri:
        result: Tri = True
        for child in self.children:
            value = child.evaluate(profile)
            if value is False:
                return False
            if value is None:
                result = None
        return result

    def leaves(self) -> Iterable[Leaf]:
        for child in self.children:
            yield from child.leaves()


@dataclass(frozen=True, eq=False)
class Any_(Condition):
    children: tuple[Condition, ...]

    def evaluate(self, profile: Mapping[str, Any]) -> Tri:
        result: Tri = False
        for child in self.children:
            value = child.evaluate(profile)
            if value is True:
                return True
            if value is None:
                result = None
        return result

    def leaves(self) -> Iterable[Leaf]:
        for child in self.children:
            yield from child.leaves()


@dataclass(frozen=True, eq=False)
class Not(Condition):
    child: Condition

    def evaluate(self, profile: Mapping[str, Any]) -> Tri:
        value = self.child.evaluate(profile)
        return None if value is None else not value

    def leaves(self) -> Iterable[Leaf]:
        yield from self.child.leaves()


class ConditionError(ValueError):
    pass


def _between(lo: int, hi: int) -> Callable[[Any], bool]:
    return lambda v: lo <= v <= hi


def _overlaps(allowed: frozenset[Any]) -> Callable[[Any], bool]:
    return lambda v: bool(allowed.intersection(v))


def _member(allowed: frozenset[Any]) -> Callable[[Any], bool]:
    return lambda v: v in allowed


def _equals(want: Any) -> Callable[[Any], bool]:
    return lambda v: v == want


def _leaf(spec: Mapping[str, Any]) -> Leaf:
    name = spec["fact"]
    fact = facts().get(name)
    if fact is None:
        raise ConditionError(f"unknown fact {name!r} in condition {dict(spec)}")
    label = spec.get("label") or fact.label
    hint = spec.get("hint")
    if "min" in spec or "max" in spec:
        lo = spec.get("min", fact.min if fact.min is not None else -(10**9))
        hi = spec.get("max", fact.max if fact.max is not None else 10**9)
        return Leaf(name, _between(lo, hi), label, hint, ("range", name, lo, hi))
    if "in" in spec:
        allowed = frozenset(spec["in"])
        unknown = allowed - set(fact.values)
        if unknown:
            raise ConditionError(f"values {sorted(map(str, unknown))} are not allowed for {name}")
        if fact.type == "list":  # a list fact holds when any of its items is allowed
            return Leaf(name, _overlaps(allowed), label, hint, ("in", name, tuple(sorted(allowed))))
        return Leaf(name, _member(allowed), label, hint, ("in", name, tuple(sorted(map(str, allowed)))))
    if "is" in spec:
        want = spec["is"]
        return Leaf(name, _equals(want), label, hint, ("is", name, want))
    raise ConditionError(f"leaf needs min/max, in or is: {dict(spec)}")


def parse(spec: Any, definitions: Mapping[str, Condition] | None = None) -> Condition:
    """Build a Condition from its YAML form."""
    definitions = definitions or {}
    if isinstance(spec, list):
        return All(tuple(parse(s, definitions) for s in spec))
    if not isinstance(spec, Mapping):
        raise ConditionError(f"a condition must be a mapping or a list, not {spec!r}")
    if "use" in spec:
        try:
            return definitions[spec["use"]]
        except KeyError:
            raise ConditionError(f"unknown definition {spec['use']!r}") from None
    if "all" in spec:
        return All(tuple(parse(s, definitions) for s in spec["all"]))
    if "any" in spec:
        return Any_(tuple(parse(s, definitions) for s in spec["any"]))
    if "not" in spec:
        return Not(parse(spec["not"], definitions))
    return _leaf(spec)


def parse_definitions(raw: Mapping[str, Any]) -> dict[str, Condition]:
    """Named conditions; later ones may use earlier ones."""
    out: dict[str, Condition] = {}
    for name, spec in (raw or {}).items():
        out[name] = parse(spec, out)
    return out


def explain(cond: Condition, profile: Mapping[str, Any]) -> tuple[list[Leaf], list[Leaf], list[Leaf]]:
    """Split the leaves that decide `cond` into (met, failed, unknown), in reading order.

    Only leaves that matter are reported: in an `any` that holds, the branch that holds;
    in one that fails, every branch's failures.
    """
    met: list[Leaf] = []
    failed: list[Leaf] = []
    unknown: list[Leaf] = []

    def walk(c: Condition, positive: bool) -> None:
        if isinstance(c, Leaf):
            value = c.evaluate(profile)
            if value is None:
                unknown.append(c)
            elif value == positive:
                met.append(c)
            else:
                failed.append(c)
            return
        if isinstance(c, Not):
            walk(c.child, not positive)
            return
        conj = isinstance(c, All) == positive  # an All, or a negated Any, behaves as a conjunction
        assert isinstance(c, (All, Any_))
        kids = c.children
        if conj:
            for k in kids:
                walk(k, positive)
            return
        # disjunction: report the branch that holds, else all branches
        for k in kids:
            if k.evaluate(profile) is (True if positive else False):
                walk(k, positive)
                return
        for k in kids:
            walk(k, positive)

    walk(cond, True)
    return met, failed, unknown
