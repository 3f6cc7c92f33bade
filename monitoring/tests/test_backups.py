"""`manage.py backup` and `restore`: a round trip gives back the data, on SQLite and PostgreSQL."""

import os
import stat
from datetime import UTC, datetime
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from catalog.models import Category
from monitoring.backups import BackupError, backup_database, list_backups, prune_backups, restore_database


def backup_and_restore_round_trip(tmp_path: Path) -> None:
    Category.objects.create(name="Before the backup")
    out = StringIO()
    call_command("backup", "--dir", str(tmp_path), stdout=out)
    path = Path(out.getvalue().strip())
    Category.objects.filter(name="Before the backup").delete()
    Category.objects.create(name="After the backup")

    call_command("restore", str(path), "--noinput", stdout=StringIO())

    assert list(Category.objects.values_list("name", flat=True)) == ["Before the backup"]


@pytest.mark.django_db(transaction=True)
def test_it_restores_a_sqlite_backup(tmp_path):
    if connection.vendor != "sqlite":
        pytest.skip("SQLite only")

    backup_and_restore_round_trip(tmp_path)

    assert next(tmp_path.iterdir()).read_bytes().startswith(b"SQLite format 3")


@pytest.mark.django_db(transaction=True)
def test_it_restores_a_postgresql_backup(tmp_path):
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only: run with DATABASE_URL=postgres://...")

    backup_and_restore_round_trip(tmp_path)

    assert next(tmp_path.iterdir()).read_bytes().startswith(b"PGDMP")


@pytest.mark.django_db(transaction=True)
def test_it_keeps_only_the_newest_backups(tmp_path):
    for day in (1, 2, 3):
        backup_database(directory=tmp_path, keep=2, now=datetime(2026, 1, day, tzinfo=UTC))

    names = [path.name for path in list_backups(directory=tmp_path)]

    assert len(names) == 2
    assert names[0].startswith("shopbot-20260102-") and names[1].startswith("shopbot-20260103-")


def test_it_keeps_everything_with_keep_zero(tmp_path):
    for name in ("shopbot-20260101-000000.dump", "shopbot-20260102-000000.dump", "notes.txt"):
        (tmp_path / name).write_text("x")

    assert prune_backups(directory=tmp_path, keep=0) == []
    assert [path.name for path in prune_backups(directory=tmp_path, keep=1)] == [
        "shopbot-20260101-000000.dump"
    ]
    assert (tmp_path / "notes.txt").exists()


@pytest.mark.django_db
def test_it_refuses_a_file_that_is_not_a_backup(tmp_path):
    bogus = tmp_path / "shopbot-20260101-000000.dump"
    bogus.write_text("DROP TABLE everything;")

    with pytest.raises(BackupError, match="is not a"):
        restore_database(path=bogus)
    with pytest.raises(CommandError, match="does not exist"):
        call_command("restore", str(tmp_path / "missing.dump"), "--noinput")


@pytest.mark.django_db(transaction=True)
def test_it_writes_backups_only_the_shop_user_can_read(tmp_path):
    # Backups hold every customer's delivered keys; a permissive umask must not leak them.
    folder = tmp_path / "backups"
    folder.mkdir(mode=0o755)
    folder.chmod(0o755)
    old_umask = os.umask(0o022)
    try:
        path = backup_database(directory=folder)
    finally:
        os.umask(old_umask)

    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


@pytest.mark.django_db(transaction=True)
def test_it_creates_a_missing_backup_folder_private(tmp_path):
    folder = tmp_path / "new" / "backups"

    backup_database(directory=folder)

    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
