"""Loading the YAML case files of cases/ (the specification of the list's readings)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

CASES_DIR = Path(__file__).parent / "cases"
STATUSES = {"eligible": "eligible", "possible": "possible", "not_eligible": "ineligible"}
CASE_KEYS = {
    "description",
    "profile",
    "eligible",
    "possible",
    "not_eligible",
    "rest",
    "next_facts",
    "next_facts_first",
    "next_facts_includes",
    "next_facts_excludes",
    "amount_contains",
    "amount_excludes",
    "change_contains",
}


@dataclass
class Case:
    file: str
    index: int
    description: str
    profile: dict[str, Any]  # may hold None (= unknown, as a caller may send it)
    expected: dict[int, str]  # service id -> eligible | possible | ineligible
    spec: dict[str, Any] = field(repr=False, default_factory=dict)

    @property
    def id(self) -> str:
        return f"{self.file}#{self.index}"

    @property
    def known(self) -> dict[str, Any]:
        return {k: v for k, v in self.profile.items() if v is not None}


def load_cases(service_ids: list[int]) -> list[Case]:
    cases = []
    for path in sorted(CASES_DIR.glob("*.yaml")):
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
        base = raw.get("base") or {}
        for i, spec in enumerate(raw["cases"]):
            unknown = set(spec) - CASE_KEYS
            assert not unknown, f"{path.name} case {i}: unknown keys {unknown}"
            expected: dict[int, str] = {}
            for key, status in STATUSES.items():
                for sid in spec.get(key) or []:
                    assert sid in service_ids, f"{path.name} case {i}: no service {sid}"
                    assert sid not in expected, f"{path.name} case {i}: service {sid} listed twice"
                    expected[sid] = status
            rest = spec.get("rest")
            if rest:
                for sid in service_ids:
                    expected.setdefault(sid, STATUSES[rest])
            assert sorted(expected) == service_ids, (
                f"{path.name} case {i}: every service needs an expected status (or `rest:`); "
                f"missing {sorted(set(service_ids) - set(expected))}"
            )
            cases.append(
                Case(path.name, i, spec["description"], {**base, **(spec.get("profile") or {})}, expected, spec)
            )
    return cases
