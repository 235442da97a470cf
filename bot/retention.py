"""Delete conversations older than RETENTION_DAYS (default 30) from the tracker store.

    python -m bot.retention              # once
    python -m bot.retention --every 86400  # at start, then daily (supervisor runs this)

A conversation's age is that of its newest event; all its events go at once.
"""
from __future__ import annotations

import argparse
import logging
import time

from bot import logfilters
from bot.serving import store_url
from bot.settings import Settings
from bot.tracker_store import delete_older_than

log = logging.getLogger("retention")


def main(argv: list[str] | None = None) -> None:
    logfilters.install()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    settings = Settings.from_env()
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--every", type=float, default=0, help="repeat every this many seconds (0: once)")
    parser.add_argument("--days", type=float, default=settings.retention_days)
    parser.add_argument("--url", default=None, help="tracker store URL (default: TRACKER_STORE_URL or the SQLite file)")
    args = parser.parse_args(argv)
    url = args.url or store_url(settings)
    while True:
        try:
            removed = delete_older_than(url, args.days)
            log.info("deleted %d conversation(s) older than %g days", removed, args.days)
        except Exception as exc:  # the store may not be up yet: try again next round
            log.warning("retention run failed: %s", type(exc).__name__)
        if not args.every:
            return
        time.sleep(args.every)


if __name__ == "__main__":
    main()
