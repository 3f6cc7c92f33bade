"""The bots under test as real subprocesses, and what /proc says about them."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TOKEN = "123456:BENCH-TOKEN"
OWNER_ID = 9000
TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    """User and system CPU time process ``pid`` has used so far, all threads."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


def bot_environment(api_url: str, **extra: str) -> dict[str, str]:
    """The environment of runbot under benchmark: the fake Bot API, no per-user limits, no exporter."""
    env = dict(os.environ)
    env.update(
        TOKEN=TOKEN,
        OWNER_ID=str(OWNER_ID),
        TELEGRAM_API_URL=api_url,
        # 50 customers clicking as fast as the bot answers would be banned at once.
        RATE_LIMITS="false",
        MONITORING_PORT="0",
        LOG_TO_STDOUT="true",
        LOG_TO_FILE="false",
        DEBUG="false",
        PYTHONUNBUFFERED="1",
    )
    env.update(extra)
    return env


class BotProcess:
    """``manage.py runbot`` or the trivial bot, started and stopped by the benchmark."""

    def __init__(self, name: str, command: list[str], env: dict[str, str]) -> None:
        self.name = name
        log_path = Path(tempfile.gettempdir()) / f"shopbot-bench-{name}-{os.getpid()}.log"
        self.log_path = log_path
        self.log = log_path.open("wb")
        self.process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=self.log, stderr=subprocess.STDOUT)

    @classmethod
    def runbot(cls, api_url: str, *, variant: list[str] | None = None, **extra: str) -> BotProcess:
        """``manage.py runbot``, or with ``variant`` (options of ``bench.variant``) a changed copy of it."""
        command = ["manage.py", "runbot", "--polling"]
        if variant:
            command = ["-m", "bench.variant", *variant, "--", "runbot", "--polling"]
        return cls("runbot", [sys.executable, *command], bot_environment(api_url, **extra))

    @classmethod
    def trivial(cls, api_url: str) -> BotProcess:
        return cls(
            "trivial", [sys.executable, "-m", "bench.trivial_bot", api_url, TOKEN], bot_environment(api_url)
        )

    @property
    def pid(self) -> int:
        return self.process.pid

    def cpu_seconds(self) -> float:
        """User and system CPU time the process has used so far, all threads."""
        return cpu_seconds(self.pid)

    def rss_mb(self) -> float:
        for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
        return float("nan")

    def check_alive(self) -> None:
        if self.process.poll() is not None:
            raise RuntimeError(
                f"{self.name} exited with {self.process.returncode}; see {self.log_path}:\n{self.tail()}"
            )

    def tail(self, lines: int = 30) -> str:
        self.log.flush()
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])

    def stop(self, timeout: float = 20.0) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()
        if self.process.returncode not in (0, -signal.SIGTERM, -signal.SIGKILL):
            print(f"  ({self.name} exited with {self.process.returncode}; log {self.log_path})")
        else:
            self.log_path.unlink(missing_ok=True)
