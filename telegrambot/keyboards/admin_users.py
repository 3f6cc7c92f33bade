"""Users in the admin menu."""

from __future__ import annotations

from telegram import InlineKeyboardMarkup

from accounts.models import Customer
from accounts.selectors.staff import RoleInfo
from telegrambot import callbacks
from telegrambot.keyboards.admin_menu import to_admin_row
from telegrambot.keyboards.common import button
from telegrambot.texts import admin_users as texts
from telegrambot.texts import common as common_texts


def profile(customer: Customer, codenames: frozenset[str]) -> InlineKeyboardMarkup:
    telegram_id = customer.telegram_id
    rows = []
    if "manage_balances" in codenames:
        rows.append(
            [
                button(texts.CREDIT, callbacks.ADMIN_USER_BALANCE, telegram_id, "credit"),
                button(texts.DEBIT, callbacks.ADMIN_USER_BALANCE, telegram_id, "debit"),
            ]
        )
    actions = []
    if "manage_users" in codenames and not customer.is_owner:
        if customer.is_blocked:
            actions.append(button(texts.UNBLOCK, callbacks.ADMIN_USER_BLOCK, telegram_id, "off"))
        else:
            actions.append(button(texts.BLOCK, callbacks.ADMIN_USER_BLOCK, telegram_id, "on"))
    if "manage_roles" in codenames and not customer.is_owner:
        actions.append(button(texts.ROLE, callbacks.ADMIN_USER_ROLES, telegram_id))
    rows += [actions] if actions else []
    if "anonymise_customers" in codenames and not customer.is_owner and customer.anonymised_at is None:
        rows.append([button(texts.ANONYMISE, callbacks.ADMIN_USER_ANONYMISE, telegram_id, "ask")])
    rows.append([button(texts.FIND_ANOTHER, callbacks.ADMIN_USERS), *to_admin_row()])
    return InlineKeyboardMarkup(rows)


def roles(customer: Customer, choices: list[RoleInfo]) -> InlineKeyboardMarkup:
    rows = [
        [
            button(
                (texts.CURRENT_MARK if info.id == customer.role_id else "") + info.name[:40],
                callbacks.ADMIN_USER_SET_ROLE,
                customer.telegram_id,
                info.id,
            )
        ]
        for info in choices
        if info.grantable
    ]
    rows.append([button(common_texts.BACK, callbacks.ADMIN_USER, customer.telegram_id), *to_admin_row()])
    return InlineKeyboardMarkup(rows)


def cancel_to(telegram_id: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[button(common_texts.CANCEL, callbacks.ADMIN_USER, telegram_id)]])


def confirm_anonymise(telegram_id: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [button(texts.ANONYMISE_YES, callbacks.ADMIN_USER_ANONYMISE, telegram_id, "yes")],
            [button(common_texts.CANCEL, callbacks.ADMIN_USER, telegram_id)],
        ]
    )
