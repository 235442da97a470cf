"""The YAML case files in cases/ are the specification: each case is a profile and what the
list (read as contract section 3 says) gives that elder. These tests check the engine against
them, and check that the cases between them exercise every item, branch and age boundary."""

from __future__ import annotations

import pytest
from kb_cases import load_cases

from policy_kb import evaluate
from policy_kb.conditions import All, Any_, Condition, Leaf, Not
from policy_kb.kb import load_kb

_KB = load_kb()
_CASES = load_cases([s.id for s in _KB.services])


def _status(result, sid):
    return next(s["status"] for s in result["services"] if s["id"] == sid)


@pytest.mark.parametrize("case", _CASES, ids=[c.id for c in _CASES])
def test_case(case):
    result = evaluate(case.profile)
    got = {s["id"]: s["status"] for s in result["services"]}
    wrong = {sid: (want, got[sid]) for sid, want in case.expected.items() if got[sid] != want}
    assert not wrong, f"{case.description}: (expected, got) by service {wrong}"
    # the id lists agree with the statuses, in list order
    assert result["eligible"] == sorted(i for i, s in case.expected.items() if s == "eligible")
    assert result["possible"] == sorted(i for i, s in case.expected.items() if s == "possible")
    spec = case.spec
    if "next_facts" in spec:
        assert result["next_facts"] == spec["next_facts"], case.description
    if "next_facts_first" in spec:
        assert result["next_facts"][:1] == [spec["next_facts_first"]], case.description
    for fact in spec.get("next_facts_includes") or []:
        assert fact in result["next_facts"], case.description
    for fact in spec.get("next_facts_excludes") or []:
        assert fact not in result["next_facts"], case.description
    services = {s["id"]: s for s in result["services"]}
    for sid, parts in (spec.get("amount_contains") or {}).items():
        for part in parts:
            assert part in services[sid]["amount"], f"{case.description}: item {sid} amount {services[sid]['amount']!r}"
    for sid, parts in (spec.get("amount_excludes") or {}).items():
        for part in parts:
            assert part not in services[sid]["amount"], (
                f"{case.description}: item {sid} amount {services[sid]['amount']!r}"
            )
    for sid, text in (spec.get("change_contains") or {}).items():
        assert text in (services[sid]["change"] or ""), (
            f"{case.description}: item {sid} change {services[sid]['change']!r}"
        )


def test_every_item_is_eligible_possible_and_not_eligible_somewhere():
    for service in _KB.services:
        seen = {c.expected[service.id] for c in _CASES}
        assert seen == {"eligible", "possible", "ineligible"}, f"item {service.id} only {seen} in the cases"


def test_every_item_with_an_amount_band_has_each_band_checked():
    """Each amount that applies only to some elders (a `when`) appears in some case's amount_contains."""
    for service in _KB.services:
        for amount in service.amounts:
            if amount.when is None or amount.value is None:
                continue
            words = amount.wording().split("：")[-1]
            assert any(
                words in part for c in _CASES for part in (c.spec.get("amount_contains") or {}).get(service.id, [])
            ), f"item {service.id}: no case checks the band {amount.wording()}"


def _obligations(cond: Condition, path: str = "") -> list[tuple[str, Condition, tuple[Condition, ...], Condition]]:
    """(where, parent, siblings, child) for every child of every All / Any node."""
    out = []
    if isinstance(cond, (All, Any_)):
        for i, child in enumerate(cond.children):
            out.append((f"{path}/{type(cond).__name__}[{i}]", cond, cond.children, child))
            out.extend(_obligations(child, f"{path}/{type(cond).__name__}[{i}]"))
    elif isinstance(cond, Not):
        out.extend(_obligations(cond.child, path + "/not"))
    return out


@pytest.mark.parametrize("service", _KB.services, ids=lambda s: f"item{s.id}")
def test_every_branch_of_every_condition_decides_some_case(service):
    """Coverage of the specification (MC/DC-like): for every requirement of an `all`, some case
    fails that requirement alone and the item is not eligible; for every branch of an `any`,
    some case meets that branch alone and the item is eligible."""
    missing = []
    for where, parent, siblings, child in _obligations(service.condition):
        found = False
        for case in _CASES:
            p = case.known
            if child.evaluate(p) is not (False if isinstance(parent, All) else True):
                continue
            others = [s.evaluate(p) for s in siblings if s is not child]
            want_other = True if isinstance(parent, All) else False
            if all(v is want_other for v in others) and case.expected[service.id] == (
                "ineligible" if isinstance(parent, All) else "eligible"
            ):
                found = True
                break
        if not found:
            label = child.label if isinstance(child, Leaf) else type(child).__name__
            missing.append(f"{where} ({label})")
    assert not missing, f"item {service.id}: no case where these alone decide the result: {missing}"


def _age_boundaries():
    points = set()
    for service in _KB.services:
        conds = [service.condition] + [a.when for a in service.amounts if a.when is not None]
        for cond in conds:
            for leaf in cond.leaves():
                if leaf.fact == "age" and leaf.spec[0] == "range":
                    _, _, lo, hi = leaf.spec
                    points.add(lo)
                    if hi < 130:
                        points.add(hi + 1)
    return points


def test_the_lists_age_boundaries_are_the_ones_the_text_draws():
    # 60 (most items), 65 (5, 6, 7, 24 and item 4's band), 80 (8, 9), 90 and 100 (item 8's bands)
    assert _age_boundaries() == {60, 65, 80, 90, 100}


@pytest.mark.parametrize("boundary", sorted(_age_boundaries()))
def test_cases_cover_both_sides_of_every_age_boundary(boundary):
    ages = {c.known.get("age") for c in _CASES}
    assert {boundary - 1, boundary} <= ages
