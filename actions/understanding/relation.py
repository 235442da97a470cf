"""Who the elder is to the speaker: 俺娘 -> mother, 我今年七十 -> self."""

from __future__ import annotations

import re

from .lexicon import Lexicon, may_match

# When no fact was read: words after 我/俺 that still make the speaker the elder
# (我能领啥, 我今年...); "我是长子" alone says nothing about who the elder is.
_SELF_CUE_RX = re.compile(
    r"(?:能领|能享受|能办|可以领|可以享受|符合|够|今年|已经|身体|一个人|属|[0-9一二三四五六七八九])"
)


_SPOUSE_HELPER_BEFORE = "靠跟和同与给帮陪"
_THIRD_PERSON_RX = re.compile(r"[她他]")
# 我 + one of these, before any relative is named, makes the speaker the elder.
_SELF_FIRST_CUE_RX = re.compile(
    r"(?:今年|已经|都(?=[0-9一二三四五六七八九])|一个人|自己|身体|瘫|退休|当过|吃低保|"
    r"是(?:低保|五保|特困|残疾|烈属|退休|复员|退伍|老党员)|[0-9一二三四五六七八九])"
)


def find_relation(norm: str, lex: Lexicon, has_facts: bool) -> str | None:
    best: tuple[tuple[int, int], str] | None = None
    deceased_spouse = False
    found = []
    if lex.relation_literal_rx is not None:
        for lm in lex.relation_literal_rx.finditer(norm):
            found.append((lm.start(1), lm.end(1), lex.relation_literals[lm.group(1)]))
    for rx, value, needs in lex.relation_entries:
        if needs and not may_match(needs, norm):
            continue
        m = rx.search(norm)
        while m:
            found.append((m.start(), m.end(), value))
            m = rx.search(norm, m.end()) if m.end() > m.start() else None
    for start, end, value in sorted(found):
        if lex.relation_deceased_rx.match(norm[end : end + 12]):
            deceased_spouse = deceased_spouse or value == "spouse"
            continue  # 老伴走了: not the elder
        if value == "spouse" and start > 0 and norm[start - 1] in _SPOUSE_HELPER_BEFORE:
            continue  # 全靠老伴伺候, 跟老伴住: the spouse helps or lives with the elder
        key = (start, start - end)  # earliest, then longest
        if best is None or key < best[0]:
            best = (key, value)
    m = lex.self_pronoun_rx.search(norm)
    if m and _THIRD_PERSON_RX.search(norm, 0, m.start()):
        m = None  # 她跟着我弟弟过: the elder is 她, the speaker a relative
    if best is not None:
        # 我88了，老伴85: the speaker states their own age before naming anyone else
        if m and m.start() < best[0][0] and _SELF_FIRST_CUE_RX.match(norm, m.end()):
            return "self"
        return best[1]
    if m and (has_facts or _SELF_CUE_RX.match(norm[m.end() :])):
        return "self"
    if deceased_spouse and has_facts:
        return "self"  # 老伴走了，一个人住: the speaker is the widowed elder
    return None


def _other_rx(lex: Lexicon, key: str) -> re.Pattern | None:
    spec = lex.raw.get("other_person") or {}
    words = "|".join(sorted((re.escape(str(w)) for w in spec.get("words") or ()), key=len, reverse=True))
    pattern = spec.get(key)
    return re.compile(pattern.replace("WORDS", words)) if pattern and words else None


def other_person_clauses(norm: str, clauses, lex: Lexicon) -> set[int]:
    """Clauses about one of the elder's children or grandchildren (儿子自己也是贫困户; after
    有个闺女, a clause without its own subject): what they say of that person's status is
    not the elder's."""
    head, intro, own = (_other_rx(lex, k) for k in ("head", "introduce", "own_subject"))
    if head is None:
        return set()
    out: set[int] = set()
    spans = clauses.spans()
    for i, (s, e) in enumerate(spans):
        clause = norm[s:e]
        if head.match(clause):
            out.add(i)
        elif i - 1 in out and len(clause) <= 4 and (own is None or not own.match(clause)):
            out.add(i)  # 独生子残疾了，三级: a short clause without a subject goes on about them
        elif i > 0 and intro is not None and intro.match(norm[slice(*spans[i - 1])]):
            m = own.match(clause) if own is not None else None
            speaker_is_elder = norm[spans[i - 1][0] : spans[i - 1][0] + 1] in ("我", "俺", "咱")
            if m is None or (speaker_is_elder and m.group(0) in ("她", "他")):
                out.add(i)
    return out


def personal_categories(lex: Lexicon) -> frozenset[str]:
    return frozenset((lex.raw.get("other_person") or {}).get("personal") or ())
