"""``manage.py runbot`` workers in subprocesses, for tests of several workers and of outages.

    worker = await BotProcess.start(env, "--webhook", probe_every=0.5)
    ...
    assert await worker.stop() == 0        # SIGTERM, then the exit code
    print(worker.output)

    web = await WebProcess.start(env)      # gunicorn, the web process Telegram posts to
    await web.post_update(update, secret=SECRET)

With ``probe_every`` the worker also runs a probe job under the job lock: each
tick adds one to the daily counter ``probe-<pid>`` in the database, so a test
sees which worker ran each tick.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any
from urllib.error import HTTPError
from urllib.request import Request, urlopen

BASE_DIR = Path(__file__).resolve().parents[2]

# Runs runbot as manage.py would, with the probe job added to the worker's jobs.
PROBE_SCRIPT = """
import os, sys
import django
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shopbot.settings")
django.setup()
from django.core.management import call_command
from monitoring.counters import increment_counter
from telegrambot import locks, runtime
from telegrambot.adapter import call

every = float(os.environ["PROBE_EVERY"])
name = f"probe-{os.getpid()}"

async def probe(context):
    await call(increment_counter, name=name)

register_jobs = runtime.register_jobs

def with_probe(application):
    register_jobs(application)
    application.job_queue.run_repeating(locks.run_exclusively("probe", probe), interval=every, first=every)

runtime.register_jobs = with_probe
call_command("runbot", *sys.argv[1:])
"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class BotProcess:
    """One ``runbot`` subprocess and everything it printed."""

    def __init__(self, process: asyncio.subprocess.Process, metrics_port: int) -> None:
        self.process = process
        self.metrics_port = metrics_port
        self.output = ""
        self.reader = asyncio.ensure_future(self.read_output())

    @classmethod
    async def start(cls, env: dict[str, str], *args: str, probe_every: float | None = None) -> BotProcess:
        port = free_port()
        env = {**env, "MONITORING_PORT": str(port), "PYTHONUNBUFFERED": "1"}
        if probe_every is None:
            command = [sys.executable, "manage.py", "runbot", *args]
        else:
            env["PROBE_EVERY"] = str(probe_every)
            command = [sys.executable, "-c", PROBE_SCRIPT, *args]
        process = await asyncio.create_subprocess_exec(
            *command, cwd=BASE_DIR, env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT
        )
        return cls(process, port)

    @property
    def pid(self) -> int:
        return self.process.pid

    async def read_output(self) -> None:
        assert self.process.stdout is not None
        async for line in self.process.stdout:
            self.output += line.decode(errors="replace")

    async def metrics(self) -> str:
        """Return this worker's /metrics page, or "" while it is not serving yet."""

        def scrape() -> str:
            try:
                with urlopen(f"http://127.0.0.1:{self.metrics_port}/metrics", timeout=2) as response:
                    return response.read().decode()
            except OSError:
                return ""

        return await asyncio.to_thread(scrape)

    async def metric(self, line_start: str) -> float:
        """Return the value of the first sample whose line starts with ``line_start`` (0 when absent)."""
        for line in (await self.metrics()).splitlines():
            if line.startswith(line_start):
                return float(line.rsplit(" ", 1)[1])
        return 0.0

    async def stop(self, *, timeout: float = 30) -> int:
        """Send SIGTERM and return the exit code (killing it after ``timeout`` seconds)."""
        if self.process.returncode is None:
            self.process.send_signal(signal.SIGTERM)
        try:
            code = await asyncio.wait_for(self.process.wait(), timeout)
        except TimeoutError:
            self.process.kill()
            code = await self.process.wait()
        await self.reader
        return code


