"""The admin menu: one button per section the admin's permissions open."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from accounts.models import EVENT_PERMISSIONS
from telegrambot import callbacks
from telegrambot.callbacks import Route
from telegrambot.keyboards.common import back_row, button
from telegrambot.texts import admin_claims as claims_texts
from telegrambot.texts import admin_fulfil as fulfil_texts
from telegrambot.texts import admin_menu as texts
from telegrambot.texts import admin_payments as payments_texts
from telegrambot.texts import tickets as tickets_texts

# (permission, label, route, route values) in the order shown.
SECTIONS: list[tuple[str, object, Route, tuple[object, ...]]] = [
    ("manage_catalog", texts.CATALOG, callbacks.ADMIN_CATEGORIES, (1,)),
    ("manage_stock", texts.STOCK, callbacks.ADMIN_STOCK, (1,)),
    ("manage_users", texts.USERS, callbacks.ADMIN_USERS, ()),
    ("manage_users", texts.ORDER, callbacks.ADMIN_ORDER_LOOKUP, ()),
    ("manage_roles", texts.ROLES, callbacks.ADMIN_ROLES, ()),
    ("manage_promos", texts.PROMOS, callbacks.ADMIN_PROMOS, ()),
    ("broadcast", texts.BROADCAST, callbacks.ADMIN_BROADCAST, ()),
    ("view_statistics", texts.STATS, callbacks.ADMIN_STATS, ()),
    ("view_audit", texts.AUDIT, callbacks.ADMIN_AUDIT, ()),
    ("maintenance", texts.MAINTENANCE, callbacks.ADMIN_MAINTENANCE, ()),
    ("refund_payments", payments_texts.SECTION, callbacks.ADMIN_PAYMENTS, ()),
    ("manage_claims", claims_texts.section_button, callbacks.ADMIN_CLAIMS, (1,)),
    ("manage_support", tickets_texts.section_button, callbacks.ADMIN_TICKETS, ()),
    ("fulfil_orders", fulfil_texts.section_button, callbacks.ADMIN_FULFIL, (1,)),
]


def menu(
    codenames: frozenset[str], *, open_claims: int = 0, open_tickets: int = 0, waiting_orders: int = 0
) -> InlineKeyboardMarkup:
    """The sections ``codenames`` open; Claims counts the undecided claims, Support the open tickets,
    Orders to fulfil the paid orders waiting for staff."""
    counts = {"manage_claims": open_claims, "manage_support": open_tickets, "fulfil_orders": waiting_orders}
    shown = [
        button(label(counts[codename]) if callable(label) else label, route, *values)
        for codename, label, route, values in SECTIONS
        if codename in codenames
    ]
    rows = [shown[index : index + 2] for index in range(0, len(shown), 2)]
    if any(codename in codenames for codename in EVENT_PERMISSIONS.values()):
        rows.append(
            [
                button(texts.SIGN_IN, callbacks.ADMIN_SIGN_IN),
                button(texts.NOTIFICATIONS, callbacks.ADMIN_NOTIFICATIONS),
            ]
        )
    else:
        rows.append([button(texts.SIGN_IN, callbacks.ADMIN_SIGN_IN)])
    return InlineKeyboardMarkup([*rows, back_row()])


def to_admin_row() -> list[InlineKeyboardButton]:
    return [button(texts.TO_ADMIN, callbacks.ADMIN_PANEL)]


def back_to_admin() -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([to_admin_row()])
