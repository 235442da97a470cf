"""Plain-Chinese replies built from the knowledge base: results, reasons, service facts, words.

Nothing here is written per service: every sentence is assembled from policy_kb data.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from actions.understanding.normalize import normalize
from policy_kb import load_kb
from policy_kb.conditions import explain
from policy_kb.facts import DATA_DIR, facts
from policy_kb.kb import Service


@lru_cache(maxsize=1)
def aliases() -> list[tuple[str, int]]:
    raw = yaml.safe_load((DATA_DIR / load_kb().id / "aliases.yaml").read_text(encoding="utf-8"))
    pairs = [(s.name, s.id) for s in load_kb().services]
    pairs += [(word, int(sid)) for sid, words in raw.items() for word in words]
    classes = yaml.safe_load(Path(__file__).with_name("alias_variants.yaml").read_text(encoding="utf-8")) or []
    known = {w for w, _ in pairs}
    # A Chinese name ends in its head (城乡居民基本养老保险 is a 养老保险): a tail of at least four
    # characters names every service whose name ends so, unless it is already a word of its own.
    tails: dict[str, list[int]] = {}
    for s in load_kb().services:
        for cut in range(1, len(s.name) - 3):
            tails.setdefault(s.name[cut:], []).append(s.id)
    pairs += [(tail, sid) for tail, ids in tails.items() if tail not in known for sid in dict.fromkeys(ids)]
    known = {w for w, _ in pairs}
    for word, sid in list(pairs):
        for cls in classes:
            end = next((v for v in sorted(cls, key=len, reverse=True) if word.endswith(v) and len(word) > len(v)), None)
            if end is None:
                continue
            for other in cls:
                variant = word[: -len(end)] + other
                if variant not in known:  # a word already given to a service keeps its own meaning
                    pairs.append((variant, sid))
    return sorted(pairs, key=lambda p: -len(p[0]))  # longest name first: 城乡居民养老保险 before 养老保险


def service(sid: int) -> Service:
    """A service of the list in use by its id (1-26); KeyError for an id the list does not have."""
    found = load_kb().service(sid)
    if found is None:
        raise KeyError(sid)
    return found


def find_services(text: str, entity_ids: Iterable[Any] = ()) -> list[int]:
    """Services named in a message (entity values first, then names and colloquial names)."""
    found: list[int] = []
    for value in entity_ids:
        try:
            sid = int(value)
        except (TypeError, ValueError):
            continue
        if load_kb().service(sid) and sid not in found:
            found.append(sid)
    rest = normalize(text or "")  # 殘疾補貼 reads as 残疾补贴
    for word, sid in aliases():
        if word in rest:
            if sid not in found:
                found.append(sid)
            # the same word may name several services (养老金: items 1 and 2): blank it only after
            # every service it names has been found
            if all(w != word for w, i in aliases() if i not in found):
                rest = rest.replace(word, "　")
    return found


@lru_cache(maxsize=1)
def topics() -> list[tuple[str, int]]:
    """Need words (topics.yaml: 一个人住怕出事 -> 探访服务), longest first; an unknown item is an error."""
    raw = yaml.safe_load((DATA_DIR / load_kb().id / "topics.yaml").read_text(encoding="utf-8")) or {}
    pairs = []
    for sid, words in raw.items():
        if load_kb().service(int(sid)) is None:
            raise ValueError(f"topics.yaml: the list has no item {sid}")
        pairs += [(str(w), int(sid)) for w in words]
    return sorted(pairs, key=lambda p: -len(p[0]))


def find_topics(text: str) -> list[int]:
    """Services a message's needs point to, when it names none (weaker than find_services): in the
    order the message tells them."""
    rest = normalize(text or "")
    hits: list[tuple[int, int]] = []
    for word, sid in topics():
        at = rest.find(word)
        if at < 0:
            continue
        hits.append((at, sid))
        if all(w != word for w, i in topics() if i not in {h for _, h in hits}):
            rest = rest.replace(word, "　" * len(word))  # keep the positions of what follows
    return list(dict.fromkeys(sid for _, sid in sorted(hits)))


@lru_cache(maxsize=1)
def glossary() -> dict[str, dict[str, Any]]:
    return yaml.safe_load((Path(__file__).with_name("glossary.yaml")).read_text(encoding="utf-8"))


def find_term(text: str, entity_terms: Iterable[str] = ()) -> str | None:
    words = []
    for term, spec in glossary().items():
        for w in [term, *(spec.get("aliases") or [])]:
            words.append((w, term))
    for value in entity_terms:
        for w, term in words:
            if value and (value == w or value in w or w in value):
                return term
    for w, term in sorted(words, key=lambda p: -len(p[0])):
        if w in (text or ""):
            return term
    return None


def define(term: str) -> str:
    spec = glossary()[term]
    return f"{spec['text']}（依据：{spec['source']}）"


_ITEMS_RX = re.compile(r"清单第([\d、]+)项")


def term_services(term: str) -> list[int]:
    """The list items a word's explanation cites (清单第14、15、23项 -> 14, 15, 23)."""
    ids: list[int] = []
    for m in _ITEMS_RX.finditer(str(glossary()[term].get("source") or "")):
        ids += [int(x) for x in m.group(1).split("、") if x.isdigit()]
    return [i for i in dict.fromkeys(ids) if load_kb().service(i) is not None]


