"""Who the elder is to the speaker: 俺娘 -> mother, 我今年七十 -> self."""

from __future__ import annotations

import re
from collections import OrderedDict
from collections.abc import Mapping
from types import MappingProxyType

from .lexicon import Lexicon, may_match

# When no fact was read: words after 我/俺 that still make the speaker the elder
# (我能领啥, 我今年...); "我是长子" alone says nothing about who the elder is.
_SELF_CUE_RX = re.compile(
    r"(?:能领|能享受|能办|可以领|可以享受|符合|够|今年|已经|身体|一个人|属|[0-9一二三四五六七八九])"
)


_SPOUSE_HELPER_BEFORE = "靠跟和同与给帮陪"
_THIRD_PERSON_RX = re.compile(r"[她他]")
# 她 / 他 opening the message: the elder is that person, whoever is named after
_PRONOUN_FIRST_RX = re.compile(r"^(?:那|这|可)?(?:她|他)(?!们|家|的|俩)")
# 我 + one of these, before any relative is named, makes the speaker the elder.
_SELF_FIRST_CUE_RX = re.compile(
    r"(?:今年|已经|都(?=[0-9一二三四五六七八九])|一个人|自己|身体|瘫|退休|当过|吃低保|(?:还)?能自理|没(?:啥)?问题|身子骨|好着|"
    r"是(?:低保|五保|特困|残疾|烈属|退休|复员|退伍|老党员)|(?:没有?|有)(?:残疾证|低保|退休金)|[0-9一二三四五六七八九])"
)


def _relation_words(norm: str, lex: Lexicon) -> list[tuple[int, int, str]]:
    """Every relation word in `norm`: (start, end, relation), in order. One message's clauses ask
    this of the same texts many times: the last 512 texts are kept (a copy is handed out)."""
    kept = _WORDS.get(norm)
    if kept is not None and kept[0] is lex:
        return list(kept[1])
    found = _find_relation_words(norm, lex)
    _WORDS[norm] = (lex, tuple(found))
    while len(_WORDS) > 512:
        _WORDS.popitem(last=False)
    return found


_WORDS: OrderedDict[str, tuple[Lexicon, tuple[tuple[int, int, str], ...]]] = OrderedDict()


def _find_relation_words(norm: str, lex: Lexicon) -> list[tuple[int, int, str]]:
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
    return sorted(found)


# the speaker's own generation or neighbours: 我88了，老伴85 (the speaker is the elder); before a
# parent (我今年五十八，我妈八十三) or 老人 itself, the speaker is someone asking for them
_SELF_FIRST_BESIDE = ("spouse", "elder")
OLDER = _OLDER = ("mother", "father", "parents", "mother_in_law", "father_in_law", "grandmother", "grandfather")


def focus_relation(norm: str, lex: Lexicon) -> str | None:
    """The elder the family says it asks about, of two named (我说的是俺娘 -> mother), or None."""
    found = focus_phrase(norm, lex)
    return found[1] if found else None


def focus_phrase(norm: str, lex: Lexicon) -> tuple[str, str] | None:
    """The words that point at the elder (主要想给我姥爷) and the relation they name, or None."""
    pattern = (lex.raw.get("other_person") or {}).get("focus")
    if not isinstance(pattern, str):
        return None
    for m in re.finditer(pattern, norm):
        word = next(((e, v) for s, e, v in _relation_words(norm[m.end() : m.end() + 8], lex) if s <= 2), None)
        if word is not None and word[1] not in ("self", "elder"):
            return norm[m.start() : m.end() + word[0]], word[1]
    return None


def dead_relations(norm: str, lex: Lexicon) -> set[str]:
    """我娘守寡把我拉扯大…娘早没了: the relatives said to have died anywhere in the message."""
    words = _relation_words(norm, lex)
    longest = {start: end for start, end, _v in words}
    return {
        v
        for s, _e, v in words
        if v not in ("self", "elder") and lex.relation_deceased_rx.match(norm[longest[s] : longest[s] + 12])
    }


