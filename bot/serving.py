"""Run the processes under supervisor: action server(s), Rasa replica(s), the gateway, retention.

    python -m bot.serving run                 # make run: 1 Rasa, SQLite tracker store
    python -m bot.serving run --replicas 2    # make run-scaled: PostgreSQL + Redis lock store
    python -m bot.serving config …            # only write the files, print the supervisor config path

Each run writes its files under RUN_DIR (default ./run, git-ignored): `endpoints-<i>.yml`
(mode 0600: it may hold the database password), `supervisord.conf`, and logs in `logs/`.
Settings come from the environment or `.env` (bot.settings): RASA_TOKEN (random for the run
when unset, passed to the children in their environment, never on a command line), DATA_DIR
(SQLite file `rasa.db` there), TRACKER_STORE_URL, LOCK_STORE_URL, RETENTION_DAYS, and the
ports RASA_PORT (5005), ACTIONS_PORT (5055), GATEWAY_PORT (8000); replica i uses port + i.
Only the gateway listens beyond loopback (GATEWAY_HOST, default 0.0.0.0).
"""
from __future__ import annotations

import argparse
import os
import secrets
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import yaml

from bot.settings import REPO_ROOT, Settings

DEFAULT_LOCK_STORE_URL = "redis://127.0.0.1:6379/0"


def store_url(settings: Settings) -> str:
    """TRACKER_STORE_URL, else the SQLite file in the data folder (created if missing)."""
    if settings.tracker_store_url:
        return settings.tracker_store_url
    data = Path(settings.data_dir)
    data = data if data.is_absolute() else REPO_ROOT / data
    data.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{data / 'rasa.db'}"


def lock_store_config(url: str) -> dict:
    from urllib.parse import urlparse

    u = urlparse(url)
    config = {"type": "redis", "url": u.hostname or "127.0.0.1", "port": u.port or 6379,
              "db": int((u.path or "/0").lstrip("/") or 0), "key_prefix": "eldercare"}  # alphanumeric, or Rasa ignores it
    if u.password:
        config["password"] = u.password
    return config


def endpoints(settings: Settings, actions_port: int, replicas: int) -> dict:
    from bot.tracker_store import store_config

    config = {"action_endpoint": {"url": f"http://127.0.0.1:{actions_port}/webhook"},
              "tracker_store": store_config(store_url(settings))}
    if replicas > 1 or settings.lock_store_url:
        config["lock_store"] = lock_store_config(settings.lock_store_url or DEFAULT_LOCK_STORE_URL)
    return config


def ensure_database(url: str) -> None:
    """Create a PostgreSQL tracker-store database when it is missing (best effort: a user
    without that right must create it; Rasa then says it cannot connect)."""
    from sqlalchemy.engine import make_url

    u = make_url(url)
    if not u.drivername.startswith("postgresql") or not u.database:
        return
    try:
        import psycopg2

        conn = psycopg2.connect(host=u.host, port=u.port or 5432, user=u.username, password=u.password,
                                dbname="postgres", connect_timeout=5)
        conn.autocommit = True
        with conn.cursor() as cur:
            cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", (u.database,))
            if not cur.fetchone():
                cur.execute(f'CREATE DATABASE "{u.database}"')
                print(f"created PostgreSQL database {u.database}")
        conn.close()
    except Exception as exc:  # noqa: BLE001 - reported, Rasa retries the connection itself
        print(f"could not check the PostgreSQL database ({type(exc).__name__}); create it if it is missing")


def model_path() -> Path:
    if os.environ.get("RASA_MODEL"):
        return Path(os.environ["RASA_MODEL"])
    digest = subprocess.run([str(REPO_ROOT / "scripts" / "model_hash.sh")], capture_output=True, text=True,
                            check=True, cwd=REPO_ROOT).stdout.strip()
    return REPO_ROOT / "models" / f"model-{digest}.tar.gz"


@dataclass
class Layout:
    run_dir: Path
    replicas: int
    rasa_port: int
    actions_port: int
    gateway_port: int
    gateway: bool = True

    def rasa_urls(self) -> list[str]:
        return [f"http://127.0.0.1:{self.rasa_port + i}" for i in range(self.replicas)]


def _program(name: str, command: str, log_dir: Path, environment: dict[str, str] | None = None,
             startsecs: int = 3) -> str:
    lines = [f"[program:{name}]", f"command={command}", f"directory={REPO_ROOT}", "autostart=true",
             "autorestart=true", f"startsecs={startsecs}", "startretries=5", "stopasgroup=true",
             "killasgroup=true", "stopwaitsecs=15", "redirect_stderr=true",
             f"stdout_logfile={log_dir / (name + '.log')}", "stdout_logfile_maxbytes=10MB",
             "stdout_logfile_backups=3"]
    if environment:
        env = ",".join(f'{k}="{v}"' for k, v in environment.items())
        lines.append(f"environment={env}")
    return "\n".join(lines) + "\n"


