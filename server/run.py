"""`python -m server`: migrate, optionally seed, then serve HTTP + websockets with uvicorn (docs/api.md).

`python -m server migrate` only migrates and `python -m server worker` only runs jobs: the separate steps of
a deployment with several server processes (docs/deploy.md).
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import stat
import sys
from collections.abc import Callable, Coroutine, Sequence
from pathlib import Path
from typing import Any

from server.settings_defaults import LOOPBACK_HOSTS, RATE

READY = "appbuilder server listening on http://{host}:{port}"
WILDCARD_BINDS = {"0.0.0.0", "::", ""}


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m server", description="appbuilder reference backend")
    parser.add_argument(
        "command",
        nargs="?",
        choices=["serve", "migrate", "worker"],
        default="serve",
        help="serve (default: migrate, seed if asked, serve), migrate only, or run jobs only (no HTTP)",
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--db", metavar="PATH", help="SQLite database (APPBUILDER_DB)")
    parser.add_argument(
        "--allow-purge", action="store_true", default=None, help="enable DELETE /api/jobs/purge/"
    )
    parser.add_argument(
        "--allow-flood", action="store_true", default=None, help="enable POST /api/jobs/ID/flood/"
    )
    parser.add_argument("--access-log", action="store_true", help="log every request (tokens redacted)")
    parser.add_argument("--dialect", choices=["documented", "legacy"], help="websocket frame dialect")
    parser.add_argument("--speed", type=float, metavar="S", help="seconds between pipeline steps")
    parser.add_argument("--access-lifetime", type=float, metavar="S", help="access token lifetime")
    parser.add_argument("--refresh-lifetime", type=float, metavar="S", help="refresh token lifetime")
    parser.add_argument("--seed-demo", action="store_true", default=None, help="create demo users and jobs")
    parser.add_argument("--allowed-hosts", metavar="H1,H2",
                        help="Host headers to answer (ALLOWED_HOSTS; default: loopback names and --host)")
    parser.add_argument("--auth-rate", metavar="N/PERIOD",
                        help="login and register attempts per client address (AUTH_RATE, default 10/min)")
    parser.add_argument("--refresh-rate", metavar="N/PERIOD",
                        help="token refreshes per client address (REFRESH_RATE, default 60/min)")
    parser.add_argument("--lifeline", type=int, metavar="FD",
                        help="a pipe's read end: stop when its writer (the process that started us) is gone")
    args = parser.parse_args(argv)
    if args.lifeline is not None and not is_pipe(args.lifeline):
        parser.error("--lifeline must be the read end of a pipe this process was started with")
    if args.speed is not None and args.speed < 0:
        parser.error("--speed must be >= 0")
    for name in ("auth_rate", "refresh_rate"):
        value = getattr(args, name)
        if value is not None and not RATE.fullmatch(value):
            parser.error(f"--{name.replace('_', '-')} must look like 10/min (N/s, N/min, N/hour or N/day)")
    return args


def is_pipe(fd: int) -> bool:
    """True when `fd` is open here and is a pipe (a terminal or a file would never read end of file)."""
    try:
        return stat.S_ISFIFO(os.fstat(fd).st_mode)
    except (OSError, OverflowError):
        return False


def configure_environment(args: argparse.Namespace) -> None:
    """CLI flags override the environment; Django settings read it at import."""
    flags = {
        "APPBUILDER_DB": args.db and str(Path(args.db).expanduser().resolve()),
        "ALLOW_JOB_PURGE": args.allow_purge and "1",
        "ALLOW_FLOOD": args.allow_flood and "1",
        "WS_DIALECT": args.dialect,
        "PIPELINE_SPEED": args.speed,
        "ACCESS_TOKEN_LIFETIME": args.access_lifetime,
        "REFRESH_TOKEN_LIFETIME": args.refresh_lifetime,
        "APPBUILDER_SEED_DEMO": args.seed_demo and "1",
        "ALLOWED_HOSTS": args.allowed_hosts or default_hosts(args.host),
        "AUTH_RATE": args.auth_rate,
        "REFRESH_RATE": args.refresh_rate,
    }
    for name, value in flags.items():
        if value is not None:
            os.environ[name] = str(value)
    os.environ["DJANGO_SETTINGS_MODULE"] = "server.settings"


def default_hosts(bind: str) -> str | None:
    """Loopback names plus the bind address (unless a wildcard); None keeps ALLOWED_HOSTS from the env."""
    if os.environ.get("ALLOWED_HOSTS"):
        return None
    host = f"[{bind}]" if ":" in bind and not bind.startswith("[") else bind
    return LOOPBACK_HOSTS if bind in WILDCARD_BINDS else f"{LOOPBACK_HOSTS},{host}"


def secure_storage() -> None:
    """Private data folder and database files, and this database's signing key (created on first start).

    Exits with one line when the key file cannot be trusted (see server/keyfile.py)."""
    from server import keyfile

    os.umask(0o077)  # SQLite creates the database, WAL and SHM 0600 whatever the caller's umask
    keyfile.make_private(keyfile.db_path_from_env())
    try:
        keyfile.export_key(create=True)
    except keyfile.KeyFileError as err:
        raise SystemExit(f"appbuilder server: {err}") from None


def prepare() -> bool:
    """Set up Django, migrate, seed when asked; returns whether demo data was seeded."""
    import django
    from django.conf import settings
    from django.core.management import call_command

    secure_storage()
    django.setup()
    call_command("migrate", interactive=False, verbosity=0)
    if not settings.SEED_DEMO:
        return False
    from server.jobs.seed import seed_demo

    seed_demo()
    return True


def watch_lifeline(fd: int, loop: asyncio.AbstractEventLoop, stop: Callable[[], None]) -> None:
    """Call `stop` when the pipe `fd` reads end of file: every copy of its write end is closed, so the
    launcher is gone, even killed outright (SIGKILL leaves no chance to stop its children). Watched by the
    event loop itself (no thread: a thread blocked on the pipe measurably slowed the socket fan-out)."""
    os.set_blocking(fd, False)

    def readable() -> None:
        try:
            alive = os.read(fd, 64)  # the launcher never writes; bytes would only mean it is alive
        except BlockingIOError:
            return
        if not alive:
            loop.remove_reader(fd)
            os.close(fd)
            stop()

    loop.add_reader(fd, readable)


async def serve(host: str, port: int, seeded: bool, access_log: bool = False,
                lifeline: int | None = None) -> None:
    import uvicorn

    from server.asgi import application
    from server.jobs import pipeline
    from server.jobs.seed import ADMIN_USER, DEMO_USER

    pipeline.runtime.attach(asyncio.get_running_loop())
    config = uvicorn.Config(
        application,
        host=host,
        port=port,
        ws="websockets-sansio",
        # No permessage-deflate, as Daphne (the Channels server): job frames are small JSON, and compressing
        # each one for each socket was ~30 % of a broadcast's CPU (docs/performance.md, fan-out).
        ws_per_message_deflate=False,
        http="httptools",  # the C parser (a dependency of the server extra)
        lifespan="on",  # server/lifespan.py: the job runner (resumes unfinished builds)
        access_log=access_log,
        log_level="info" if access_log else "warning",
        log_config=None,
    )
    server = uvicorn.Server(config)
    if lifeline is not None:
        def stop() -> None:
            server.should_exit = True  # uvicorn's own graceful shutdown, as on SIGTERM

        watch_lifeline(lifeline, asyncio.get_running_loop(), stop)

    async def announce() -> None:
        while not server.started:
            if server.should_exit:
                return
            await asyncio.sleep(0.01)
        print(READY.format(host=host, port=port), flush=True)
        if seeded:
            print(
                f"demo login: {DEMO_USER[0]} / {DEMO_USER[1]}  (admin: {ADMIN_USER[0]} / {ADMIN_USER[1]})",
                flush=True,
            )

    announcer = asyncio.create_task(announce())
    try:
        await server.serve()
    finally:
        announcer.cancel()
        await pipeline.runtime.cancel_all()


async def work() -> None:
    """Run jobs without serving HTTP until SIGTERM or SIGINT; leases are handed back on the way out."""
    import signal

    from server.jobs import lease, runner

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    runner.start()
    print(f"appbuilder job runner {lease.runner_id()} started", flush=True)
    try:
        await stop.wait()
    finally:
        await runner.stop()


def configure_logging(access_log: bool = False) -> None:
    from server.logfilter import RedactTokens

    handler = logging.StreamHandler(sys.stderr)
    handler.addFilter(RedactTokens())
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        logger = logging.getLogger(name)
        logger.handlers, logger.propagate = [handler], False
        logger.setLevel(logging.INFO if access_log and name == "uvicorn.access" else logging.WARNING)


def run_loop(main: Coroutine[Any, Any, None]) -> None:
    """`asyncio.run` on uvloop where it is installed (the server extra, not on Windows): its C event loop
    cut the event loop thread's CPU per list request from 0.8-0.9 to 0.6-0.75 ms (the socket reads and
    writes, the wake-up after each lane's call; docs/performance.md). Without it, asyncio's own loop."""
    try:
        import uvloop
    except ImportError:
        asyncio.run(main)
        return
    with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
        runner.run(main)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    configure_environment(args)
    if args.command == "migrate":
        prepare()
        return 0
    if args.command == "worker":
        import django

        secure_storage()
        django.setup()
        configure_logging()
        run_loop(work())
        return 0
    seeded = prepare()
    configure_logging(args.access_log)
    try:
        run_loop(serve(args.host, args.port, seeded, args.access_log, args.lifeline))
    except KeyboardInterrupt:
        pass
    return 0
