"""Shared mechanics of the evidence tools (scripts/eval_understanding.py, scripts/simulate.py).

They drive the dialogue core only through its stable interface
(`actions.dialogue.turn.handle` / `Incoming`) and read the policy list only through `policy_kb`.
"""
from __future__ import annotations

import asyncio
import concurrent.futures
import datetime as dt
import json
import logging
import os
import re
import subprocess
import sys
from collections.abc import Iterable, Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))  # this checkout's actions/ and policy_kb/, not an installed copy

import yaml

from actions.dialogue.turn import Incoming, handle
from policy_kb import FACT_NAMES, facts, load_kb
from policy_kb.facts import ProfileError

MAX_FILE_BYTES = 5_000_000
MAX_TEXT_CHARS = 500
KINDS = ("answer", "statement", "question", "mixed", "unknown", "correction", "other")
GROUPS = {  # question key -> facts it asks (the rest: the key is the fact itself)
    "pension": ("employee_pension_retired", "resident_pension_15y"),
    "special_circumstances": ("special_family_planning", "veteran_category", "maintenance_dispute", "homeless"),
}
PAYLOAD = re.compile(r"^/(\w+)(\{.*\})?$", re.DOTALL)
YUAN = re.compile(r"(\d+(?:\.\d+)?)\s*元")
NUMBER_UNIT = re.compile(r"(\d+(?:\.\d+)?)\s*(元|度|倍|次)")


class InputError(Exception):
    """A bad input file: the message says which file and entry, in plain words."""


# ---- input files ------------------------------------------------------------------------------
def resolve(path: str | Path) -> Path:
    p = Path(path)
    return p if p.is_absolute() else ROOT / p


