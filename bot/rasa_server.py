"""Start Rasa (same arguments as the `rasa` command) with one speed fix.

Rasa 3.6 checks every action-server response with `jsonschema.validate`, which re-checks the
schema itself on every call; profiling showed that as ~70% of Rasa's CPU per turn. Here the
response is checked against the same schema, compiled once with fastjsonschema (a further ~15%
of a turn was jsonschema walking the events): invalid responses are still refused.

    python -m bot.rasa_server run --enable-api --model models/….tar.gz
"""
from __future__ import annotations

import sys
from functools import lru_cache


def _install_fast_action_validation() -> None:
    import fastjsonschema
    from jsonschema import ValidationError
    from rasa.core.actions.action import RemoteAction

    @lru_cache(maxsize=1)
    def validator():
        return fastjsonschema.compile(RemoteAction.action_response_format_spec())

    def _validate_action_result(self, result) -> bool:
        try:
            validator()(result)
            return True
        except fastjsonschema.JsonSchemaException as e:
            # the same exception type Rasa's caller expects
            raise ValidationError(f"{e.message}. Failed to validate Action server response from API.") from e

    RemoteAction._validate_action_result = _validate_action_result


def main() -> None:
    _install_fast_action_validation()
    from rasa.__main__ import main as rasa_main

    sys.argv[0] = "rasa"
    rasa_main()


if __name__ == "__main__":
    main()
