"""The message catalogue (messages.yaml): every fixed sentence of the dialogue, by key."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import yaml


@lru_cache(maxsize=1)
def catalogue() -> dict[str, str]:
    raw = yaml.safe_load(Path(__file__).with_name("messages.yaml").read_text(encoding="utf-8"))
    return {str(k): str(v) for k, v in raw.items()}


def msg(key: str, **values: object) -> str:
    """The sentence `key`, placeholders filled; a missing key is a KeyError (a test catches it)."""
    text = catalogue()[key]
    return text.format(**values) if values else text