def load_entries(path: str | Path, what: str) -> list[dict[str, Any]]:
    """A YAML list of mappings (or a mapping holding one such list)."""
    p = resolve(path)
    if not p.is_file():
        raise InputError(f"找不到{what}文件：{p}")
    if p.stat().st_size > MAX_FILE_BYTES:
        raise InputError(f"{what}文件太大（超过 {MAX_FILE_BYTES // 1_000_000} MB）：{p}")
    try:
        raw = yaml.safe_load(p.read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise InputError(f"{what}文件不是有效的 UTF-8 YAML：{p}（{type(exc).__name__}）") from None
    if isinstance(raw, dict):
        lists = [v for v in raw.values() if isinstance(v, list)]
        raw = lists[0] if len(lists) == 1 else None
    if not isinstance(raw, list) or not raw:
        raise InputError(f"{what}文件应当是一个非空列表（每项一个条目）：{p}")
    for i, e in enumerate(raw):
        if not isinstance(e, dict):
            raise InputError(f"{what}文件第 {i + 1} 项不是键值对：{p}")
    return raw


def norm_value(name: str, value: Any) -> Any:
    """A fact value in the contract's type (labels and slots may write 3 / "3", true / "true")."""
    fact = facts().get(name)
    if fact is None:
        return value
    if fact.type == "int" and isinstance(value, float) and value.is_integer():
        value = int(value)
    if fact.type == "int" and isinstance(value, str) and value.strip().isdigit():
        value = int(value)
    if fact.type == "bool" and isinstance(value, str):
        value = {"true": True, "false": False}.get(value.lower(), value)
    if fact.type == "list":
        value = sorted(value) if isinstance(value, (list, tuple)) else [value]
    return fact.check(value)


def safe_norm(name: str, value: Any) -> Any:
    """norm_value, or the value as it is when it is outside the contract (still a recorded value)."""
    try:
        return norm_value(name, value)
    except ProfileError:
        return value


def check_facts(where: str, raw: Any, field: str) -> dict[str, Any]:
    if raw in (None, {}):
        return {}
    if not isinstance(raw, dict):
        raise InputError(f"{where}：{field} 应当是 {{fact: value}}")
    out = {}
    for name, value in raw.items():
        if name not in FACT_NAMES:
            raise InputError(f"{where}：{field} 里的 {name!r} 不是合同里的事实名（见 shared/contract.md 第2节）")
        try:
            out[name] = norm_value(name, value)
        except ProfileError:
            raise InputError(f"{where}：{field}.{name} 的值 {value!r} 不在允许的取值里：{facts()[name].allowed()}") from None
    return out


def check_text(where: str, e: Mapping[str, Any]) -> str:
    text = e.get("text")
    if not isinstance(text, str) or not text.strip():
        raise InputError(f"{where}：缺少 text")
    if len(text) > MAX_TEXT_CHARS:
        raise InputError(f"{where}：text 超过 {MAX_TEXT_CHARS} 字")
    return text.strip()


def load_blind(path: str | Path) -> list[dict[str, Any]]:
    out = []
    for i, e in enumerate(load_entries(path, "盲测语料")):
        where = f"盲测语料第 {i + 1} 项（id {e.get('id', '?')}）"
        kind = e.get("kind") or "statement"
        if kind not in KINDS:
            raise InputError(f"{where}：kind {kind!r} 应当是 {'/'.join(KINDS)} 之一")
        asked = e.get("asked")
        if asked is not None and not isinstance(asked, str):
            raise InputError(f"{where}：asked 应当是问题键或 null")
        unknown = e.get("unknown") or []
        if not isinstance(unknown, list) or any(u not in FACT_NAMES for u in unknown):
            raise InputError(f"{where}：unknown 应当是事实名的列表")
        out.append({
            "id": str(e.get("id", i + 1)), "who": e.get("who"), "asked": asked, "text": check_text(where, e),
            "facts": check_facts(where, e.get("facts"), "facts"), "kind": kind, "unknown": list(unknown),
            "conditions": e.get("conditions") or {}, "prior": check_facts(where, e.get("prior"), "prior"),
            "ambiguous": bool(e.get("ambiguous")),
        })
    return out


def load_real(path: str | Path) -> list[dict[str, Any]]:
    ids = {s.id for s in load_kb().services}
    out = []
    for i, e in enumerate(load_entries(path, "真实问题")):
        where = f"真实问题第 {i + 1} 项（id {e.get('id', '?')}）"
        services = e.get("services") or []
        if not isinstance(services, list) or any(s not in ids for s in services):
            raise InputError(f"{where}：services 应当是清单里的服务编号（1–26）列表")
        out.append({"id": str(e.get("id", i + 1)), "source": e.get("source"), "text": check_text(where, e),
                    "conditions": e.get("conditions") or {}, "services": list(services),
                    "amount": bool(e.get("amount"))})
    return out


# ---- the question being asked -----------------------------------------------------------------
def asked_slots(asked: str | None) -> dict[str, Any]:
    """Slots for a turn answering question `asked` (a question key of the bot)."""
    if not asked:
        return {}
    if asked == "pension":
        return {"requested_slot": "employee_pension_retired", "asked_group": "pension"}
    return {"requested_slot": asked, "asked_group": asked}


def asked_facts(slots: Mapping[str, Any]) -> tuple[str, ...]:
    """The facts the pending question asks about (a grouped question: all its facts)."""
    group, requested = slots.get("asked_group"), slots.get("requested_slot")
    if group in GROUPS and (requested in GROUPS[group] or requested == group):
        return GROUPS[group]
    if requested in GROUPS:
        return GROUPS[requested]
    if requested in FACT_NAMES:
        return (requested,)
    if group in FACT_NAMES:
        return (group,)
    return ()


def confirm_of(slots: Mapping[str, Any]) -> tuple[str, Any] | None:
    """(fact, value read) when the bot asks "您是说……，对吗？" (requested_slot confirm:<fact>)."""
    requested = slots.get("requested_slot")
    if isinstance(requested, str) and requested.startswith("confirm:"):
        name = requested.split(":", 1)[1]
        return name, safe_norm(name, slots.get("confirm_value"))
    return None


def elder_choices(messages: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The facts of each button when the bot asks which of two elders to check first (the catalogue's
    `which_elder`): one tap records exactly that elder's facts, as a 是 records a confirmation."""
    from actions.dialogue.messages import msg

    ask = msg("which_elder")
    out = []
    for m in messages:
        if (m.get("text") or "").strip() == ask:
            for b in m.get("buttons") or []:
                values = payload_values(b.get("payload") or "")
                out.append({k: safe_norm(k, v) for k, v in values.items()})
    return out


def recorded_facts(changes: Mapping[str, Any], before: Mapping[str, Any]) -> dict[str, Any]:
    """Facts a turn set to a new value (a fact re-set to what was known is not a change)."""
    out = {}
    for name, value in changes.items():
        if name not in FACT_NAMES or value is None:
            continue
        value = safe_norm(name, value)
        if before.get(name) != value:
            out[name] = value
    return out


def consistent(stated: Mapping[str, Any], persona: Mapping[str, Any]) -> bool:
    return all(name in persona and persona[name] == value for name, value in stated.items())


# ---- messages in and out ----------------------------------------------------------------------
def payload_incoming(text: str) -> Incoming | None:
    """A button payload as Rasa's RegexMessageHandler reads it; None for typed text."""
    m = PAYLOAD.match(text.strip())
    if not m:
        return None
    try:
        values = json.loads(m.group(2) or "{}")
    except json.JSONDecodeError:
        return None
    if not isinstance(values, dict):
        return None
    return Incoming(text=text, intent=m.group(1), confidence=1.0,
                    entities=[{"entity": k, "value": v} for k, v in values.items()])


def payload_values(payload: str) -> dict[str, Any]:
    msg = payload_incoming(payload)
    return {e["entity"]: e["value"] for e in msg.entities} if msg else {}


def inform_payload(values: Mapping[str, Any]) -> str:
    return "/inform" + json.dumps(dict(values), ensure_ascii=False, separators=(",", ":"))


def reply_text(messages: Iterable[Mapping[str, Any]]) -> str:
    return "\n".join(m.get("text") or "" for m in messages if m.get("text"))


def buttons_of(messages: Iterable[Mapping[str, Any]]) -> list[dict[str, str]]:
    return [b for m in messages for b in (m.get("buttons") or [])]


def model_path() -> Path | None:
    try:
        h = subprocess.run([str(ROOT / "scripts" / "model_hash.sh")], capture_output=True, text=True, check=True,
                           timeout=60).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return None
    p = ROOT / "models" / f"model-{h}.tar.gz"
    return p if h and p.exists() else None


class Nlu:
    """Reads a typed message as the action server sees it: intent, confidence and entities.

    mode "rasa": Rasa's NLU in-process on the trained model; "none": no NLU (intent None).
    Button payloads are always read exactly as Rasa reads them. Rasa's parses are kept in
    results/nlu-cache-<model>.json (valid for that model file only), so a rerun on the same model
    skips loading it; the model is loaded only for a text not parsed before.
    """

    def __init__(self, mode: str = "auto", cache_dir: Path | None = ROOT / "results"):
        self.mode, self.model, self.agent, self.loop = mode, None, None, None
        self.worker: concurrent.futures.ThreadPoolExecutor | None = None
        self.cache: dict[str, dict[str, Any]] = {}
        self.cache_file: Path | None = None
        self.dirty = False
        self.load_seconds = 0.0
        if mode in ("auto", "rasa"):
            self.model = model_path()
            if self.model is None:
                if mode == "rasa":
                    raise InputError("没有和当前训练数据对应的模型（models/model-<hash>.tar.gz）：先运行 make model")
                print("注意：没有找到训练好的模型，按 --nlu none 运行（意图为空，只靠规则理解）。", file=sys.stderr)
                self.mode = "none"
            else:
                self.mode = "rasa"
                if cache_dir is not None:
                    self.cache_file = cache_dir / f"nlu-cache-{self.model.name.split('.')[0]}.json"
                    self._read_cache()

    def _stamp(self) -> str:
        st = self.model.stat()
        return f"{st.st_size}:{st.st_mtime_ns}"

    def _read_cache(self) -> None:
        try:
            raw = json.loads(self.cache_file.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return
        if isinstance(raw, dict) and raw.get("model") == self._stamp() and isinstance(raw.get("parses"), dict):
            self.cache = raw["parses"]

    def save(self) -> None:
        if self.cache_file is None or not self.dirty:
            return
        try:
            self.cache_file.parent.mkdir(parents=True, exist_ok=True)
            tmp = self.cache_file.with_suffix(".tmp")
            tmp.write_text(json.dumps({"model": self._stamp(), "parses": self.cache}, ensure_ascii=False), encoding="utf-8")
            tmp.replace(self.cache_file)
        except OSError:
            pass  # a cache only

    def _load(self) -> None:
        import contextlib
        import io
        import warnings
        os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")
        os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
        os.environ.setdefault("SQLALCHEMY_SILENCE_UBER_WARNING", "1")
        os.environ["LOG_LEVEL"] = "ERROR"
        import time
        started = time.monotonic()
        noise = io.StringIO()  # TensorFlow/jieba chatter; no message text reaches any log
        try:
            with warnings.catch_warnings(), contextlib.redirect_stderr(noise):
                warnings.simplefilter("ignore")
                from rasa.utils.log_utils import configure_structlog
                configure_structlog(logging.ERROR)
                for name in ("rasa", "tensorflow", "absl", "sanic", "asyncio", "jieba"):
                    logging.getLogger(name).setLevel(logging.ERROR)
                try:  # jieba (the tokenizer) logs at DEBUG on its own handler once imported
                    import jieba
                    jieba.setLogLevel(logging.ERROR)
                except ImportError:
                    pass
                from rasa.core.agent import Agent
                self.loop = asyncio.new_event_loop()
                self.agent = Agent.load(str(self.model))
                logging.getLogger("jieba").setLevel(logging.ERROR)  # jieba sets DEBUG when imported
            self.load_seconds = time.monotonic() - started
        except Exception as exc:  # noqa: BLE001 -- any load failure becomes one clear line
            raise InputError(f"模型 {self.model.name} 加载失败（{type(exc).__name__}）；可以用 --nlu none 运行") from None

    def _on_own_thread(self, coro):
        # The loop runs on one worker thread of its own: a caller may already run a loop in its
        # thread (pytest after Playwright's sync API), and run_until_complete would refuse there.
        if self.worker is None:
            self.worker = concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix="nlu")
        return self.worker.submit(self.loop.run_until_complete, coro).result()

    def parse(self, text: str) -> Incoming:
        msg = payload_incoming(text)
        if msg is not None:
            return msg
        if self.mode != "rasa":
            return Incoming(text=text)
        if text not in self.cache:
            if self.agent is None:
                self._load()
            with open(os.devnull, "w") as devnull, __import__("contextlib").redirect_stderr(devnull):
                parsed = self._on_own_thread(self.agent.parse_message(text))
            self.cache[text] = {"intent": parsed.get("intent") or {},
                                "entities": [dict(e) for e in parsed.get("entities") or []]}
            self.dirty = True
        parsed = self.cache[text]
        intent = parsed.get("intent") or {}
        return Incoming(text=text, intent=intent.get("name"), confidence=float(intent.get("confidence") or 0.0),
                        entities=[dict(e) for e in parsed.get("entities") or []])


def timing(seconds: float, nlu: Nlu) -> str:
    loaded = f"，其中加载模型 {nlu.load_seconds:.0f} 秒" if nlu.load_seconds else (
        "，NLU 结果取自缓存" if nlu.mode == "rasa" else "")
    return f"用时 {seconds:.1f} 秒{loaded}"


def turn(slots: Mapping[str, Any], msg: Incoming, today: dt.date):
    return handle(dict(slots), msg, today=today)


class _Failed:
    """What the user sees when the turn raises (the action server says sorry and sets no slot)."""

    def __init__(self) -> None:
        self.messages = [{"text": "（出错）", "buttons": []}]
        self.slots: dict[str, Any] = {}


def safe_turn(slots: Mapping[str, Any], msg: Incoming, today: dt.date):
    """(outcome, error): a turn that raises is counted, not the end of the report."""
    try:
        return turn(slots, msg, today), None
    except Exception as exc:  # noqa: BLE001 -- the dialogue code is a moving target; the report names the exception type
        return _Failed(), type(exc).__name__


# ---- the list's words (service names, amounts, departments) -----------------------------------
@lru_cache(maxsize=4)
def service_words(min_alias: int = 3) -> dict[int, list[str]]:
    """Each service's name and its aliases of at least `min_alias` characters (shorter ones, such as
    电 or 高龄, occur in unrelated words)."""
    kb = load_kb()
    path = ROOT / "policy_kb" / "data" / kb.id / "aliases.yaml"
    aliases = yaml.safe_load(path.read_text(encoding="utf-8")) if path.exists() else {}
    out = {}
    for s in kb.services:
        words = [s.name] + [a for a in (aliases or {}).get(s.id, []) if len(a) >= min_alias]
        out[s.id] = sorted(set(words), key=len, reverse=True)
    return out


def amount_tokens(service_id: int) -> list[str]:
    """Amount strings a right reply may carry: each number with 元 in the service's amount text
    (its amounts' wording and its 标准); without any, numbers with 度/倍/次; without those, the
    amount wordings themselves."""
    s = load_kb().service(service_id)
    texts = [a.wording() for a in s.amounts] + [s.standard]
    yuan = sorted({m.group(1) for t in texts for m in YUAN.finditer(t)})
    if yuan:
        return [f"{n}元" for n in yuan]
    other = sorted({m.group(1) + m.group(2) for t in texts for m in NUMBER_UNIT.finditer(t)})
    return other or [a.wording() for a in s.amounts if a.wording()]


def has_amount(text: str, tokens: list[str]) -> bool:
    compact = re.sub(r"\s+", "", text)
    for tok in tokens:
        m = re.fullmatch(r"(\d+(?:\.\d+)?)(\D+)", tok)
        if m:  # 70元 matches 70元 but not 170元 or 70.5元
            if re.search(rf"(?<![\d.]){re.escape(m.group(1))}{re.escape(m.group(2))}", compact):
                return True
        elif tok in text:
            return True
    return False


def pct(n: int, d: int) -> str:
    return f"{100 * n / d:5.1f}%" if d else "   – "


def print_table(headers: list[str], rows: list[list[Any]]) -> None:
    def width(s: str) -> int:
        return sum(2 if ord(ch) > 0x2E80 else 1 for ch in s)
    cells = [[str(c) for c in r] for r in [headers] + rows]
    widths = [max(width(r[i]) for r in cells) for i in range(len(headers))]
    for j, r in enumerate(cells):
        print("  ".join(c + " " * (w - width(c)) for c, w in zip(r, widths)).rstrip())
        if j == 0:
            print("  ".join("-" * w for w in widths))
