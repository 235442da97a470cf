"""The channel tests' fake Rasa: the one of tests/fakes/rasa.py, Rasa's HTTP interface in front of
the real dialogue (actions/actions.py → actions/dialogue/turn.py). No NLU: typed text reaches the
dialogue with no intent, button payloads as Rasa reads them. `received` is [(sender, text)]."""
from __future__ import annotations

from fakes.rasa import FakeRasa

__all__ = ["FakeRasa"]
