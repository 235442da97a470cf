"""The channel tests' fake Rasa: the one of tests/fakes/rasa.py, Rasa's HTTP interface in front of
the real dialogue (actions/actions.py → actions/dialogue/turn.py). No NLU: typed text reaches the
dialogue with no intent, button payloads as Rasa reads them. `received` is [(sender, text)].

With it, what the tests need to know of the real dialogue: its questions, payloads and profiles.
"""
from __future__ import annotations

from fakes.rasa import FakeRasa
from fakes.screening import inform, lengthen_question, question, settled_profile


def numbered(key: str) -> str:
    """Question `key`'s buttons as WeChat shows them (请回复数字：1 …)."""
    from bot.wechat.options import options_text

    return options_text(question(key).button_dicts())


__all__ = ["FakeRasa", "inform", "lengthen_question", "numbered", "question", "settled_profile"]