_CARE_VERB_RX = re.compile(r"(?:伺候|照顾|照看|看护|护理|守着|陪着)(?:着)?(?:她|他)?(?:那个|这个)?$")


def modifies_relative(norm: str, end: int, lex: Lexicon, start: int | None = None) -> bool:
    """瘫在床上的儿子: the words ending at `end` describe the relative named right after 的, not the elder;
    so do words after a verb of caring (伺候瘫在床上的老头: the one cared for is someone else)."""
    if norm[end : end + 1] != "的":
        return False
    if start is not None and _CARE_VERB_RX.search(norm[max(0, start - 6) : start]):
        return True
    head = _other_rx(lex, "head")  # 儿子, 闺女, 孙子…: the younger ones, never the elder (失能的老公公 is)
    return head is not None and bool(head.match(norm[end + 1 : end + 7]))


def older_named(clause: str, lex: Lexicon) -> tuple[str, str] | None:
    """The first of the speaker's elders named in a clause: (relation, the words said), or None."""
    words = _relation_words(clause, lex)
    for s, e, v in words:
        if v in OLDER:
            longest = max((e2 for s2, e2, v2 in words if s2 == s and v2 == v), default=e)
            return v, clause[s:longest]
    return None


def find_relation(norm: str, lex: Lexicon, has_facts: bool) -> str | None:
    focus = focus_relation(norm, lex)
    if focus is not None:
        return focus
    best: tuple[tuple[int, int], str] | None = None
    older: tuple[tuple[int, int], str] | None = None
    deceased_spouse = False
    words = _relation_words(norm, lex)
    dead = dead_relations(norm, lex)
    for start, end, value in words:
        if value in dead:
            deceased_spouse = deceased_spouse or value == "spouse"
            continue  # 老伴走了: not the elder
        if value == "spouse" and start > 0 and norm[start - 1] in _SPOUSE_HELPER_BEFORE:
            continue  # 全靠老伴伺候, 跟老伴住: the spouse helps or lives with the elder
        key = (start, start - end)  # earliest, then longest
        if best is None or key < best[0]:
            best = (key, value)
        if value in _OLDER and (older is None or key < older[0]):
            older = (key, value)
    if best is not None and best[1] in ("self", "elder") and older is not None:
        # 我自己也一身病，我妈今年八十三 / 帮家里老人问一下，我姥爷是退伍军人: the parent named is the elder
        if best[1] == "self" or _GENERIC_ELDER_RX.match(norm, best[0][0]):
            best = older
    m = lex.self_pronoun_rx.search(norm)
    if m and _THIRD_PERSON_RX.search(norm, 0, m.start()):
        m = None  # 她跟着我弟弟过: the elder is 她, the speaker a relative
    if best is not None and best[1] == "spouse" and best[0][0] > 0 and _PRONOUN_FIRST_RX.match(norm):
        return "elder"  # 她自己没事，老头子瘫了: the elder is 她, the spouse named after her is hers
    if best is not None:
        # 我88了，老伴85: the speaker states their own age before naming anyone else
        beside = best[1] in _SELF_FIRST_BESIDE and not norm.startswith("老人", best[0][0])
        # 俺这腿是年轻时候砸坏的，俺七十七了，老伴还在: any 俺 before the spouse may tell the speaker's own age
        if m and m.start() < best[0][0] and beside:
            for own in lex.self_pronoun_rx.finditer(norm, m.start(), best[0][0]):
                if _SELF_FIRST_CUE_RX.match(norm, own.end()):
                    return "self"
        return best[1]
    if m and (has_facts or _SELF_CUE_RX.match(norm[m.end() :])):
        return "self"
    if deceased_spouse and has_facts:
        return "self"  # 老伴走了，一个人住: the speaker is the widowed elder
    return None


def _other_rx(lex: Lexicon, key: str) -> re.Pattern | None:
    """other_person.<key> with its WORDS filled in, compiled once per lexicon (it was built on every call)."""
    kept = _OTHER_RX.get(key)
    if kept is not None and kept[0] is lex:
        return kept[1]
    spec = lex.raw.get("other_person") or {}
    words = "|".join(sorted((re.escape(str(w)) for w in spec.get("words") or ()), key=len, reverse=True))
    pattern = spec.get(key)
    rx = re.compile(pattern.replace("WORDS", words)) if pattern and words else None
    _OTHER_RX[key] = (lex, rx)
    return rx


