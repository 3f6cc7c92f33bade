"""Maintenance mode: the admin screen and the notice customers get meanwhile."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from telegrambot.models import MaintenanceMode
from telegrambot.texts.common import date_time, user_text

NOTICE = gettext_lazy("🛠 The shop is closed for maintenance. Please come back a little later.")
TURN_ON = gettext_lazy("🛠 Turn maintenance on")
TURN_OFF = gettext_lazy("✅ Open the shop again")


def screen(mode: MaintenanceMode) -> str:
    if mode.enabled:
        text = _(
            "🛠 <b>Maintenance mode is ON</b>\n\n"
            "Customers see a short notice instead of the shop. Admins keep working, "
            "and payments are still credited."
        )
    else:
        text = _("🛠 <b>Maintenance mode is off</b>\n\nThe shop is open to customers.")
    if mode.changed_by_id is not None:
        text += "\n\n" + _("Last changed by %(admin)s at %(time)s.") % {
            "admin": user_text(mode.changed_by.display_name if mode.changed_by else "?"),
            "time": date_time(mode.changed),
        }
    return text
