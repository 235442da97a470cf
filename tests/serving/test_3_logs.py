"""After the serving tests (long messages, refused calls, the action server down, Rasa killed),
Rasa's, the action server's and the supervisor's logs hold no user text, no facts, no sender ids."""
from __future__ import annotations

import httpx
import pytest

from serving_support import CJK, SENDERS, TEXTS, new_sender

pytestmark = pytest.mark.model


def test_logs_hold_no_text_facts_or_ids(live_stack):
    # one more error path: a webhook body Rasa cannot use, and a message with a sender id in it
    sender = new_sender()
    httpx.post(f"{live_stack.rasa_direct_url}/webhooks/rest/webhook", params={"token": live_stack.rasa_token},
               content=b'{"sender": "' + sender.encode() + b'", "message": ', timeout=30)
    logs = {name: text for name, text in live_stack.logs().items() if not name.startswith("gateway")}
    assert any(name.startswith("rasa-") for name in logs) and any(name.startswith("actions-") for name in logs)
    assert sum(len(t) for t in logs.values()) > 1000  # the logs were written
    assert SENDERS and TEXTS
    for name, text in logs.items():
        found = CJK.findall(text)
        assert not found, f"{name} holds Chinese text: {''.join(found)[:80]}"
        for s in SENDERS:
            assert s not in text, f"{name} holds a sender id"
        assert live_stack.rasa_token not in text, f"{name} holds Rasa's token"