_OTHER_RX: dict[str, tuple[Lexicon, re.Pattern | None]] = {}


_LEAD_RX = re.compile(r"^(?:可|可是|但|但是|而且|不过|就是|再说|是|那)?")
_SPEAKER_HEAD_RX = re.compile(r"(?:我|俺|咱)(?:自己|本人)?(?!们|家|的)")
# the words naming an elder in general (帮家里老人问一下), not a relative
_GENERIC_ELDER_RX = re.compile(r"(?:家里|俺家|我家|咱家|村里的?)?老人(?:家)?")
_POSSESSIVE_RX = re.compile(r"(?:(?:我|俺|咱)(?:的|家|家的)?)?")
_SAME_ELDER = {frozenset(("parents", "mother")), frozenset(("parents", "father"))}


RELATIVE, SPEAKER, SPOUSE = "relative", "speaker", "spouse"  # SPOUSE: the elder speaker's spouse


def _lex_rx(lex: Lexicon, key: str) -> re.Pattern:
    """A pattern of other_person in the lexicon (re keeps the compiled ones); never matches if absent."""
    pattern = (lex.raw.get("other_person") or {}).get(key)
    return re.compile(pattern if isinstance(pattern, str) else "(?!)")


_AFTER_DEATH_RX = re.compile(r"(?:了)?(?:以后|之后|后)(?:就)?(?:她|他|老人|俺|我)")


def _not_the_elder(clause: str, elder: str | None, lex: Lexicon, speaker_is_elder: bool = False) -> str | None:
    """Who heads a clause when it is not the elder: the speaker (俺自己有二级残疾证, 俺七十六)
    when the elder is someone else, or another relative (俺婆婆也七十多了 when the elder is 公公)."""
    if elder is None:
        return None
    lead = _LEAD_RX.match(clause)
    rest = clause[lead.end() if lead else 0 :]
    if elder == "self":
        # 我七十二，老伴七十，老伴有糖尿病 / 他有高血压，俺有糖尿病: the speaker said they are the elder
        # (their own age or state); a clause headed by someone else is about them. 老伴没了 is not.
        if not speaker_is_elder:
            return None
        words = [(s, e, v) for s, e, v in _relation_words(rest, lex) if _POSSESSIVE_RX.fullmatch(rest[:s])]
        words.sort(key=lambda w: (w[0], w[0] - w[1]))  # 老婆子我七十八了: the longest word at the head
        if words and lex.relation_deceased_rx.match(rest[words[0][1] : words[0][1] + 12]):
            return None
        if _THIRD_PERSON_HEAD_RX.match(rest):
            return RELATIVE
        head = words[0][2] if words else None
        if head == "spouse":
            return SPOUSE  # the household's status and county are the couple's
        return RELATIVE if head not in (None, "self", "elder") else None
    words = _relation_words(rest, lex)
    first = next(((s, e, v) for s, e, v in words if _POSSESSIVE_RX.fullmatch(rest[:s])), None)
    head = first[2] if first else None
    after = rest[first[1] :] if first and head not in (None, "self", elder) else ""
    died = lex.relation_deceased_rx.match(after) if after else None
    if died and _AFTER_DEATH_RX.match(after, died.end()):
        return None  # 公公走了以后她一个人住: the one who died heads the clause, the elder's life goes on in it
    if head not in (None, "self"):
        other = head not in (elder, "elder") and frozenset((head, elder)) not in _SAME_ELDER
        if other and elder in _paired_heads(rest, words):
            return None  # 我爷爷奶奶住在襄垣 (the elder is 奶奶): the pair named together, the elder among them
        return RELATIVE if other else None
    if elder == "spouse" and _lex_rx(lex, "couple_head").match(rest):
        return None  # 俺家老头儿八十三，俺俩都有高血压: the speaker and the elder together
    if _SPEAKER_HEAD_RX.match(rest) and find_relation(rest, lex, False) in (None, "self"):
        return SPEAKER
    return None


