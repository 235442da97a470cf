"""Properties of the three-valued engine, checked on generated profiles (hypothesis).

* eligible = holds for every value of the unknown facts; possible = holds for some and fails for
  some; not eligible = fails for every value (contract 4), checked by trying the values;
* revealing a fact never turns eligible into not eligible or back (monotone);
* a fact not in next_facts changes no status when revealed, whatever its value;
* every fact in next_facts can change some result;
* caching, null values and list order make no difference.
"""

from __future__ import annotations

import itertools

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from policy_kb import engine
from policy_kb.engine import evaluate
from policy_kb.facts import FACT_NAMES, facts
from policy_kb.kb import load_kb

KB = load_kb()
PROBES = engine._probe_values(KB)  # every enum value; both sides of every integer boundary
SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _value(name):
    fact = facts()[name]
    if fact.type == "int":
        return st.one_of(st.sampled_from(PROBES[name]), st.integers(fact.min, fact.max))
    if fact.type == "bool":
        return st.booleans()
    if fact.type == "list":
        return st.lists(st.sampled_from(list(fact.values)), unique=True)
    return st.sampled_from(list(fact.values))


VALUES = {name: _value(name) for name in FACT_NAMES}
profiles = st.fixed_dictionaries({}, optional=VALUES)


def statuses(profile, kb=KB):
    return {s["id"]: s["status"] for s in evaluate(profile, kb)["services"]}


def completions(service, profile):
    """Every way to fill the service's unknown facts with the probe values."""
    unknown = sorted(f for f in service.facts if f not in profile)
    for combo in itertools.product(*(PROBES[f] for f in unknown)):
        yield {**profile, **dict(zip(unknown, combo, strict=False))}


@SETTINGS
@given(profiles)
def test_statuses_mean_what_the_contract_says(profile):
    for sid, status in statuses(profile).items():
        service = KB.service(sid)
        outcomes = {service.condition.evaluate(full) for full in completions(service, profile)}
        assert None not in outcomes  # a completion leaves no fact of the service unknown
        if status == "eligible":
            assert outcomes == {True}, (sid, profile)
        elif status == "ineligible":
            assert outcomes == {False}, (sid, profile)
        else:  # possible: holds for some values of the unknown facts, fails for others
            assert outcomes == {True, False}, (sid, profile)


@SETTINGS
@given(profiles, st.data())
def test_revealing_a_fact_never_reverses_a_decided_status(profile, data):
    unknown = [f for f in FACT_NAMES if f not in profile]
    if not unknown:
        return
    fact = data.draw(st.sampled_from(unknown))
    value = data.draw(VALUES[fact])
    before, after = statuses(profile), statuses({**profile, fact: value})
    for sid, status in before.items():
        if status != "possible":
            assert after[sid] == status, (sid, fact, value)


@SETTINGS
@given(profiles)
def test_a_fact_outside_next_facts_changes_no_status(profile):
    result = evaluate(profile)
    before = statuses(profile)
    asked = set(result["next_facts"])
    for fact in FACT_NAMES:
        if fact in profile or fact in asked:
            continue
        for value in PROBES[fact]:
            assert statuses({**profile, fact: value}) == before, (fact, value)


@SETTINGS
@given(profiles)
def test_every_fact_in_next_facts_can_change_a_result(profile):
    result = evaluate(profile)
    assert len(set(result["next_facts"])) == len(result["next_facts"])
    assert bool(result["next_facts"]) == bool(result["possible"])
    for fact in result["next_facts"]:
        assert fact not in profile
        changes = False
        for sid in result["possible"]:
            service = KB.service(sid)
            if fact not in service.facts:
                continue
            others = {k: v for k, v in profile.items()}
            rest = sorted(f for f in service.facts if f not in profile and f != fact)
            for combo in itertools.product(*(PROBES[f] for f in rest)):
                trial = {**others, **dict(zip(rest, combo, strict=False))}
                if len({service.condition.evaluate({**trial, fact: v}) for v in PROBES[fact]}) > 1:
                    changes = True
                    break
            if changes:
                break
        assert changes, f"{fact} is asked but no value of it changes any result for {profile}"


@SETTINGS
@given(profiles)
def test_eligible_and_possible_lists_match_the_services(profile):
    result = evaluate(profile)
    by_status = {}
    for s in result["services"]:
        by_status.setdefault(s["status"], []).append(s["id"])
    assert result["eligible"] == by_status.get("eligible", [])
    assert result["possible"] == by_status.get("possible", [])
    assert [s["id"] for s in result["services"]] == [s.id for s in KB.services]
    for s in result["services"]:
        if s["status"] == "possible":
            assert s["missing"] and set(s["missing"]) <= set(FACT_NAMES) - set(profile)
        else:
            assert s["missing"] == []
        assert s["why"] and f"第{s['id']}项" in s["why"]


@SETTINGS
@given(profiles)
def test_cached_and_fresh_results_agree(profile):
    cached = evaluate(profile)
    engine._plan.cache_clear()
    fresh = evaluate(profile)
    assert cached == fresh


@SETTINGS
@given(profiles, st.data())
def test_null_means_unknown_and_list_order_does_not_matter(profile, data):
    nulls = data.draw(st.lists(st.sampled_from([f for f in FACT_NAMES if f not in profile] or ["age"]), unique=True))
    with_nulls = {**profile, **{f: None for f in nulls if f not in profile}}
    assert evaluate(with_nulls) == evaluate(profile)
    if profile.get("chronic_conditions"):
        shuffled = {**profile, "chronic_conditions": list(reversed(profile["chronic_conditions"])) * 2}
        assert evaluate(shuffled) == evaluate(profile)


@SETTINGS
@given(profiles)
def test_results_are_copies_callers_may_change(profile):
    first = evaluate(profile)
    for s in first["services"]:
        s["status"] = "tampered"
    assert all(s["status"] != "tampered" for s in evaluate(profile)["services"])
