"""Start the action server (rasa_sdk) on loopback with scrubbed logs.

    python -m bot.action_server --actions actions --port 5055

rasa_sdk's command has no interface option; it binds `SANIC_HOST` (default 0.0.0.0). Here the
host is 127.0.0.1 unless `ACTIONS_HOST` says otherwise (Docker Compose gives one). Users'
text, facts and ids are scrubbed from its logs (bot.logfilters).
"""
from __future__ import annotations

import os
import sys


def main() -> None:
    from bot import logfilters

    logfilters.install()
    os.environ["SANIC_HOST"] = os.environ.get("ACTIONS_HOST") or "127.0.0.1"
    import rasa_sdk.__main__

    sys.argv[0] = "rasa_sdk"
    rasa_sdk.__main__.main()


if __name__ == "__main__":
    main()
