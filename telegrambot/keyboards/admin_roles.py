"""Roles in the admin menu."""

from __future__ import annotations

from telegram import InlineKeyboardMarkup

from accounts.selectors.staff import RoleInfo
from telegrambot import callbacks
from telegrambot.keyboards.admin_menu import to_admin_row
from telegrambot.keyboards.common import button
from telegrambot.texts import admin_roles as texts
from telegrambot.texts import common as common_texts


def roles(infos: list[RoleInfo]) -> InlineKeyboardMarkup:
    rows = [
        [
            button(
                info.name[:40] + (texts.BUILTIN_MARK if info.is_builtin else ""),
                callbacks.ADMIN_ROLE,
                info.id,
            )
        ]
        for info in infos
    ]
    rows.append([button(texts.NEW_ROLE, callbacks.ADMIN_ROLE_ADD)])
    rows.append(to_admin_row())
    return InlineKeyboardMarkup(rows)


def role(info: RoleInfo) -> InlineKeyboardMarkup:
    rows = []
    if not info.is_builtin and info.grantable:
        rows.append(
            [
                button(texts.EDIT, callbacks.ADMIN_ROLE_EDIT, info.id),
                button(texts.DELETE, callbacks.ADMIN_ROLE_DELETE, info.id),
            ]
        )
    rows.append([button(common_texts.BACK, callbacks.ADMIN_ROLES), *to_admin_row()])
    return InlineKeyboardMarkup(rows)


def draft(chosen: list[str], held: frozenset[str], order: list[str]) -> InlineKeyboardMarkup:
    toggles = [
        button(
            texts.permission_button(code, chosen=code in chosen, grantable=code in held),
            callbacks.ADMIN_ROLE_TOGGLE,
            code,
        )
        for code in order
    ]
    rows = [toggles[index : index + 2] for index in range(0, len(toggles), 2)]
    rows.append(
        [button(texts.RENAME, callbacks.ADMIN_ROLE_RENAME), button(texts.SAVE, callbacks.ADMIN_ROLE_SAVE)]
    )
    rows.append([button(common_texts.CANCEL, callbacks.ADMIN_ROLES)])
    return InlineKeyboardMarkup(rows)


def confirm_delete(role_id: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [
                button(texts.YES_DELETE, callbacks.ADMIN_ROLE_DELETE_YES, role_id),
                button(common_texts.BACK, callbacks.ADMIN_ROLE, role_id),
            ]
        ]
    )