def write_config(settings: Settings, layout: Layout) -> Path:
    """Write endpoints and the supervisor config for this run; returns the config's path."""
    if layout.replicas > 1 and not settings.tracker_store_url:
        raise SystemExit("Several Rasa replicas need a shared tracker store: set TRACKER_STORE_URL "
                         "(e.g. postgresql://postgres@127.0.0.1:5432/elder_care).")
    run_dir, log_dir = layout.run_dir.resolve(), layout.run_dir.resolve() / "logs"
    log_dir.mkdir(parents=True, exist_ok=True)
    py = sys.executable
    model = model_path()
    sections = [
        "[supervisord]\nnodaemon=true\n"
        f"logfile={log_dir / 'supervisord.log'}\npidfile={run_dir / 'supervisord.pid'}\n"
        f"childlogdir={log_dir}\nloglevel=info\n",
        f"[unix_http_server]\nfile={run_dir / 'supervisor.sock'}\nchmod=0700\n",
        f"[supervisorctl]\nserverurl=unix://{run_dir / 'supervisor.sock'}\n",
        "[rpcinterface:supervisor]\nsupervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface\n",
    ]
    for i in range(layout.replicas):
        actions_port, rasa_port = layout.actions_port + i, layout.rasa_port + i
        ep = run_dir / f"endpoints-{i}.yml"
        ep.touch(mode=0o600)
        ep.chmod(0o600)
        ep.write_text(yaml.safe_dump(endpoints(settings, actions_port, layout.replicas), allow_unicode=True))
        sections.append(_program(f"actions-{i}", f"{py} -m bot.action_server --actions actions --port {actions_port}",
                                 log_dir))
        # One TensorFlow/BLAS thread per Rasa process: it parses one short message at a time, and
        # handing a tiny model's work to a pool of threads costs more than it saves (one replica
        # on 2 cores: ~34 -> ~44 turns/s back to back); replicas share the cores besides.
        threads = {k: os.environ.get(k) or "1" for k in ("TF_INTRA_OP_PARALLELISM_THREADS",
                                                         "TF_INTER_OP_PARALLELISM_THREADS", "OMP_NUM_THREADS")}
        sections.append(_program(f"rasa-{i}", f"{py} -m bot.rasa_server run --enable-api --model {model} "
                                              f"--port {rasa_port} --endpoints {ep}", log_dir, threads))
    if layout.gateway:
        urls = layout.rasa_urls()
        host = os.environ.get("GATEWAY_HOST") or "0.0.0.0"
        sections.append(_program("gateway", f"{Path(py).parent / 'uvicorn'} bot.app:app --host {host} "
                                            f"--port {layout.gateway_port}", log_dir,
                                 {"RASA_URL": urls[0], "RASA_URLS": ",".join(urls)}))
    every = os.environ.get("RETENTION_EVERY") or "86400"
    sections.append(_program("retention", f"{py} -m bot.retention --every {every}", log_dir, startsecs=0))
    conf = run_dir / "supervisord.conf"
    conf.write_text("\n".join(sections))
    return conf


def child_environment(settings: Settings) -> tuple[dict[str, str], bool]:
    """The environment for supervisor and its children: a token always (random when unset)."""
    env = dict(os.environ, RASA_TELEMETRY_ENABLED="false", SQLALCHEMY_SILENCE_UBER_WARNING="1",
               TF_CPP_MIN_LOG_LEVEL="2", PYTHONWARNINGS="ignore::DeprecationWarning")
    # a replica killed mid-turn leaves its conversation's Redis lock behind; Rasa's default
    # lifetime (60 s) would hold that conversation up that long on the next replica
    env.setdefault("TICKET_LOCK_LIFETIME", "20")
    random_token = not settings.rasa_token
    env["RASA_TOKEN"] = settings.rasa_token or secrets.token_hex(24)
    return env, random_token


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Run the assistant's processes under supervisor.")
    parser.add_argument("command", choices=["run", "config"])
    parser.add_argument("--replicas", type=int, default=int(os.environ.get("REPLICAS") or 1))
    parser.add_argument("--run-dir", default=os.environ.get("RUN_DIR") or str(REPO_ROOT / "run"))
    parser.add_argument("--no-gateway", action="store_true")
    args = parser.parse_args(argv)
    if args.replicas < 1:
        raise SystemExit("REPLICAS must be 1 or more")
    settings = Settings.from_env()
    layout = Layout(Path(args.run_dir), args.replicas, int(os.environ.get("RASA_PORT") or 5005),
                    int(os.environ.get("ACTIONS_PORT") or 5055), int(os.environ.get("GATEWAY_PORT") or 8000),
                    gateway=not args.no_gateway)
    conf = write_config(settings, layout)
    if settings.tracker_store_url:
        ensure_database(settings.tracker_store_url)
    if args.command == "config":
        print(conf)
        return
    env, random_token = child_environment(settings)
    store = "PostgreSQL/other SQL" if settings.tracker_store_url else "SQLite in " + settings.data_dir
    print(f"starting {args.replicas} Rasa replica(s) on {', '.join(layout.rasa_urls())} (loopback), "
          f"tracker store: {store}; Rasa API token: "
          f"{'random for this run (set RASA_TOKEN to choose one)' if random_token else 'RASA_TOKEN'}")
    if layout.gateway:
        print(f"gateway: http://127.0.0.1:{layout.gateway_port}/   logs: {layout.run_dir / 'logs'}   Ctrl-C stops all")
    supervisord = str(Path(sys.executable).parent / "supervisord")
    os.execve(supervisord, [supervisord, "-n", "-c", str(conf)], env)


if __name__ == "__main__":
    main()