_PAIR_JOIN_RX = re.compile(r"(?:和|跟|与|、|及|还有)?(?:我|俺|咱)?")


def _paired_heads(rest: str, words) -> set[str]:
    """The relatives named one after another at the head of a clause (爷爷奶奶, 我爸和我妈)."""
    heads: set[str] = set()
    end = None
    for s, e, v in words:
        if end is None:
            if not _POSSESSIVE_RX.fullmatch(rest[:s]):
                break
        elif s < end:
            continue  # a shorter word inside the one already taken
        elif not _PAIR_JOIN_RX.fullmatch(rest[end:s]):
            break
        heads.add(v)
        end = e
    return heads


def other_person_clauses(norm: str, clauses, lex: Lexicon) -> set[int]:
    return set(clause_owners(norm, clauses, lex))


def clause_owners(norm: str, clauses, lex: Lexicon) -> Mapping[int, str]:
    """Clauses about someone else than the elder: one of the elder's children or grandchildren
    (儿子自己也是贫困户; after 有个闺女, a clause without its own subject), the speaker when the
    elder is someone else (我是他儿子，我有四级残疾证), another relative (俺公公瘫了…俺婆婆也七十多了).
    What they say of that person's status or age is not the elder's.

    One message's phrases, grade and each of its ages ask this of the same text: it is worked out
    once per text (the clauses come from the text, so the text is the key; the last 256 are kept)."""
    kept = _OWNERS.get(norm)
    if kept is not None and kept[0] is lex:
        return kept[1]
    owners = MappingProxyType(_find_owners(norm, clauses, lex))
    _OWNERS[norm] = (lex, owners)
    while len(_OWNERS) > 256:
        _OWNERS.popitem(last=False)
    return owners


_OWNERS: OrderedDict[str, tuple[Lexicon, Mapping[int, str]]] = OrderedDict()


def _find_owners(norm: str, clauses, lex: Lexicon) -> dict[int, str]:
    head, intro, own = (_other_rx(lex, k) for k in ("head", "introduce", "own_subject"))
    if head is None:
        return {}
    out: dict[int, str] = {}
    spans = clauses.spans()
    elder = find_relation(norm, lex, True) if len(spans) > 1 else None
    # 我七十二 / 俺今年… / 俺是低保户: the speaker said something of their own that makes them the elder
    self_told = elder == "self" and any(
        _SELF_FIRST_CUE_RX.match(norm, m.end()) for m in lex.self_pronoun_rx.finditer(norm)
    )
    # where the elder is first named: before it, a clause without a subject goes on with the speaker
    elder_at = (
        next((st for st, _e, v in _relation_words(norm, lex) if v == elder), None)
        if elder not in (None, "self", "elder")
        else None
    )
    older_heads: set[int] = set()  # clauses headed by another of the speaker's elders (我爸71岁)
    for i, (s, e) in enumerate(spans):
        clause = norm[s:e]
        who = RELATIVE if head.match(clause) else _not_the_elder(clause, elder, lex, self_told)
        if who:
            out[i] = who
            named = older_named(clause[:6], lex)
            if who == RELATIVE and named is not None and clause.find(named[1]) <= 2:
                older_heads.add(i)
        elif (
            i - 1 in out
            and len(clause) <= 4
            and (own is None or not own.match(clause))
            and not _lex_rx(lex, "both").match(clause)
        ):
            out[i] = out[i - 1]  # 独生子残疾了，三级: a short clause without a subject goes on about them
            if i - 1 in older_heads:
                older_heads.add(i)
        elif i - 1 in out and _lex_rx(lex, "goes_on").match(clause) and not _relation_words(clause, lex):
            out[i] = out[i - 1]  # 我自己也六十多了，还有糖尿病: 还/also with no subject goes on about the same one
        elif (
            out.get(i - 1) == RELATIVE
            and i - 1 in older_heads
            and (own is None or not own.match(clause))
            and not _relation_words(clause, lex)
            and not _lex_rx(lex, "both").match(clause)
        ):
            # 我爸71岁，城乡养老保险交够了十五年，我妈69岁…: after another of the speaker's elders, a
            # clause without a subject goes on about that elder
            out[i] = RELATIVE
            older_heads.add(i)
        elif (
            out.get(i - 1) == SPEAKER
            and elder_at is not None
            and s < elder_at
            and (own is None or not own.match(clause))
            and not _relation_words(clause, lex)
        ):
            out[i] = SPEAKER  # 我前年出车祸腿截了，评了二级残疾，我妈六十二: the speaker's story goes on
        elif out.get(i - 1) == RELATIVE and _pronoun_fits(clause, norm[slice(*spans[i - 1])], head, lex):
            out[i] = RELATIVE  # 俺哥是真没钱，他自己也瘫了
        elif i > 0 and intro is not None and intro.match(norm[slice(*spans[i - 1])]):
            m = own.match(clause) if own is not None else None
            prev = norm[slice(*spans[i - 1])]
            # 有个儿，他自己还吃低保呢: opening the message, the child just named is the 他 that follows
            speaker_is_elder = prev[:1] in ("我", "俺", "咱") or (i == 1 and own is not None and not own.match(prev))
            if m is None or (speaker_is_elder and m.group(0) in ("她", "他")):
                out[i] = RELATIVE
    return out


