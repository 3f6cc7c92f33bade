"""The main menu and the language choice."""

from __future__ import annotations

from django.conf import settings
from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from accounts.models import Customer
from telegrambot import callbacks
from telegrambot.keyboards import tickets
from telegrambot.keyboards.common import back_row, button, url_button
from telegrambot.miniapp import launch
from telegrambot.texts import start as texts


def main_menu(*, cart_count: int, is_admin: bool) -> InlineKeyboardMarkup:
    rows: list[list[InlineKeyboardButton]] = [
        [button(texts.SHOP, callbacks.SHOP), button(texts.cart(cart_count), callbacks.CART)],
        [button(texts.PROFILE, callbacks.PROFILE), button(texts.TOP_UP, callbacks.TOP_UP)],
    ]
    extra = []
    if settings.REFERRAL_PERCENT > 0:
        extra.append(button(texts.REFERRALS, callbacks.REFERRALS))
    if settings.RULES.strip().startswith("https://"):
        extra.append(url_button(texts.RULES, settings.RULES.strip()))
    elif settings.RULES.strip():
        extra.append(button(texts.RULES, callbacks.RULES))
    if settings.HELPER_ID.strip():
        extra.append(button(texts.SUPPORT, callbacks.SUPPORT))
    extra.append(button(texts.LANGUAGE, callbacks.LANGUAGE))
    rows += [extra[index : index + 2] for index in range(0, len(extra), 2)]
    if settings.CHANNEL_URL:
        rows.append([url_button(texts.NEWS, settings.CHANNEL_URL)])
    shop_app = launch.open_button()
    if shop_app is not None:
        rows.insert(0, [shop_app])
    if is_admin:
        rows.append([button(texts.ADMIN_PANEL, callbacks.ADMIN_PANEL)])
    return InlineKeyboardMarkup(rows)


def languages() -> InlineKeyboardMarkup:
    choices = [button(label, callbacks.SET_LANGUAGE, code) for code, label in Customer.Language.choices]
    return InlineKeyboardMarkup([choices, back_row()])


def support() -> InlineKeyboardMarkup:
    helper = settings.HELPER_ID.strip().lstrip("@")
    rows = []
    if helper and not helper.lstrip("-").isdigit():
        rows.append([url_button(texts.SUPPORT, f"https://t.me/{helper}")])
    return InlineKeyboardMarkup([*rows, *tickets.write_rows(), back_row()])