async def migrate(env: dict[str, str]) -> None:
    """Run ``manage.py migrate`` on the database ``env`` names, as a subprocess."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "manage.py",
        "migrate",
        "--noinput",
        cwd=BASE_DIR,
        env=env,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
    )
    assert await process.wait() == 0, (await process.stderr.read()).decode()  # type: ignore[union-attr]


def bot_env(**overrides: str) -> dict[str, str]:
    env = {
        **os.environ,
        "TOKEN": "123456:WORKER-TOKEN",
        "OWNER_ID": "9000",
        "LOG_TO_FILE": "0",
        "LOG_TO_STDOUT": "1",
    }
    env.update(overrides)
    return env


def user_message(user: dict[str, Any], text: str, *, message_id: int, date: int) -> dict[str, Any]:
    message = {
        "message_id": message_id,
        "date": date,
        "from": user,
        "text": text,
        "chat": {"id": user["id"], "type": "private", "first_name": user["first_name"]},
    }
    if text.startswith("/"):
        message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}]
    return message


class ThrowawayPostgres:
    """A PostgreSQL server of one test's own, which the test may stop and start again.

    Stopping the shared test server would cut the test process off too; this
    one serves only the bot under test. Needs PostgreSQL's server binaries
    (``pg_config --bindir``); as root it runs them as the ``postgres`` user.
    """

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.data = directory / "pg"
        self.port = free_port()
        self.bindir = Path(
            subprocess.run(
                ["pg_config", "--bindir"], check=False, capture_output=True, text=True
            ).stdout.strip()
        )

    @classmethod
    def available(cls) -> bool:
        try:
            bindir = subprocess.run(
                ["pg_config", "--bindir"], check=False, capture_output=True, text=True
            ).stdout.strip()
        except OSError:
            return False
        return (Path(bindir) / "initdb").exists()

    @property
    def url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/shop"

    def run(self, *command: str) -> None:
        prefix = ["runuser", "-u", "postgres", "--"] if os.getuid() == 0 else []
        subprocess.run([*prefix, *command], check=True, capture_output=True, timeout=60)

    def create(self) -> None:
        self.data.mkdir(parents=True)
        if os.getuid() == 0:
            shutil.chown(self.directory, "postgres", "postgres")
            shutil.chown(self.data, "postgres", "postgres")
        self.run(
            str(self.bindir / "initdb"),
            "-D",
            str(self.data),
            "--auth=trust",
            "--username=postgres",
            "-E",
            "UTF8",
        )
        self.start()
        self.run(
            str(self.bindir / "createdb"), "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", "shop"
        )

    def start(self) -> None:
        options = f"-h 127.0.0.1 -p {self.port} -k {self.data} -c fsync=off -c synchronous_commit=off"
        self.run(
            str(self.bindir / "pg_ctl"),
            "-D",
            str(self.data),
            "-l",
            str(self.data / "log"),
            "-o",
            options,
            "-w",
            "start",
        )

    def stop(self, mode: str = "fast") -> None:
        self.run(str(self.bindir / "pg_ctl"), "-D", str(self.data), "-m", mode, "-w", "stop")

    def remove(self) -> None:
        try:
            self.stop("immediate")
        except subprocess.CalledProcessError:
            pass  # already stopped
        shutil.rmtree(self.directory, ignore_errors=True)


class WebProcess:
    """The web process (gunicorn, one worker) in a subprocess; Telegram's side posts updates to it."""

    def __init__(self, process: asyncio.subprocess.Process, port: int) -> None:
        self.process = process
        self.port = port
        self.output = ""
        self.reader = asyncio.ensure_future(self.read_output())

    @classmethod
    async def start(cls, env: dict[str, str]) -> WebProcess:
        port = free_port()
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "gunicorn",
            "shopbot.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "1",
            "--threads",
            "4",
            cwd=BASE_DIR,
            env={**env, "MONITORING_PORT": "0", "PYTHONUNBUFFERED": "1"},
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
        )
        web = cls(process, port)
        for _attempt in range(300):
            if await web.answers():
                return web
            if process.returncode is not None:
                break
            await asyncio.sleep(0.1)
        await web.stop()
        raise RuntimeError(f"gunicorn did not start:\n{web.output}")

    async def read_output(self) -> None:
        assert self.process.stdout is not None
        async for line in self.process.stdout:
            self.output += line.decode(errors="replace")

    async def answers(self) -> bool:
        def probe() -> bool:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    return True
            except OSError:
                return False

        return await asyncio.to_thread(probe)

    async def post_update(self, update: dict[str, Any], *, secret: str) -> int:
        """Play Telegram: post one update to the webhook and return the HTTP status."""

        def post() -> int:
            request = Request(
                f"http://127.0.0.1:{self.port}/telegram/webhook/",
                data=json.dumps(update).encode(),
                headers={"Content-Type": "application/json", "X-Telegram-Bot-Api-Secret-Token": secret},
                method="POST",
            )
            try:
                with urlopen(request, timeout=10) as response:
                    return int(response.status)
            except HTTPError as error:
                return int(error.code)

        return await asyncio.to_thread(post)

    async def stop(self) -> int:
        if self.process.returncode is None:
            self.process.send_signal(signal.SIGTERM)
        try:
            code = await asyncio.wait_for(self.process.wait(), 30)
        except TimeoutError:
            self.process.kill()
            code = await self.process.wait()
        await self.reader
        return code


class ThrowawayRedis:
    """A redis-server of the test's own on a free loopback port, which the test can stop and start.

    With ``persistent`` it writes every change to its append-only file, so a
    restart keeps what it had acknowledged, as a production Redis with AOF does.
    """

    def __init__(self, directory: Path, *, persistent: bool = False) -> None:
        self.directory = directory
        self.persistent = persistent
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"

    @staticmethod
    def available() -> bool:
        return shutil.which("redis-server") is not None and shutil.which("redis-cli") is not None

    def start(self) -> None:
        persistence = ["--appendonly", "yes", "--appendfsync", "always"] if self.persistent else []
        subprocess.run(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                *persistence,
                "--daemonize",
                "yes",
                "--dir",
                str(self.directory),
                "--logfile",
                str(self.directory / "redis.log"),
            ],
            check=True,
            capture_output=True,
        )
        for _attempt in range(50):
            ping = subprocess.run(
                ["redis-cli", "-p", str(self.port), "ping"], check=False, capture_output=True
            )
            if ping.stdout.strip() == b"PONG":
                return
            time.sleep(0.1)
        raise RuntimeError("redis-server did not start")

    def stop(self) -> None:
        mode = "save" if self.persistent else "nosave"
        subprocess.run(
            ["redis-cli", "-p", str(self.port), "shutdown", mode], check=False, capture_output=True
        )