def where_to_go(service_ids: Iterable[int], district: str | None) -> str:
    """One line per service: name, amount, the office by full name (享受城乡低保如何办理)."""
    lines = []
    for sid in service_ids:
        svc = service(sid)
        amount = "；".join(a.wording() for a in svc.amounts)
        lines.append(f"· {svc.name}{'：' + amount if amount else ''}（清单第{sid}项，找{office(svc, district)}）")
    return "\n".join(lines)


def office(service: Service, district: str | None, named: str | None = None) -> str:
    """Where to go: the county office when the list says a county-level office handles it;
    `named` is the office a county list gives by name (the result's `office`, e.g. 潞州区民政局)."""
    dept = service.department
    name = dept.full_name
    if named:
        return f"{named}（牵头：{dept.full_name}）" if named != dept.full_name else named
    contact = "，".join(x for x in (dept.phone and f"电话{dept.phone}", dept.address and f"地址{dept.address}") if x)
    if service.local_office and dept.county_counterpart:
        local = f"{district}{dept.county_counterpart}" if district else f"所在县（区）{dept.county_counterpart}"
        name = f"{local}（牵头：{dept.full_name}）"
    return f"{name}（{contact}）" if contact else name


def result_messages(result: Mapping[str, Any], profile: Mapping[str, Any], declined: Iterable[str]) -> tuple[str, str]:
    """(message to show, summary to copy/print)."""
    load_kb()
    district = profile.get("district")
    by_dept: dict[str, list[dict]] = {}
    for s in result["services"]:
        if s["status"] == "eligible":
            by_dept.setdefault(office(service(s["id"]), district, s.get("office")), []).append(s)
    n = len(result["eligible"])
    lines: list[str] = []
    if n:
        from .result_view import pays_money  # one rule for "能领钱的" in the text and the result card

        money = [s for s in result["services"] if s["status"] == "eligible" and pays_money(s["id"], profile)]
        lines.append(f"按您说的情况，老人能享受{n}项服务。")
        if money:
            lines.append("能领钱的有：" + "；".join(f"{s['name']}，{s['amount']}" for s in money) + "。")
        for dept, items in by_dept.items():
            lines.append(f"\n【{dept}】")
            for s in items:
                amount = f"：{s['amount']}" if s["amount"] else ""
                lines.append(f"· {s['name']}{amount}（清单第{s['id']}项）")
    else:
        lines.append("按您说的情况，老人暂时还没有能确定享受的服务。")
    possible = [s for s in result["services"] if s["status"] == "possible"]
    if possible:
        lines.append("\n还可能享受（要先确认）：")
        for s in possible:
            need = "、".join(facts()[f].label for f in s["missing"])
            lines.append(f"· {s['name']}：还要确认{need}")
    declined = [facts()[f].label for f in declined if f in facts()]
    if declined:
        lines.append(f"\n您说不清楚的：{'、'.join(declined)}。可以向村（社区）或上面的部门核实，弄清楚了再来问我。")
    lines.append("\n想知道哪一项为什么、怎么办，直接问我，比如“高龄津贴怎么申请”“为什么没有护理补贴”。")
    text = "\n".join(lines)
    summary = summary_text(result, profile)
    return text, summary


