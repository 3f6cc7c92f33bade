"""Buttons every screen uses: back, menu, cancel, pagers, the channel gate."""

from __future__ import annotations

from typing import Any, Protocol

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from telegrambot import callbacks
from telegrambot.callbacks import Route
from telegrambot.texts import common as texts


class PageLike(Protocol):
    number: int
    has_previous: bool
    has_next: bool


def button(label: object, route: Route, *values: object) -> InlineKeyboardButton:
    return InlineKeyboardButton(str(label), callback_data=route.build(*values))


def url_button(label: object, url: str) -> InlineKeyboardButton:
    return InlineKeyboardButton(str(label), url=url)


def back_row(route: Route = callbacks.MENU, *values: object) -> list[InlineKeyboardButton]:
    if route == callbacks.MENU:
        return [button(texts.TO_MENU, callbacks.MENU)]
    return [button(texts.BACK, route, *values), button(texts.TO_MENU, callbacks.MENU)]


def pager_row(route: Route, page: PageLike, *values: Any) -> list[InlineKeyboardButton]:
    """Return ◀️ · page N · ▶️ for ``route(*values, page)``; empty for a single page."""
    if not page.has_previous and not page.has_next:
        return []
    row = []
    if page.has_previous:
        row.append(button(texts.PREVIOUS, route, *values, page.number - 1))
    row.append(button(texts.page_label(page.number), callbacks.NOOP))
    if page.has_next:
        row.append(button(texts.NEXT, route, *values, page.number + 1))
    return row


def back_to_menu() -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([back_row()])


def back_to(route: Route, *values: object) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([back_row(route, *values)])


def cancel() -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[button(texts.CANCEL, callbacks.CANCEL)]])


def join_channel(url: str) -> InlineKeyboardMarkup:
    rows = [[url_button(texts.JOIN, url)]] if url else []
    return InlineKeyboardMarkup([*rows, [button(texts.JOINED, callbacks.CHECK_SUBSCRIPTION)]])
