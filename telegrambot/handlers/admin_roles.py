"""Roles in the admin menu: list, create, edit and delete custom roles.

A role being written is a draft in the dialog state (its name and chosen
permissions); each toggle is checked by ``check_grantable``, which refuses,
and audits, any permission the admin does not hold, and the draft is written
only by ``save_role``, which checks everything again.
"""

from __future__ import annotations

from typing import Any

from telegram import Update
from telegram.ext import CallbackQueryHandler

from accounts import roles, services
from accounts.models import PERMISSION_CODENAMES
from accounts.selectors import staff
from telegrambot import callbacks, screens
from telegrambot.adapter import call
from telegrambot.context import ShopContext
from telegrambot.features import Feature
from telegrambot.keyboards import admin_roles as keyboards
from telegrambot.keyboards import common as common_keyboards
from telegrambot.prompting import ask, current_state, finish, require, step_over
from telegrambot.services import dialog
from telegrambot.texts import admin_roles as texts

ROLE_NAME = "admin_role_name"
ROLE_DRAFT = "admin_role_draft"


async def list_roles(update: Update, context: ShopContext, prefix: str = "") -> None:
    """Lists every role with its permissions and holders, leaving any role being written."""
    infos = await call(staff.list_roles, actor=context.customer)
    await finish(context)
    await screens.show(update, context, prefix + texts.roles(infos), keyboards.roles(infos))


async def show_role(
    update: Update, context: ShopContext, role_id: int | None = None, prefix: str = ""
) -> None:
    """Shows a role's permissions, with Edit and Delete for a custom role the admin may change."""
    if role_id is None:
        role_id = callbacks.ADMIN_ROLE.parse(update.callback_query.data)
    info = await call(staff.get_role, actor=context.customer, role_id=role_id)
    await screens.show(update, context, prefix + texts.role(info), keyboards.role(info))


async def ask_new_role(update: Update, context: ShopContext) -> None:
    """Asks for the name of a new role."""
    await require(context, "manage_roles", "save_role")
    data = {"role_id": None, "codenames": []}
    await ask(update, context, ROLE_NAME, data, str(texts.ASK_NAME), common_keyboards.cancel())


async def name_typed(update: Update, context: ShopContext, state: dialog.Dialog) -> None:
    """Takes the role's name and shows the permission toggles."""
    data = dict(state.data)
    name = await call(
        staff.check_role_name, actor=context.customer, name=update.message.text, role_id=data.get("role_id")
    )
    await show_draft(update, context, {**data, "name": name})


async def edit_role(update: Update, context: ShopContext) -> None:
    """Starts editing a custom role the admin may change."""
    role_id = callbacks.ADMIN_ROLE_EDIT.parse(update.callback_query.data)
    info = await call(staff.check_role_editable, actor=context.customer, role_id=role_id)
    await show_draft(
        update, context, {"role_id": info.id, "name": info.name, "codenames": list(info.codenames)}
    )


async def show_draft(update: Update, context: ShopContext, data: dict[str, Any]) -> None:
    held = await call(roles.permissions_of, context.customer)
    keyboard = keyboards.draft(data["codenames"], held, PERMISSION_CODENAMES)
    text = texts.draft(data["name"], is_new=data.get("role_id") is None)
    await ask(update, context, ROLE_DRAFT, data, text, keyboard)


async def draft_state(context: ShopContext) -> dialog.Dialog | None:
    """Return the role being written, checking first that the admin may still write roles."""
    await require(context, "manage_roles", "save_role")
    return await current_state(context, ROLE_DRAFT)


async def toggle(update: Update, context: ShopContext) -> None:
    """Switches a permission of the draft on or off; one the admin lacks is refused and audited."""
    codename = callbacks.ADMIN_ROLE_TOGGLE.parse(update.callback_query.data)
    state = await draft_state(context)
    if state is None:
        await step_over(update, context)
        return
    chosen = set(state.data["codenames"]) ^ {codename}
    checked = await call(staff.check_grantable, actor=context.customer, codenames=sorted(chosen))
    await show_draft(update, context, {**state.data, "codenames": checked})


async def rename(update: Update, context: ShopContext) -> None:
    """Asks for another name for the role being written."""
    state = await draft_state(context)
    if state is None:
        await step_over(update, context)
        return
    await ask(update, context, ROLE_NAME, dict(state.data), str(texts.ASK_NAME), common_keyboards.cancel())


async def save(update: Update, context: ShopContext) -> None:
    """Saves the role being written."""
    state = await draft_state(context)
    if state is None:
        await step_over(update, context)
        return
    data = state.data
    group = await call(
        services.save_role,
        actor=context.customer,
        name=data["name"],
        codenames=data["codenames"],
        role_id=data.get("role_id"),
    )
    await finish(context)
    await show_role(update, context, group.pk, prefix=texts.saved(group.name) + "\n\n")


async def ask_delete(update: Update, context: ShopContext) -> None:
    """Asks to confirm deleting a custom role, saying how many hold it."""
    role_id = callbacks.ADMIN_ROLE_DELETE.parse(update.callback_query.data)
    info = await call(staff.check_role_editable, actor=context.customer, role_id=role_id)
    await screens.show(update, context, texts.confirm_delete(info), keyboards.confirm_delete(info.id))


async def delete(update: Update, context: ShopContext) -> None:
    """Deletes a custom role; its holders become plain customers."""
    role_id = callbacks.ADMIN_ROLE_DELETE_YES.parse(update.callback_query.data)
    holders = await call(services.delete_role, actor=context.customer, role_id=role_id)
    await list_roles(update, context, prefix=texts.deleted(holders) + "\n\n")


async def back_to_roles(update: Update, context: ShopContext) -> None:
    """Lists the roles."""
    await list_roles(update, context)


HANDLERS = [
    CallbackQueryHandler(back_to_roles, pattern=callbacks.ADMIN_ROLES.pattern),
    CallbackQueryHandler(show_role, pattern=callbacks.ADMIN_ROLE.pattern),
    CallbackQueryHandler(ask_new_role, pattern=callbacks.ADMIN_ROLE_ADD.pattern),
    CallbackQueryHandler(edit_role, pattern=callbacks.ADMIN_ROLE_EDIT.pattern),
    CallbackQueryHandler(toggle, pattern=callbacks.ADMIN_ROLE_TOGGLE.pattern),
    CallbackQueryHandler(rename, pattern=callbacks.ADMIN_ROLE_RENAME.pattern),
    CallbackQueryHandler(save, pattern=callbacks.ADMIN_ROLE_SAVE.pattern),
    CallbackQueryHandler(ask_delete, pattern=callbacks.ADMIN_ROLE_DELETE.pattern),
    CallbackQueryHandler(delete, pattern=callbacks.ADMIN_ROLE_DELETE_YES.pattern),
]
PROMPTS = {ROLE_NAME: name_typed}
FEATURE = Feature("admin_roles", handlers=HANDLERS, prompts=PROMPTS)
