"""Staff notifications: the choices, and the button of each notification to the screen that handles it."""

from __future__ import annotations

from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from accounts.selectors.staff_notices import NotificationChoice
from telegrambot import callbacks
from telegrambot.keyboards.admin_menu import to_admin_row
from telegrambot.keyboards.common import button
from telegrambot.texts import admin_menu as menu_texts
from telegrambot.texts import admin_notifications as texts
from telegrambot.texts import admin_payments as payments_texts


def choices(items: list[NotificationChoice]) -> InlineKeyboardMarkup:
    rows = [
        [
            button(
                texts.toggle(item.event, on=item.on),
                callbacks.ADMIN_NOTIFICATION_SET,
                item.event,
                "off" if item.on else "on",
            )
        ]
        for item in items
    ]
    return InlineKeyboardMarkup([*rows, to_admin_row()])


def open_button(event: str, params: dict[str, Any]) -> InlineKeyboardButton | None:
    """The button to the screen that handles one notification (ids from the notice's params)."""
    try:
        if event == "new_claim":
            return button(texts.OPEN[event], callbacks.ADMIN_CLAIM, int(params["claim"]))
        if event == "large_purchase":
            return button(texts.OPEN[event], callbacks.ADMIN_USER, int(params["customer"]))
        if event == "payment_review":
            return button(texts.OPEN[event], callbacks.ADMIN_PAYMENT, int(params["payment"]))
        if event == "low_stock":
            return button(texts.OPEN[event], callbacks.ADMIN_STOCK_PRODUCT, int(params["product"]))
        if event == "reconciliation":
            return button(texts.OPEN[event], callbacks.ADMIN_PAYMENTS)
    except (KeyError, TypeError, ValueError):
        return None
    return None


def notice(event: str, params: dict[str, Any]) -> InlineKeyboardMarkup | None:
    found = open_button(event, params)
    return InlineKeyboardMarkup([[found]]) if found is not None else None


# Where a digest's buttons lead: each event's section.
SECTIONS = {
    "new_claim": (texts.EVENTS["new_claim"], callbacks.ADMIN_CLAIMS, (1,)),
    "large_purchase": (menu_texts.USERS, callbacks.ADMIN_USERS, ()),
    "payment_review": (payments_texts.SECTION, callbacks.ADMIN_PAYMENTS, ()),
    "low_stock": (menu_texts.STOCK, callbacks.ADMIN_STOCK, (1,)),
    "reconciliation": (payments_texts.SECTION, callbacks.ADMIN_PAYMENTS, ()),
}


def digest(events: list[str]) -> InlineKeyboardMarkup:
    seen: set[str] = set()
    rows = []
    for event in events:
        label, route, values = SECTIONS[event]
        if route.build(*values) in seen:
            continue
        seen.add(route.build(*values))
        rows.append([button(label, route, *values)])
    return InlineKeyboardMarkup([*rows, to_admin_row()])
