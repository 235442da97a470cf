"""Start Rasa (same arguments as the `rasa` command) with one speed fix.

Rasa 3.6 checks every action-server response with `jsonschema.validate`, which re-checks the
schema itself on every call; profiling showed that as ~70% of Rasa's CPU per turn. Here the
response is checked against the same schema with a validator built once: the same errors are
raised, only without re-validating the schema each time.

    python -m bot.rasa_server run --enable-api --model models/….tar.gz
"""
from __future__ import annotations

import sys
from functools import lru_cache


def _install_fast_action_validation() -> None:
    from jsonschema import ValidationError
    from jsonschema.validators import validator_for
    from rasa.core.actions.action import RemoteAction

    @lru_cache(maxsize=1)
    def validator():
        schema = RemoteAction.action_response_format_spec()
        cls = validator_for(schema)
        cls.check_schema(schema)
        return cls(schema)

    def _validate_action_result(self, result) -> bool:
        try:
            validator().validate(result)
            return True
        except ValidationError as e:
            e.message += ". Failed to validate Action server response from API."
            raise e

    RemoteAction._validate_action_result = _validate_action_result


def main() -> None:
    _install_fast_action_validation()
    from rasa.__main__ import main as rasa_main

    sys.argv[0] = "rasa"
    rasa_main()


if __name__ == "__main__":
    main()
