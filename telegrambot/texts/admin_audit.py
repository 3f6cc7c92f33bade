"""The audit log: recent admin actions, filters, and the log files."""

from __future__ import annotations

import json
from collections.abc import Sequence

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import AuditEntry, Customer
from telegrambot.texts.common import date_time, page_label, user_text

EVERYONE = gettext_lazy("Everyone")
EVERY_ACTION = gettext_lazy("Every action")
BOT_LOG = gettext_lazy("📄 Bot log")
AUDIT_LOG = gettext_lazy("📄 Audit log file")
CHOOSE_ADMIN = gettext_lazy("👤 <b>Audit log</b>\n\nShow the actions of:")
CHOOSE_ACTION = gettext_lazy("⚙️ <b>Audit log</b>\n\nShow only this action:")
NO_FILE = gettext_lazy("This log file does not exist: file logging is off or nothing was written yet.")
EMPTY_FILE = gettext_lazy("This log file is empty.")
DETAILS_LIMIT = 120


def admin_label(customer: Customer | None) -> str:
    return customer.display_name if customer is not None else str(EVERYONE)


def admin_button(customer: Customer | None) -> str:
    return _("👤 Admin: %(admin)s") % {"admin": admin_label(customer)[:40]}


def action_button(action: str) -> str:
    return _("⚙️ Action: %(action)s") % {"action": action if action != "-" else EVERY_ACTION}


def entry(item: AuditEntry) -> str:
    who = item.actor.display_name if item.actor is not None else item.actor_label
    action = user_text(item.action, limit=64)
    line = f"<code>{date_time(item.created)}</code> · {user_text(who, limit=40)} · <b>{action}</b>"
    if item.target:
        line += " · " + user_text(item.target, limit=80)
    if item.details:
        details = json.dumps(item.details, ensure_ascii=False, sort_keys=True, default=str)
        line += "\n    " + user_text(details, limit=DETAILS_LIMIT)
    return line


def screen(entries: Sequence[AuditEntry], number: int, *, admin: Customer | None, action: str) -> str:
    header = _("📜 <b>Audit log</b> · %(page)s\nAdmin: %(admin)s · action: %(action)s") % {
        "page": page_label(number).lower(),
        "admin": user_text(admin_label(admin), limit=40),
        "action": user_text(action if action != "-" else EVERY_ACTION, limit=40),
    }
    if not entries:
        return header + "\n\n" + _("No entries.")
    return header + "\n\n" + "\n".join(entry(item) for item in entries)


def file_caption(name: str, *, truncated: bool) -> str:
    if truncated:
        return _("%(name)s (the end of the file: it is longer than Telegram accepts)") % {
            "name": user_text(name)
        }
    return user_text(name)
