"""Log hygiene of the bot: no secrets and no delivered values in the logs.

- ``RedactSecrets`` replaces the bot token and the other secrets in every
  record (httpx and python-telegram-bot put the token in request URLs);
  ``install_redaction()`` puts it on every handler of the running process.
- ``describe_update()`` is what the error handler logs instead of the raw
  update: ids, the kind and the button's data, but never what was typed or
  sent (an admin's stock upload is message text full of keys).
- ``error_summary()`` names where an error happened, for the dashboard.
"""

from __future__ import annotations

import json
import logging
import traceback
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from django.conf import settings
from telegram import Update

BASE_DIR = Path(__file__).resolve().parent.parent
SECRET_SETTINGS = ("TOKEN", "WEBHOOK_SECRET", "CRYPTO_PAY_TOKEN", "TELEGRAM_PROVIDER_TOKEN", "SECRET_KEY")
MASK = "[redacted]"
MIN_SECRET = 8  # shorter values would mask ordinary words


class RedactSecrets(logging.Filter):
    """Replace each secret in a record's message and traceback with ``[redacted]``."""

    def __init__(self, secrets: Iterable[str]) -> None:
        super().__init__()
        self.secrets = sorted(
            {secret for secret in secrets if len(secret) >= MIN_SECRET}, key=len, reverse=True
        )

    def redact(self, text: str) -> str:
        for secret in self.secrets:
            text = text.replace(secret, MASK)
        return text

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        clean = self.redact(message)
        if clean != message:
            record.msg, record.args = clean, None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self.redact(record.exc_text)
        return True


def install_redaction() -> RedactSecrets:
    """Put a ``RedactSecrets`` with this shop's secrets on every configured log handler."""
    redaction = RedactSecrets(str(getattr(settings, name, "") or "") for name in SECRET_SETTINGS)
    loggers = [
        logging.getLogger(),
        *(logging.getLogger(name) for name in settings.LOGGING.get("loggers", {})),
    ]
    for handler in {handler for logger in loggers for handler in logger.handlers}:
        if not any(isinstance(existing, RedactSecrets) for existing in handler.filters):
            handler.addFilter(redaction)
    return redaction


def describe_update(update: object) -> str:
    """Return the update as JSON with every text, caption and file left out."""
    if not isinstance(update, Update):
        return repr(type(update).__name__)
    return json.dumps(strip_content(update.to_dict()), ensure_ascii=False)


CONTENT_KEYS = {
    "text",
    "caption",
    "entities",
    "caption_entities",
    "document",
    "photo",
    "contact",
    "location",
    "reply_to_message",
    "quote",
    "external_reply",
    "pinned_message",
    "poll",
    "venue",
}


def strip_content(value: Any) -> Any:
    """Replace what people wrote or sent with its size; keep ids, kinds and button data."""
    if isinstance(value, dict):
        return {
            key: f"<{len(str(item))} characters>" if key in CONTENT_KEYS else strip_content(item)
            for key, item in value.items()
        }
    if isinstance(value, list):
        return [strip_content(item) for item in value]
    return value


def error_summary(update: object, error: BaseException | None) -> str:
    """Name the kind of update and the shop's code that raised, e.g. ``callback_query: confirm_buy (handlers/catalog.py:190)``."""
    kind = "other"
    if isinstance(update, Update):
        kind = next(
            (name for name in ("callback_query", "message", "pre_checkout_query") if getattr(update, name)),
            kind,
        )
    elif update is None:
        kind = "job"
    frames = traceback.extract_tb(error.__traceback__) if error is not None else []
    ours = [
        frame
        for frame in frames
        if frame.filename.startswith(str(BASE_DIR)) and "/.venv/" not in frame.filename
    ]
    if not ours:
        return kind
    frame = ours[-1]
    where = Path(frame.filename).relative_to(BASE_DIR)
    return f"{kind}: {frame.name} ({where}:{frame.lineno})"
