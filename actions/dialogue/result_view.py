"""One result, structured: what every channel renders (contract: the `custom` result payload).

Built from the engine's answer (policy_kb.evaluate) and the message catalogue only; channels take
every label and service name from here and never write their own. Order is what matters to a
family: services that pay money first, then the rest by department, then what still needs checking.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import quote

from actions.dialogue import replies
from actions.dialogue.messages import msg
from policy_kb import load_kb
from policy_kb.facts import facts

LABEL_KEYS = (
    "money",
    "other",
    "possible",
    "undecided",
    "read_all",
    "read_one",
    "details",
    "share",
    "print",
    "edit",
    "amount",
    "office",
    "how",
    "why",
    "missing",
    "citation",
    "disclaimer",
)


def _yuan(value: float) -> str:
    return f"{value:g}"


def _money(sid: int, profile: Mapping[str, Any]) -> tuple[bool, float]:
    """(pays money, the least it pays a month in 元: amounts that surely apply and are monthly)."""
    pays, monthly = False, 0.0
    for amount in replies.service(sid).amounts:
        if amount.unit != "元" or amount.applies(profile) is False:
            continue
        pays = True
        if amount.period == "月" and amount.value is not None and amount.applies(profile) is True:
            monthly = max(monthly, float(amount.value))  # parts of one service are alternatives
    return pays, monthly


def pays_money(sid: int, profile: Mapping[str, Any]) -> bool:
    """The service pays money (an amount in 元 that may apply to this elder)."""
    return _money(sid, profile)[0]


def _card(s: Mapping[str, Any], profile: Mapping[str, Any]) -> dict[str, Any]:
    svc = replies.service(s["id"])
    pays, monthly = _money(s["id"], profile) if s["status"] == "eligible" else (False, 0.0)
    office = replies.office(svc, profile.get("district"), s.get("office"))
    missing = [facts()[f].label for f in s.get("missing") or [] if f in facts()]
    amounts = [a for a in (s.get("amount") or "").split("；") if a]
    spoken = msg(
        "result_card_spoken",
        name=s["name"],
        amount=("，" + amounts[0]) if amounts else "",
        office=svc.department.full_name,
    )
    return {
        "id": s["id"],
        "name": s["name"],
        "status": s["status"],
        "money": pays,
        "monthly": monthly or None,
        "amount": s.get("amount") or "",
        "amounts": amounts,
        "department": svc.department.full_name,
        "office": office,
        "why": s.get("why") or "",
        "missing": missing,
        "how_to_apply": s.get("how_to_apply") or svc.how_to_apply or "",
        "citation": msg("result_citation", item=s["id"]),
        "spoken": spoken,
    }


def share_fragment(profile: Mapping[str, Any]) -> str:
    """The facts as a URL fragment (`age=83&economic_status=minimum_living&homeless=false`, a list
    comma-joined): the take-home page reads them in the browser; a fragment never reaches the server."""
    parts = []
    for name, value in profile.items():
        if name not in facts():
            continue
        if isinstance(value, bool):
            text = "true" if value else "false"
        elif isinstance(value, (list, tuple)):
            text = ",".join(map(str, value))
        else:
            text = str(value)
        parts.append(f"{name}={quote(text, safe='')}")
    return "&".join(parts)


# `spoken` is read aloud whole (kiosk, 朗读): at most this many characters, about 40 s with the
# kiosk's espeak-ng at its default speed (tests/kiosk/test_spoken_result.py measures it)
SPOKEN_MAX_CHARS = 110


def _spoken_money(money: list[dict[str, Any]], used: int) -> str:
    """能领钱的是：… with as many money services (name, first amount) as fit in SPOKEN_MAX_CHARS;
    the rest are on the screen (the headline has said how many)."""
    items = [f"{c['name']}，{c['amounts'][0]}" if c["amounts"] else c["name"] for c in money]
    said: list[str] = []
    for item in items:
        if said and used + len(msg("result_spoken_some", items="；".join([*said, item]))) > SPOKEN_MAX_CHARS:
            break
        said.append(item)
    key = "result_spoken_money" if len(said) == len(items) else "result_spoken_some"
    return msg(key, items="；".join(said))


def build(result: Mapping[str, Any], profile: Mapping[str, Any], declined: Iterable[str] = ()) -> dict[str, Any]:
    """The structured result: headline, money first, one group per office, what to confirm."""
    load_kb()
    by_id = {s["id"]: s for s in result["services"]}
    eligible = [_card(by_id[i], profile) for i in result["eligible"] if i in by_id]
    possible = [_card(by_id[i], profile) for i in result["possible"] if i in by_id]
    money = [c for c in eligible if c["money"]]
    other = [c for c in eligible if not c["money"]]
    monthly = sum(c["monthly"] or 0 for c in money)
    undecided = [facts()[f].label for f in declined if f in facts()]

    parts = []
    if money:
        parts.append(
            msg("headline_money_monthly", n=len(money), yuan=_yuan(monthly))
            if monthly
            else msg("headline_money", n=len(money))
        )
    if other:
        parts.append(msg("headline_other", n=len(other)) if money else msg("headline_services", n=len(other)))
    if possible:
        parts.append(msg("headline_possible", n=len(possible)))
    headline = "；".join(parts) if parts else msg("headline_none")

    groups: list[dict[str, Any]] = []  # one per office, in the order its first card comes
    for card in money + other:
        group = next((g for g in groups if g["office"] == card["office"]), None)
        if group is None:
            group = {"office": card["office"], "department": card["department"], "services": []}
            groups.append(group)
        group["services"].append(card)

    spoken_parts = [headline + "。"]
    if money:
        spoken_parts.append(_spoken_money(money, len(headline) + len(msg("result_spoken_end"))))
    spoken_parts.append(msg("result_spoken_end"))
    return {
        "type": "result",
        "eligible": list(result["eligible"]),
        "possible": list(result["possible"]),
        "profile": dict(profile),
        "headline": headline,
        "counts": {"money": len(money), "other": len(other), "possible": len(possible), "undecided": len(undecided)},
        "monthly_min": monthly or None,
        "groups": groups,
        "possible_services": possible,
        "undecided": undecided,
        "spoken": "".join(spoken_parts),
        "labels": {k: msg("result_label_" + k) for k in LABEL_KEYS},
        "share": share_fragment(profile),
        "list": dict(result.get("list") or {}),
    }
