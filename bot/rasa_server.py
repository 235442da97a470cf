"""Start Rasa (same arguments as the `rasa` command), made safe to run and a little faster.

    RASA_TOKEN=… python -m bot.rasa_server run --enable-api --model models/….tar.gz

- Loopback only: `-i 127.0.0.1` unless an interface is given (Docker Compose gives one).
- Token: `--auth-token` comes from `RASA_TOKEN` in the environment (so it never shows in `ps`);
  without one a random token is made, so the API is never open. Every route but `GET /` needs
  `?token=` (Rasa itself guards only its API; here the REST channel's webhook is guarded too).
- Limits on Rasa itself: request bodies over 1 MB are refused by Sanic; a REST message longer
  than 500 characters is refused with a kind reply (HTTP 200, the REST channel's usual answer,
  nothing recorded in the conversation; a malformed body or a sender id over 255: HTTP 400), before NLU runs, so no one on the host can freeze Rasa with a long text.
- Logs: users' text, facts and ids are scrubbed from every log line (bot.logfilters).
- Speed: Rasa 3.6 checks every action-server response with `jsonschema.validate`, which
  re-checks the schema itself on every call (~70% of Rasa's CPU per turn). Here the response is
  checked against the same schema compiled once with fastjsonschema: invalid ones still refused.
"""
from __future__ import annotations

import hmac
import json
import os
import secrets
import sys
from functools import lru_cache

MAX_TEXT_CHARS = 500
MAX_SENDER_CHARS = 255  # the SQL tracker store's column
MAX_BODY_BYTES = 1_000_000
TOO_LONG_REPLY = f"您说的话太长了，请简短一些，不超过{MAX_TEXT_CHARS}个字，再说一次。"
BAD_REQUEST_REPLY = "这条消息没法读懂，请重新说一次。"


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


def message_refusal(body: bytes | None) -> tuple[int, str] | None:
    """(status, kind reply) when a REST channel message must not reach Rasa, else None."""
    try:
        data = json.loads(body or b"")
    except (ValueError, UnicodeDecodeError):
        return 400, BAD_REQUEST_REPLY
    if not isinstance(data, dict):
        return 400, BAD_REQUEST_REPLY
    message, sender = data.get("message"), data.get("sender")
    if message is not None and not isinstance(message, str):
        return 400, BAD_REQUEST_REPLY
    if sender is not None and (not isinstance(sender, str) or len(sender) > MAX_SENDER_CHARS):
        return 400, BAD_REQUEST_REPLY
    if message and len(message) > MAX_TEXT_CHARS:
        # 200, as the REST channel answers: a reply the widget can show, and nothing recorded
        return 200, TOO_LONG_REPLY
    return None


def _guard(app, token: str) -> None:
    """Token on every route but `GET /`, body size, and the text limit on webhooks."""
    from sanic import response

    app.config.REQUEST_MAX_SIZE = MAX_BODY_BYTES
    expected = token.encode()

    async def guard(request):
        if request.path == "/" and request.method == "GET":
            return None
        given = (request.args.get("token") or "").encode()
        if not hmac.compare_digest(given, expected):
            return response.json({"status": "failure", "reason": "NotAuthenticated", "code": 401}, status=401)
        if request.method == "POST" and request.path.startswith("/webhooks/") and request.path.endswith("/webhook"):
            refusal = message_refusal(request.body)
            if refusal:
                status, text = refusal
                return response.json([{"recipient_id": "", "text": text}], status=status)
        return None

    app.register_middleware(guard, "request")


def _install_guard(token: str) -> None:
    import rasa.core.run as run

    original = run.configure_app

    def configure_app(*args, **kwargs):
        app = original(*args, **kwargs)
        _guard(app, token)
        return app

    run.configure_app = configure_app


def _arguments(argv: list[str]) -> tuple[list[str], str]:
    """Rasa's arguments with loopback and the token added (the token from the environment)."""
    argv = list(argv)
    if argv and argv[0] == "run" and not any(a in ("-i", "--interface") for a in argv):
        argv += ["-i", os.environ.get("RASA_INTERFACE") or "127.0.0.1"]
    token = ""
    given = next((a for a in argv if a.startswith("--auth-token=")), None)
    if "--auth-token" in argv:
        token = argv[argv.index("--auth-token") + 1]
    elif given:
        token = given.split("=", 1)[1]
    else:
        token = (os.environ.get("RASA_TOKEN") or "").strip() or secrets.token_hex(24)
        if argv and argv[0] == "run":
            argv.append(f"--auth-token={token}")  # one argument: a token starting with "-" is no option
    return argv, token


def main() -> None:
    from bot import logfilters

    logfilters.install()
    argv, token = _arguments(sys.argv[1:])
    _install_fast_action_validation()
    if argv and argv[0] == "run":
        _install_guard(token)
    from rasa.__main__ import main as rasa_main

    sys.argv = ["rasa", *argv]
    rasa_main()


if __name__ == "__main__":
    main()
