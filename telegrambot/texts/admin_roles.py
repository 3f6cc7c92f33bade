"""Roles in the admin menu: the list, a role's permissions, the role form."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.selectors.staff import RoleInfo
from telegrambot.texts.admin_menu import PERMISSIONS, permission_list
from telegrambot.texts.common import user_text

NEW_ROLE = gettext_lazy("➕ New role")
EDIT = gettext_lazy("✏️ Edit")
DELETE = gettext_lazy("🗑 Delete")
YES_DELETE = gettext_lazy("🗑 Yes, delete")
RENAME = gettext_lazy("✏️ Rename")
SAVE = gettext_lazy("💾 Save")
ASK_NAME = gettext_lazy("🛡 Send the role name (1 to 64 characters).")
ON, OFF = "✅", "▫️"
LOCKED = "🔒"
BUILTIN_MARK = " ⭐"


def roles(infos: list[RoleInfo]) -> str:
    lines = [_("🛡 <b>Roles</b> (⭐ built-in)"), ""]
    for info in infos:
        lines.append(
            _("<b>%(name)s</b> (%(holders)s): %(permissions)s")
            % {
                "name": user_text(info.name, limit=64),
                "holders": info.holders,
                "permissions": permission_list(info.codenames),
            }
        )
    return "\n".join(lines)


def role(info: RoleInfo) -> str:
    text = _("🛡 <b>%(name)s</b>\n\nHolders: %(holders)s\nPermissions: %(permissions)s") % {
        "name": user_text(info.name, limit=64),
        "holders": info.holders,
        "permissions": permission_list(info.codenames),
    }
    if info.is_builtin:
        text += "\n\n" + _("Built-in roles cannot be changed or deleted.")
    elif not info.grantable:
        text += "\n\n" + _("This role holds permissions you do not have; you cannot change it.")
    return text


def draft(name: str, *, is_new: bool) -> str:
    title = _("New role") if is_new else _("Editing a role")
    return _(
        "🛡 <b>%(title)s: %(name)s</b>\n\n"
        "Press a permission to switch it on or off (🔒: you do not hold it, so you cannot grant it), then Save."
    ) % {"title": title, "name": user_text(name, limit=64)}


def permission_button(codename: str, *, chosen: bool, grantable: bool) -> str:
    mark = ON if chosen else OFF if grantable else LOCKED
    return f"{mark} {PERMISSIONS[codename]}"


def confirm_delete(info: RoleInfo) -> str:
    return _("🗑 Delete the role <b>%(name)s</b>? Its %(holders)s holders become plain customers.") % {
        "name": user_text(info.name, limit=64),
        "holders": info.holders,
    }


def saved(name: str) -> str:
    return _("💾 The role <b>%(name)s</b> is saved.") % {"name": user_text(name, limit=64)}


def deleted(holders: int) -> str:
    return _("🗑 The role is deleted; %(holders)s users became plain customers.") % {"holders": holders}
