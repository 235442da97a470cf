"""The Rasa launcher's faster check of action-server responses still refuses invalid ones."""
import pytest
from jsonschema import ValidationError, validate

from bot.rasa_server import _install_fast_action_validation

_install_fast_action_validation()
from rasa.core.actions.action import RemoteAction  # noqa: E402

GOOD = {"events": [{"event": "slot", "name": "age", "value": 83, "timestamp": None}],
        "responses": [{"text": "老人今年多大岁数？", "buttons": [{"title": "不清楚", "payload": "/dont_know"}]}]}
BAD = [{"events": [{"event": "slot", "name": 5}]}, {"events": [{"name": "x"}]}, {"events": "nope"}]


def test_valid_response_is_accepted():
    assert RemoteAction.__new__(RemoteAction)._validate_action_result(GOOD) is True


@pytest.mark.parametrize("response", BAD)
def test_invalid_responses_are_refused_as_rasa_would(response):
    with pytest.raises(ValidationError):
        validate(response, RemoteAction.action_response_format_spec())  # Rasa's own check refuses it
    with pytest.raises(ValidationError):
        RemoteAction.__new__(RemoteAction)._validate_action_result(response)


def test_a_token_that_starts_with_a_dash_is_passed_as_one_argument(monkeypatch):
    from bot.rasa_server import _arguments

    monkeypatch.setenv("RASA_TOKEN", "-abc")
    argv, token = _arguments(["run", "--enable-api"])
    assert token == "-abc" and "--auth-token=-abc" in argv and "-abc" not in argv
    assert _arguments(["run", "--auth-token=xyz"])[1] == "xyz"
