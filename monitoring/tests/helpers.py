"""Stand-ins for a stopped database and a stopped Redis, and a staff login."""

from __future__ import annotations

import socket

from django.contrib.auth.models import User
from django.db import connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.utils import load_backend
from django_redis.cache import RedisCache


def closed_port() -> int:
    """Return a loopback port nothing listens on (it was free a moment ago)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def unreachable_database() -> BaseDatabaseWrapper:
    """Return a real connection of the configured backend to a database that cannot be reached."""
    settings_dict = {**connections["default"].settings_dict}
    if settings_dict["ENGINE"].endswith("sqlite3"):
        settings_dict["NAME"] = "/nonexistent-folder/shop.sqlite3"
    else:
        options = {**settings_dict.get("OPTIONS", {}), "connect_timeout": 2}
        settings_dict.update(HOST="127.0.0.1", PORT=str(closed_port()), OPTIONS=options)
    return load_backend(settings_dict["ENGINE"]).DatabaseWrapper(settings_dict, alias="unreachable")


def unreachable_redis() -> RedisCache:
    """Return a Redis cache whose server is not running."""
    options = {"SOCKET_CONNECT_TIMEOUT": 1, "SOCKET_TIMEOUT": 1}
    return RedisCache(f"redis://127.0.0.1:{closed_port()}/0", {"OPTIONS": options})


def make_staff(username: str = "sam", *, password: str = "correct horse battery", staff: bool = True) -> User:
    return User.objects.create_user(username=username, password=password, is_staff=staff)
