"""Backups of the shop's database and their restore.

PostgreSQL is dumped with ``pg_dump --format=custom`` and restored with
``pg_restore --clean`` in one transaction; the client tools are taken from
``pg_config --bindir`` when it exists, else from ``PATH`` (the Docker image
installs them there). SQLite is copied with SQLite's online backup API, which
gives a consistent copy while the shop keeps running. Backups are files named
``shopbot-YYYYMMDD-HHMMSS.dump`` (PostgreSQL) or ``.sqlite3`` (SQLite).
A backup holds every customer's delivered keys: the file is ``0600`` and its
folder ``0700``, whatever the process's umask.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from datetime import datetime
from pathlib import Path

from django.db import connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.utils.timezone import now as timezone_now

SUFFIXES = {"postgresql": ".dump", "sqlite": ".sqlite3"}
MAGIC = {"postgresql": b"PGDMP", "sqlite": b"SQLite format 3\x00"}
FILE_MODE = 0o600
DIRECTORY_MODE = 0o700


class BackupError(Exception):
    """A backup or a restore could not be done; the text says why."""


def backup_database(
    *, directory: Path, keep: int = 0, now: datetime | None = None, alias: str = "default"
) -> Path:
    """Write a backup of the database to a new file in ``directory`` and return its path.

    The file appears under its final name only once complete. Afterwards only
    the newest ``keep`` backups in ``directory`` are kept (``0`` keeps all).
    """
    connection = connections[alias]
    suffix = SUFFIXES.get(connection.vendor)
    if suffix is None:
        raise BackupError(f"Backups of {connection.vendor} databases are not supported")
    make_private_directory(directory)
    path = directory / f"shopbot-{(now or timezone_now()):%Y%m%d-%H%M%S}{suffix}"
    if path.exists():
        raise BackupError(f"{path} already exists")
    partial = path.with_name(path.name + ".partial")
    try:
        create_private_file(partial)
        if connection.vendor == "sqlite":
            backup_sqlite(connection, partial)
        else:
            run_pg_tool(
                "pg_dump", connection, ["--format=custom", "--no-owner", "--no-acl", "--file", str(partial)]
            )
        partial.rename(path)
    finally:
        partial.unlink(missing_ok=True)
    prune_backups(directory=directory, keep=keep)
    return path


def make_private_directory(directory: Path) -> None:
    """Create ``directory`` if needed and let only the shop's own user into it."""
    directory.mkdir(mode=DIRECTORY_MODE, parents=True, exist_ok=True)
    directory.chmod(DIRECTORY_MODE)  # mkdir leaves an existing folder as it was


def create_private_file(path: Path) -> None:
    """Create an empty ``0600`` file for the dump to fill, so it is never readable by others."""
    # pg_dump and SQLite write into an existing file and keep its mode.
    path.unlink(missing_ok=True)  # left by a backup that was killed
    os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE))
    path.chmod(FILE_MODE)


def restore_database(*, path: Path, alias: str = "default") -> None:
    """Replace the whole database with the backup at ``path``.

    Stop the bot and the web process first: a restore overwrites every table,
    and what they write meanwhile is lost or refused.
    """
    connection = connections[alias]
    check_backup_file(path=path, vendor=connection.vendor)
    if connection.vendor == "sqlite":
        restore_sqlite(connection, path)
    else:
        # A connection left open would hold locks that DROP TABLE waits for.
        connection.close()
        run_pg_tool(
            "pg_restore",
            connection,
            [
                "--clean",
                "--if-exists",
                "--no-owner",
                "--no-acl",
                "--single-transaction",
                "--exit-on-error",
                "--dbname",
                connection.settings_dict["NAME"],
                str(path),
            ],
        )
    # The schema may have changed under this connection; start a fresh one.
    connection.close()


def list_backups(*, directory: Path) -> list[Path]:
    """Return the backups in ``directory``, oldest first."""
    if not directory.is_dir():
        return []
    return sorted(
        path for path in directory.glob("shopbot-*") if path.suffix in SUFFIXES.values() and path.is_file()
    )


def prune_backups(*, directory: Path, keep: int) -> list[Path]:
    """Delete all but the newest ``keep`` backups in ``directory`` (``0`` keeps all); return the deleted."""
    if keep <= 0:
        return []
    stale = list_backups(directory=directory)[:-keep]
    for path in stale:
        path.unlink()
    return stale


def check_backup_file(*, path: Path, vendor: str) -> None:
    """Refuse a file that is missing or is not a backup of this kind of database."""
    if not path.is_file():
        raise BackupError(f"{path} does not exist")
    with path.open("rb") as file:
        head = file.read(16)
    if vendor not in MAGIC:
        raise BackupError(f"Restoring {vendor} databases is not supported")
    if not head.startswith(MAGIC[vendor]):
        raise BackupError(f"{path} is not a {vendor} backup made by `manage.py backup`")


def backup_sqlite(connection: BaseDatabaseWrapper, target_path: Path) -> None:
    connection.ensure_connection()
    if connection.in_atomic_block:
        # SQLite's backup would wait forever for this connection's own write lock.
        raise BackupError("Cannot back up inside a transaction")
    target = sqlite3.connect(target_path)
    try:
        connection.connection.backup(target)
    finally:
        target.close()


def restore_sqlite(connection: BaseDatabaseWrapper, source_path: Path) -> None:
    connection.ensure_connection()
    if connection.in_atomic_block:
        raise BackupError("Cannot restore inside a transaction")
    source = sqlite3.connect(f"file:{source_path}?mode=ro", uri=True)
    try:
        source.backup(connection.connection)
    finally:
        source.close()


def pg_tool(name: str) -> str:
    """Return the path of a PostgreSQL client program, preferring ``pg_config --bindir``."""
    pg_config = shutil.which("pg_config")
    if pg_config:
        bindir = subprocess.run([pg_config, "--bindir"], capture_output=True, text=True, check=False).stdout
        candidate = Path(bindir.strip()) / name
        if candidate.is_file():
            return str(candidate)
    found = shutil.which(name)
    if found is None:
        raise BackupError(f"{name} was not found: install the PostgreSQL client tools")
    return found


def run_pg_tool(name: str, connection: BaseDatabaseWrapper, arguments: list[str]) -> None:
    # Connection details go through libpq's environment so the password never
    # shows in the process list.
    settings_dict = connection.settings_dict
    env = {**os.environ, "PGDATABASE": settings_dict["NAME"]}
    for variable, key in (
        ("PGHOST", "HOST"),
        ("PGPORT", "PORT"),
        ("PGUSER", "USER"),
        ("PGPASSWORD", "PASSWORD"),
    ):
        if settings_dict.get(key):
            env[variable] = str(settings_dict[key])
    if settings_dict.get("OPTIONS", {}).get("sslmode"):
        env["PGSSLMODE"] = settings_dict["OPTIONS"]["sslmode"]
    result = subprocess.run([pg_tool(name), *arguments], env=env, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise BackupError(f"{name} failed: {result.stderr.strip() or result.returncode}")
