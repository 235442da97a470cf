"""The screening turn, as Rasa's custom action and the tests call it.

The work is split by concern: profile.py (message -> facts, and which may be recorded),
side.py (questions answered from the engine), flow.py (confirm, ask, conclude),
messages.yaml (what the assistant says).
"""

from __future__ import annotations

from .flow import Incoming, Outcome, Turn, handle

__all__ = ["Incoming", "Outcome", "Turn", "handle"]