def summary_text(result: Mapping[str, Any], profile: Mapping[str, Any]) -> str:
    """A compact record for printing or a hotline call log: facts, then each service with its reason."""
    kb = load_kb()
    fs = facts()
    known = "；".join(f"{fs[k].label}：{fs[k].value_label(v)}" for k, v in profile.items() if k in fs)
    out = [
        f"长治市基本养老服务资格查询结果（依据{kb.number}《{kb.list_title}》）",
        f"老人情况：{known or '未提供'}",
        "",
    ]
    for title, status in (("可以享受", "eligible"), ("可能享受（待确认）", "possible")):
        items = [s for s in result["services"] if s["status"] == status]
        if not items:
            continue
        out.append(f"{title}：")
        for s in items:
            where = office(service(s["id"]), profile.get("district"), s.get("office"))
            out.append(f"{s['id']}. {s['name']}｜{s['amount'] or '—'}｜{where}")
            out.append(f"   {s['why']}")
    out.append("")
    out.append("以上为初步判断，以有关部门审核为准。")
    return "\n".join(out)


def service_info(service_id: int, profile: Mapping[str, Any], asked_age: int | None = None) -> str:
    """Answer 高龄津贴一个月多少钱 / 怎么申请 from the list, for this elder when facts are known."""
    load_kb()
    s = service(service_id)
    amounts = "；".join(a.wording() for a in s.amounts)
    lines = [f"【{s.name}】（清单第{s.id}项）", s.summary]
    if amounts:
        lines.append(f"标准：{amounts}。")
    lines.append("条件：" + "；".join(dict.fromkeys(leaf.label for leaf in s.condition.leaves())) + "。")
    lines.append(f"怎么办：{s.how_to_apply + '。' if s.how_to_apply else ''}找{office(s, profile.get('district'))}。")
    trial = dict(profile)
    if asked_age is not None:
        trial["age"] = asked_age
    if trial:
        status = s.condition.evaluate(trial)
        who = f"{asked_age}岁的老人" if asked_age is not None and "age" not in profile else "按您说的情况，老人"
        met, failed, unknown = explain(s.condition, trial)
        if status is True:
            lines.append(f"{who}可以享受。")
        elif status is False:
            lines.append(f"{who}不符合：{'；'.join(dict.fromkeys(leaf.label for leaf in failed))}。")
        elif met:
            lines.append(f"{who}还要确认：{'；'.join(dict.fromkeys(leaf.label for leaf in unknown))}。")
    return "\n".join(lines)


def why(service_ids: list[int], profile: Mapping[str, Any], result: Mapping[str, Any]) -> str:
    by_id = {s["id"]: s for s in result["services"]}
    if not service_ids:
        eligible = [by_id[i] for i in result["eligible"]]
        if not eligible:
            return "按您说的情况，还没有能确定的服务。" + (
                " 可以继续回答问题，我再帮您算。" if result["possible"] else ""
            )
        return "\n".join(f"· {s['name']}：{s['why']}" for s in eligible)
    lines = []
    for sid in service_ids:
        s = by_id[sid]
        if s["status"] == "eligible":
            lines.append(f"{s['name']}：可以享受。{s['why']}")
        elif s["status"] == "possible":
            lines.append(f"{s['name']}：还不能确定。{s['why']}")
        else:
            change = f" {s['change']}。" if s.get("change") else ""
            lines.append(f"{s['name']}：暂时不能享受。{s['why']}{change}")
    return "\n".join(lines)


def missing(result: Mapping[str, Any]) -> str:
    possible = [s for s in result["services"] if s["status"] == "possible"]
    if not possible:
        return "能确定的都已经确定了，没有还差条件没弄清的服务。"
    lines = ["这些服务还差条件没确认："]
    for s in possible:
        lines.append(f"· {s['name']}：{s['why']}")
    return "\n".join(lines)


def handoff(result: Mapping[str, Any] | None) -> str:
    kb = load_kb()
    depts: list[str] = []
    if result:
        for s in result["services"]:
            if s["status"] in ("eligible", "possible"):
                name = service(s["id"]).department.full_name
                if name not in depts:
                    depts.append(name)
    if not depts:
        depts = [kb.departments["市民政局"].full_name]
    phones = [d for d in kb.departments.values() if d.full_name in depts and d.phone]
    contact = "；".join(f"{d.full_name}：{d.phone}" for d in phones)
    return (
        "需要找人问的话，养老服务的事大多由长治市民政局牵头。和老人情况有关的部门有："
        + "、".join(depts[:6])
        + "。"
        + (
            f"联系电话：{contact}。"
            if contact
            else "具体电话请以当地政府公布的为准，也可以到村（社区）、乡镇（街道）咨询。"
        )
    )
