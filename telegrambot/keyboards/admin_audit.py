"""The audit log: filter buttons, pager, log files, and back to the admin menu."""

from __future__ import annotations

from collections.abc import Sequence

from telegram import InlineKeyboardMarkup

from accounts.models import Customer
from telegrambot import callbacks
from telegrambot.keyboards.common import PageLike, back_row, button, pager_row
from telegrambot.texts import admin_audit as texts


def screen(page: PageLike, *, admin: Customer | None, action: str) -> InlineKeyboardMarkup:
    admin_id = admin.pk if admin is not None else 0
    filters = [
        button(texts.admin_button(admin), callbacks.ADMIN_AUDIT_FILTER, "actor", admin_id, action),
        button(texts.action_button(action), callbacks.ADMIN_AUDIT_FILTER, "action", admin_id, action),
    ]
    pager = pager_row(callbacks.ADMIN_AUDIT_PAGE, page, admin_id, action)
    files = [
        button(texts.BOT_LOG, callbacks.ADMIN_AUDIT_FILE, "log"),
        button(texts.AUDIT_LOG, callbacks.ADMIN_AUDIT_FILE, "audit"),
    ]
    return InlineKeyboardMarkup(
        [filters, *([pager] if pager else []), files, back_row(callbacks.ADMIN_PANEL)]
    )


def admins(choices: Sequence[Customer], action: str) -> InlineKeyboardMarkup:
    rows = [[button(texts.EVERYONE, callbacks.ADMIN_AUDIT_PAGE, 0, action, 1)]]
    rows += [
        [button(texts.admin_label(admin)[:60], callbacks.ADMIN_AUDIT_PAGE, admin.pk, action, 1)]
        for admin in choices
    ]
    return InlineKeyboardMarkup([*rows, back_row(callbacks.ADMIN_AUDIT)])


def actions(choices: Sequence[str], admin_id: int) -> InlineKeyboardMarkup:
    rows = [[button(texts.EVERY_ACTION, callbacks.ADMIN_AUDIT_PAGE, admin_id, "-", 1)]]
    rows += [[button(action, callbacks.ADMIN_AUDIT_PAGE, admin_id, action, 1)] for action in choices]
    return InlineKeyboardMarkup([*rows, back_row(callbacks.ADMIN_AUDIT)])