def _pronoun_fits(clause: str, prev: str, head: re.Pattern, lex: Lexicon) -> bool:
    """他自己也瘫了 after 俺哥是真没钱: the pronoun is the relative heading the clause before, if it fits him."""
    spec = lex.raw.get("other_person") or {}
    m = _lex_rx(lex, "pronoun_carry").match(clause)
    named = head.match(prev)
    if m is None or named is None:
        return False
    words = spec.get("male" if clause[0] == "他" else "female") or ()
    return any(named.group(0).endswith(str(w)) for w in words)


def personal_categories(lex: Lexicon) -> frozenset[str]:
    return frozenset((lex.raw.get("other_person") or {}).get("personal") or ())


def shared_with_speaker(lex: Lexicon) -> frozenset[str]:
    return frozenset((lex.raw.get("other_person") or {}).get("shared_with_speaker") or ())


def shared_with_spouse(lex: Lexicon) -> frozenset[str]:
    return frozenset((lex.raw.get("other_person") or {}).get("shared_with_spouse") or ())


_OWN_SELF_RX = re.compile(r"^(?:可|可是|但|但是|而且|不过|就是)?(?:俺|我|咱)(?:自己|自个儿?|本人)")


def speaker_aside(norm: str, clauses, lex: Lexicon, requested: str | None) -> set[int]:
    """Clauses headed by 俺自己 / 我自己 when the speaker is not the elder: while the supporters
    question waits (the one answering is the one who would support: 有是有，俺自己也是低保户), or
    after the speaker said they are the elder's child (俺是独生子，俺自己是三级残疾)."""
    child = (lex.raw.get("other_person") or {}).get("speaker_is_child")
    if requested != "has_capable_supporter" and not (isinstance(child, str) and re.search(child, norm)):
        return set()
    return {i for i, (s, e) in enumerate(clauses.spans()) if _OWN_SELF_RX.match(norm[s:e])}


def speaker_away(clause: str, lex: Lexicon) -> bool:
    """俺两口子在长子县城打工: the speaker's clause tells where they work, not the elder's home."""
    pattern = (lex.raw.get("other_person") or {}).get("speaker_away")
    return isinstance(pattern, str) and re.search(pattern, clause) is not None


_THIRD_PERSON_HEAD_RX = re.compile(r"(?:她|他)(?:老人家)?")


def subject_end(clause: str, lex: Lexicon) -> int:
    """Where a leading subject naming the elder ends (俺娘没有 -> 2, 她也没有 -> 1); 0 if none."""
    m = _THIRD_PERSON_HEAD_RX.match(clause)
    if m:
        return m.end()
    ends = [e for s, e, v in _relation_words(clause[:8], lex) if v != "self" and _POSSESSIVE_RX.fullmatch(clause[:s])]
    return max(ends, default=0)
