"""The message catalogue (messages.yaml): every fixed sentence of the dialogue, by key.

A key may have variants for what the channel can do, written ``key@variant`` beside it
(``welcome`` and ``welcome@no_voice``). While a turn runs for a channel (``variants(...)``,
set by flow.handle from the message's abilities), ``msg(key)`` takes the first variant of the
active ones that the catalogue has, else the plain key. Variants in use:

- ``no_voice``: the channel has no microphone (abilities ``voice_in`` false, e.g. the kiosk
  without a speech recogniser): nothing asks the visitor to speak; 点 / 按 instead of 说.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

_ACTIVE: ContextVar[tuple[str, ...]] = ContextVar("catalogue_variants", default=())


@lru_cache(maxsize=1)
def catalogue() -> dict[str, str]:
    raw = yaml.safe_load(Path(__file__).with_name("messages.yaml").read_text(encoding="utf-8"))
    return {str(k): str(v) for k, v in raw.items()}


def variants_for(abilities: Mapping[str, Any] | None) -> tuple[str, ...]:
    """The catalogue variants for a channel's abilities ({"voice_in": false, "keypad": true})."""
    abilities = abilities if isinstance(abilities, Mapping) else {}
    out = []
    if abilities.get("voice_in") is False:
        out.append("no_voice")
    return tuple(out)


def active_variants() -> tuple[str, ...]:
    return _ACTIVE.get()


@contextmanager
def variants(names: tuple[str, ...]) -> Iterator[None]:
    """Use these variants for every msg() (and questions()) inside the block."""
    token = _ACTIVE.set(tuple(names))
    try:
        yield
    finally:
        _ACTIVE.reset(token)


def resolve(key: str, available: Mapping[str, Any], active: tuple[str, ...] | None = None) -> str:
    """`key@variant` for the first active variant that `available` has, else `key`."""
    for v in active_variants() if active is None else active:
        if f"{key}@{v}" in available:
            return f"{key}@{v}"
    return key


def msg(key: str, **values: object) -> str:
    """The sentence `key` (its variant for the channel, if any), placeholders filled; a missing key
    is a KeyError (a test catches it)."""
    cat = catalogue()
    text = cat[resolve(key, cat)]
    return text.format(**values) if values else text
