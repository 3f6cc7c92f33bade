"""Stock sent to the bot: pasted lines or a ``.txt``/``.csv`` document, checked before anything is read.

``check_stock_file`` refuses a file by its name and size before it is
downloaded; ``read_stock_file`` turns its bytes into lines (UTF-8, a BOM
allowed, binary refused). Counting and adding stay with
``catalog.services.stock``.
"""

from __future__ import annotations

import csv
import io
from pathlib import PurePath

from django.utils.translation import gettext as _

from accounts.actors import Actor
from accounts.services import requires
from shopbot.errors import InvalidInput

FILE_MAX_BYTES = 5 * 1024 * 1024
SUFFIXES = (".txt", ".csv")


@requires("manage_stock")
def check_stock_file(*, actor: Actor, file_name: str | None, file_size: int | None) -> None:
    """Refuse a document that is not a ``.txt``/``.csv`` file of at most 5 MB."""
    if PurePath(file_name or "").suffix.lower() not in SUFFIXES:
        raise InvalidInput(reason=_("Send a .txt or .csv file, or paste the units as text."))
    if file_size is None or file_size > FILE_MAX_BYTES:
        raise InvalidInput(
            reason=_("The file is larger than %(max)s MB. Split it and send the parts.")
            % {"max": FILE_MAX_BYTES // 2**20}
        )


def read_stock_file(*, file_name: str | None, content: bytes) -> list[str]:
    """Return the lines of a ``.txt`` file, or the first cell of each row of a ``.csv`` file."""
    if len(content) > FILE_MAX_BYTES:
        raise InvalidInput(reason=_("The file is larger than %(max)s MB.") % {"max": FILE_MAX_BYTES // 2**20})
    # NUL bytes mean a binary file renamed to .txt; no text key contains them.
    if b"\x00" in content:
        raise InvalidInput(reason=_("This is not a text file. Send UTF-8 text, one unit per line."))
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InvalidInput(
            reason=_("The file is not UTF-8 text. Save it as UTF-8 and send it again.")
        ) from None
    if PurePath(file_name or "").suffix.lower() != ".csv":
        return text.splitlines()
    try:
        return [row[0] if row else "" for row in csv.reader(io.StringIO(text))]
    except csv.Error:
        raise InvalidInput(reason=_("The CSV file cannot be read; send one unit per line instead.")) from None


def split_pasted(text: str) -> list[str]:
    """Return the lines of units pasted into the chat."""
    return (text or "").splitlines()
