"""The console and kiosk tests' fake Rasa: the one of tests/fakes/rasa.py, Rasa's HTTP interface in
front of the real dialogue (actions/actions.py → actions/dialogue/turn.py). No NLU: typed text
reaches the dialogue with no intent, button payloads as Rasa reads them.

Here `received` is {sender: [text, ...]} (what these tests were written against)."""
from __future__ import annotations

from fakes import rasa


class FakeRasa(rasa.FakeRasa):
    @property
    def received(self) -> dict[str, list[str]]:  # type: ignore[override]
        out: dict[str, list[str]] = {}
        for sender, text in list(self._received):
            out.setdefault(sender, []).append(text)
        return out
