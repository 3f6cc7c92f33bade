"""The admin menu, the web admin sign-in link, and the names of the shop permissions."""

from __future__ import annotations

import html

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

CATALOG = gettext_lazy("🗂 Catalog")
STOCK = gettext_lazy("📦 Stock")
ORDER = gettext_lazy("🔎 Find an order")
USERS = gettext_lazy("👥 Users")
ROLES = gettext_lazy("🛡 Roles")
PROMOS = gettext_lazy("🎟 Promo codes")
BROADCAST = gettext_lazy("📣 Broadcast")
STATS = gettext_lazy("📊 Statistics")
AUDIT = gettext_lazy("📜 Audit log")
MAINTENANCE = gettext_lazy("🔧 Maintenance")
SIGN_IN = gettext_lazy("🌐 Web admin link")
NOTIFICATIONS = gettext_lazy("🔔 Notifications")
TO_ADMIN = gettext_lazy("🛠 Admin menu")
EXPIRED_STEP = gettext_lazy("This step is over. Open the admin menu with /admin.")

# The shop permissions as the bot names them (accounts.models.SHOP_PERMISSIONS, translated).
PERMISSIONS = {
    "manage_catalog": gettext_lazy("Catalog"),
    "manage_stock": gettext_lazy("Stock"),
    "manage_users": gettext_lazy("Users"),
    "manage_balances": gettext_lazy("Balances"),
    "manage_roles": gettext_lazy("Roles"),
    "manage_promos": gettext_lazy("Promo codes"),
    "broadcast": gettext_lazy("Broadcasts"),
    "view_statistics": gettext_lazy("Statistics"),
    "view_audit": gettext_lazy("Audit log"),
    "refund_payments": gettext_lazy("Refunds"),
    "maintenance": gettext_lazy("Maintenance"),
    "view_delivered_values": gettext_lazy("Delivered keys"),
    "manage_claims": gettext_lazy("Claims"),
    "manage_support": gettext_lazy("Support"),
    "fulfil_orders": gettext_lazy("Orders to fulfil"),
    "anonymise_customers": gettext_lazy("Anonymising"),
}


def permission_list(codenames: object) -> str:
    names = [str(PERMISSIONS.get(code, code)) for code in codenames]  # type: ignore[attr-defined]
    return ", ".join(names) if names else _("none")


def menu(codenames: frozenset[str]) -> str:
    return _("🛠 <b>Admin menu</b>\n\nYou may: %(permissions)s.") % {
        "permissions": html.escape(permission_list(code for code in PERMISSIONS if code in codenames))
    }


def sign_in_link(url: str) -> str:
    return _(
        "🌐 <b>Web admin</b>\n\n"
        '<a href="%(url)s">Open the web admin</a>\n\n'
        "The link works once and for 5 minutes. Do not forward it: it signs in as you."
    ) % {"url": html.escape(url, quote=True)}
