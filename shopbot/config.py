"""Reading settings from the environment, with one clear line for a bad value.

Each reader names the variable it refuses, so ``manage.py`` can stop with
``Configuration error: MIN_AMOUNT must be a number, got 'ten'`` instead of a
traceback from deep inside Django.
"""

from __future__ import annotations

import re
import secrets
import warnings
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any
from urllib.parse import quote

import environ
from django.core.exceptions import ImproperlyConfigured

TRUE_WORDS = {"1", "true", "yes", "on"}
FALSE_WORDS = {"0", "false", "no", "off", ""}
# django-ratelimit's rate format: a count, a slash, an optional multiplier and a unit.
RATE = re.compile(r"[1-9]\d*/\d*[smhd]")
CRYPTO_PAY_NETWORKS = {"mainnet": "https://pay.crypt.bot", "testnet": "https://testnet-pay.crypt.bot"}


class Config:
    """Typed access to environment variables that fails with the variable's name."""

    def __init__(self, env: environ.Env) -> None:
        self.env = env

    def raw(self, name: str) -> str | None:
        value = self.env.ENVIRON.get(name)
        return None if value is None else value.strip()

    def refuse(self, name: str, expected: str, value: object) -> ImproperlyConfigured:
        return ImproperlyConfigured(f"{name} must be {expected}, got {value!r}")

    def str(self, name: str, default: str) -> str:
        value = self.raw(name)
        return default if value is None else value

    def bool(self, name: str, default: bool) -> bool:
        value = self.raw(name)
        if value is None:
            return default
        if value.lower() in TRUE_WORDS:
            return True
        if value.lower() in FALSE_WORDS:
            return False
        raise self.refuse(name, "1 or 0", value)

    def int(self, name: str, default: int, *, minimum: int | None = None, maximum: int | None = None) -> int:
        value = self.raw(name)
        if value is None or value == "":
            return default
        try:
            number = int(value)
        except ValueError:
            raise self.refuse(name, "a whole number", value) from None
        self.check_range(name, number, minimum, maximum)
        return number

    def decimal(
        self, name: str, default: Decimal, *, minimum: Decimal | None = None, maximum: Decimal | None = None
    ) -> Decimal:
        value = self.raw(name)
        if value is None or value == "":
            return default
        try:
            number = Decimal(value.replace(",", "."))
        except InvalidOperation:
            raise self.refuse(name, "a number", value) from None
        if not number.is_finite():
            raise self.refuse(name, "a finite number", value)
        self.check_range(name, number, minimum, maximum)
        return number

    def check_range(self, name: str, number: Any, minimum: Any, maximum: Any) -> None:
        if minimum is not None and number < minimum:
            raise self.refuse(name, f"at least {minimum}", number)
        if maximum is not None and number > maximum:
            raise self.refuse(name, f"at most {maximum}", number)

    def choice(self, name: str, default: str, choices: list[str]) -> str:
        value = self.str(name, default) or default
        if value not in choices:
            raise self.refuse(name, "one of " + ", ".join(choices), value)
        return value

    def list(self, name: str, default: list[str]) -> list[str]:
        value = self.raw(name)
        if value is None:
            return default
        return [item.strip() for item in value.split(",") if item.strip()]

    def rate(self, name: str, default: str) -> str:
        """Return a rate like ``30/60s``, ``5/m`` or ``1/h`` (count per period); ``0`` or empty turns it off."""
        value = self.str(name, default).replace(" ", "").lower()
        if value in ("", "0"):
            return ""
        if not RATE.fullmatch(value):
            raise self.refuse(name, "a rate like 30/60s, 5/m, 10/10m or 1/h (0 turns it off)", value)
        return value

    def path(self, name: str, default: Path) -> Path:
        value = self.raw(name)
        return Path(value) if value else default

    def currency(self, name: str, default: str) -> str:
        value = self.str(name, default).upper()
        if len(value) != 3 or not value.isalpha():
            raise self.refuse(name, "a three-letter ISO 4217 code", value)
        return value

    def crypto_pay_url(self, name: str, default: str) -> str:
        value = self.str(name, "") or self.str("CRYPTO_PAY_NETWORK", default)
        if value in CRYPTO_PAY_NETWORKS:
            return CRYPTO_PAY_NETWORKS[value]
        if not value.startswith(("http://", "https://")):
            raise self.refuse(name, "an http(s) URL, 'mainnet' or 'testnet'", value)
        return value.rstrip("/")

    def local_secret_key(self, data_dir: Path) -> str:
        """Return a key kept in ``data/`` so the embedded default needs no setup."""
        path = data_dir / "secret_key"
        if not path.exists():
            data_dir.mkdir(parents=True, exist_ok=True)
            path.write_text(secrets.token_urlsafe(50))
            path.chmod(0o600)
        return path.read_text().strip()

    def database(self, sqlite_path: Path) -> dict[str, Any]:
        url = self.raw("DATABASE_URL")
        if not url and self.raw("POSTGRES_DB"):
            url = self.postgres_url_from_parts()
        if not url:
            sqlite_path.parent.mkdir(parents=True, exist_ok=True)
            return sqlite_database(str(sqlite_path))
        if "://" not in url:
            raise self.refuse("DATABASE_URL", "a URL like postgres://user:pass@host:5432/name", url)
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # environ warns about unknown schemes; refused below
                parsed = environ.Env.db_url_config(url)
        except Exception:  # noqa: BLE001 - any parse failure is the same bad value
            raise self.refuse("DATABASE_URL", "a URL like postgres://user:pass@host:5432/name", url) from None
        engine = parsed.get("ENGINE", "")
        if engine == "django.db.backends.sqlite3":
            return sqlite_database(parsed["NAME"])
        if engine != "django.db.backends.postgresql" or not parsed.get("NAME"):
            raise self.refuse("DATABASE_URL", "a postgres:// or sqlite:/// URL", url)
        # Persistent connections with a health check: the bot is one long process.
        parsed["CONN_MAX_AGE"] = self.int("CONN_MAX_AGE", 60, minimum=0)
        parsed["CONN_HEALTH_CHECKS"] = True
        return parsed

    def postgres_url_from_parts(self) -> str:
        user = quote(self.str("POSTGRES_USER", "postgres"), safe="")
        password = quote(self.str("POSTGRES_PASSWORD", ""), safe="")
        host = self.str("POSTGRES_HOST", "127.0.0.1")
        port = self.int("POSTGRES_PORT", 5432, minimum=1, maximum=65535)
        name = self.str("POSTGRES_DB", "shopbot")
        return f"postgres://{user}:{password}@{host}:{port}/{name}"

    def cache(self) -> dict[str, Any]:
        url = self.raw("REDIS_URL")
        if not url and self.raw("REDIS_HOST"):
            password = quote(self.str("REDIS_PASSWORD", ""), safe="")
            auth = f":{password}@" if password else ""
            host = self.str("REDIS_HOST", "127.0.0.1")
            port = self.int("REDIS_PORT", 6379, minimum=1, maximum=65535)
            url = f"redis://{auth}{host}:{port}/{self.int('REDIS_DB', 0, minimum=0)}"
        if not url:
            return {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "shopbot"}
        if not url.startswith(("redis://", "rediss://", "unix://")):
            raise self.refuse("REDIS_URL", "a URL like redis://host:6379/0", url)
        return {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": url,
            "KEY_PREFIX": self.str("CACHE_KEY_PREFIX", "shopbot"),
            "OPTIONS": {"SOCKET_CONNECT_TIMEOUT": 2, "SOCKET_TIMEOUT": 2},
        }

    def logging(
        self, *, to_stdout: bool, to_file: bool, logfile: str, auditfile: str, debug: bool
    ) -> dict[str, Any]:
        handlers: dict[str, Any] = {"null": {"class": "logging.NullHandler"}}
        shop_handlers, audit_handlers = [], []
        if to_stdout:
            handlers["console"] = {"class": "logging.StreamHandler", "formatter": "plain"}
            shop_handlers.append("console")
            audit_handlers.append("console")
        if to_file:
            for key, filename in (("file", logfile), ("audit_file", auditfile)):
                Path(filename).parent.mkdir(parents=True, exist_ok=True)
                handlers[key] = {
                    "class": "logging.handlers.RotatingFileHandler",
                    "filename": filename,
                    "maxBytes": 10 * 1024 * 1024,
                    "backupCount": 5,
                    "encoding": "utf-8",
                    "formatter": "plain",
                }
            shop_handlers.append("file")
            audit_handlers.append("audit_file")
        level = "DEBUG" if debug else "INFO"
        return {
            "version": 1,
            "disable_existing_loggers": False,
            "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
            "handlers": handlers,
            "root": {"handlers": shop_handlers or ["null"], "level": "WARNING"},
            "loggers": {
                "shopbot": {"handlers": shop_handlers or ["null"], "level": level, "propagate": False},
                "shopbot.audit": {
                    "handlers": audit_handlers or ["null"],
                    "level": "INFO",
                    "propagate": False,
                },
                "django": {"handlers": shop_handlers or ["null"], "level": "WARNING", "propagate": False},
                "telegram": {"handlers": shop_handlers or ["null"], "level": "WARNING", "propagate": False},
                "httpx": {"handlers": shop_handlers or ["null"], "level": "WARNING", "propagate": False},
            },
        }


def sqlite_database(name: str) -> dict[str, Any]:
    # WAL lets readers go on while one writer commits; IMMEDIATE makes writers
    # queue for the lock at BEGIN instead of failing halfway through.
    return {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": name,
        "OPTIONS": {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        },
    }
