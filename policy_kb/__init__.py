"""The 长治市基本养老服务清单 as cited data, and a three-valued eligibility engine.

from policy_kb import evaluate
evaluate({"age": 83, "economic_status": "minimum_living"})
"""

from __future__ import annotations

from typing import Any

from .engine import decide, evaluate, next_facts
from .facts import FACT_NAMES, ProfileError, facts, validate_profile
from .kb import list_in_force, load_kb

__all__ = [
    "FACT_NAMES",
    "ProfileError",
    "decide",
    "evaluate",
    "facts",
    "get_service",
    "list_in_force",
    "list_services",
    "load_kb",
    "next_facts",
    "validate_profile",
]


def list_services() -> list[dict[str, Any]]:
    return [s.as_dict() for s in load_kb().services]


def get_service(service_id: int) -> dict[str, Any] | None:
    service = load_kb().service(service_id)
    return service.as_dict() if service else None
