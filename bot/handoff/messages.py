"""The hand-off's small message catalogue (messages.yaml beside this file)."""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml


@lru_cache(maxsize=1)
def catalogue() -> dict[str, Any]:
    return yaml.safe_load((Path(__file__).with_name("messages.yaml")).read_text(encoding="utf-8"))


def msg(key: str, **values: Any) -> Any:
    text = catalogue()[key]
    return text.format(**values) if values and isinstance(text, str) else text
