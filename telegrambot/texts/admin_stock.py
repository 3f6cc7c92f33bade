"""The admin's stock: uploads with a preview, units, low-stock thresholds and alerts."""

from __future__ import annotations

from urllib.parse import urlsplit

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from catalog.models import Product, StockUnit
from catalog.selectors import ProductCard
from catalog.services import StockReport
from catalog.services.dynamic import mask_secret
from payments.money import format_money
from telegrambot.texts.common import date_time, page_label, user_text

ADD = gettext_lazy("➕ Add units")
UNITS = gettext_lazy("📋 Units")
THRESHOLD = gettext_lazy("🔔 Low-stock alert")
DELETE_UNIT = gettext_lazy("🗑 Delete this unit")
ANNOUNCE = gettext_lazy("📢 Post to the channel")
ASK_UNITS = gettext_lazy(
    "➕ Paste the units, one per line, or send a .txt or .csv file (UTF-8, up to 5 MB; "
    "in a .csv file the first column). You will see a preview before anything is added."
)
ASK_THRESHOLD = gettext_lazy(
    "🔔 Send the number of unsold units at or below which admins are alerted (0 turns the alert off)."
)
PREVIEW_EXPIRED = gettext_lazy("The preview has expired. Send the units again.")
READING = gettext_lazy("⏳ Reading the file…")
NOTHING_TO_ADD = gettext_lazy("Nothing new to add. Send other units, or press Cancel.")
ANNOUNCED = gettext_lazy("Posted to the channel.")
FILE_EXPECTED = gettext_lazy("Send the units as text or as a .txt or .csv file.")
ADD_FILES = gettext_lazy("📎 Add files")
SET_SHARED_FILE = gettext_lazy("📎 Send the shared file")
ASK_FILES = gettext_lazy(
    "📎 Send the files as documents (up to 50 MB each): each document becomes one unit. "
    "Press Back when you are done."
)
ASK_SHARED_FILE = gettext_lazy(
    "📎 Send the file every buyer receives, as a document (up to 50 MB). It replaces the current one."
)
DOCUMENT_EXPECTED = gettext_lazy("Send the file as a document (📎 → File), not as text or a photo.")
KIND_BUTTONS = {
    "stock": gettext_lazy("📝 Deliver text units instead"),
    "file": gettext_lazy("📎 Deliver files instead"),
    "shared": gettext_lazy("📝 Deliver one shared text instead"),
    "shared_file": gettext_lazy("📎 Deliver one shared file instead"),
    "manual": gettext_lazy("🤝 Deliver by hand instead"),
    "dynamic": gettext_lazy("🔌 Deliver from the seller's system instead"),
}
ENDPOINT = gettext_lazy("🔌 Seller's endpoint")
FULFIL_HOURS = gettext_lazy("⏱ Hours to deliver")
QUESTIONS = gettext_lazy("❓ Checkout questions")


def switch_kind_button(kind: str) -> str:
    return str(KIND_BUTTONS[kind])


def file_added(name: str, added: int, *, units: int) -> str:
    if not added:
        return _("%(file)s is already in stock. Send another file, or press Back.") % {
            "file": user_text(name, limit=100)
        }
    return _("✅ Added %(file)s. Unsold units: %(count)s. Send another file, or press Back.") % {
        "file": user_text(name, limit=100),
        "count": units,
    }


def shared_file_set(name: str) -> str:
    return _("✅ Every buyer now receives %(file)s.") % {"file": user_text(name, limit=100)}


def waitlist_line(count: int) -> str:
    return "\n" + _("Waiting to be told it is back: %(count)s") % {"count": count} if count else ""


def preorders_line(count: int) -> str:
    return (
        "\n" + _("Paid pre-orders waiting, filled first by new units: %(count)s") % {"count": count}
        if count
        else ""
    )


def overview(low: list[Product], number: int) -> str:
    text = _("📦 <b>Stock</b>\n\nChoose a category, then a product.")
    if low:
        lines = [
            _("• %(name)s: %(left)s left (alert at %(threshold)s)")
            % {
                "name": user_text(product.name, limit=60),
                "left": product.unsold,
                "threshold": product.low_stock_threshold,
            }
            for product in low[:10]
        ]
        text += "\n\n" + _("<b>Running low:</b>") + "\n" + "\n".join(lines)
    return text + ("\n" + page_label(number) if number > 1 else "")


def category(name: str, number: int) -> str:
    text = _("📦 <b>Stock of %(name)s</b>\n\nChoose a product.") % {"name": user_text(name)}
    return text + ("\n" + page_label(number) if number > 1 else "")


def product_button(product: Product) -> str:
    name = product.name if len(product.name) <= 40 else product.name[:39] + "…"
    return f"{name} · " + ("♾" if product.is_unlimited else str(product.unsold))


def product(card: ProductCard, waiting: int = 0, *, defective: int = 0, preorders: int = 0) -> str:
    return (
        product_summary(card, defective=defective)
        + "\n"
        + _("Delivery: %(kind)s") % {"kind": card.product.get_delivery_display()}
        + preorders_line(preorders)
        + waitlist_line(waiting)
    )


def product_summary(card: ProductCard, *, defective: int = 0) -> str:
    item = card.product
    if item.delivery == Product.DeliveryKind.SHARED_FILE:
        return _("📦 <b>%(name)s</b>\n\nEvery buyer receives the same file: %(file)s") % {
            "name": user_text(item.name, limit=100),
            "file": user_text(item.unlimited_value, limit=100) if item.unlimited_value else _("not sent yet"),
        }
    if item.is_manual:
        return _(
            "📦 <b>%(name)s</b>\n\nStaff deliver every order by hand (Orders to fulfil), within %(hours)s h."
        ) % {"name": user_text(item.name, limit=100), "hours": item.fulfil_hours}
    if item.is_dynamic:
        return _(
            "📦 <b>%(name)s</b>\n\nEach sale's value comes from the seller's system: %(host)s, secret %(secret)s. "
            "An order it cannot deliver waits in Orders to fulfil (%(hours)s h)."
        ) % {
            "name": user_text(item.name, limit=100),
            "host": user_text(urlsplit(item.endpoint_url).hostname or _("not set: sold out"), limit=100),
            "secret": mask_secret(item.endpoint_secret) or _("not set"),
            "hours": item.fulfil_hours,
        }
    if item.is_unlimited:
        return _(
            "📦 <b>%(name)s</b>\n\nThis product is unlimited: every buyer gets the same value, it has no units."
        ) % {"name": user_text(item.name, limit=100)}
    threshold = item.low_stock_threshold or _("off")
    text = _("📦 <b>%(name)s</b>\n\nUnsold units: <b>%(count)s</b>\nLow-stock alert at: %(threshold)s") % {
        "name": user_text(item.name, limit=100),
        "count": card.stock,
        "threshold": threshold,
    }
    if defective:
        text += "\n" + _("Defective (found by claims, never sold again): %(count)s") % {"count": defective}
    return text


def preview(name: str, report: StockReport) -> str:
    text = _(
        "🔍 <b>Preview for %(name)s</b>\n\n"
        "New units: <b>%(new)s</b>\n"
        "Repeated in this upload: %(duplicates)s\n"
        "Already in stock: %(existing)s\n"
        "Empty lines: %(empty)s\n"
        "Refused (over 4000 characters or not text): %(refused)s"
    ) % {
        "name": user_text(name, limit=100),
        "new": report.new,
        "duplicates": report.duplicates,
        "existing": report.existing,
        "empty": report.empty,
        "refused": report.refused,
    }
    return text + "\n\n" + (_("Add them?") if report.new else str(NOTHING_TO_ADD))


def confirm_button(count: int) -> str:
    return _("✅ Add %(count)s units") % {"count": count}


def adding(count: int) -> str:
    return _("⏳ Adding %(count)s units…") % {"count": count}


def added(name: str, report: StockReport) -> str:
    return _("✅ Added %(new)s units to %(name)s; %(skipped)s lines skipped.") % {
        "new": report.new,
        "name": user_text(name, limit=100),
        "skipped": report.skipped,
    }


def units(name: str, number: int, *, empty: bool) -> str:
    text = _("📋 <b>Unsold units of %(name)s</b>, oldest first.") % {"name": user_text(name, limit=100)}
    if empty:
        text += "\n\n" + _("No unsold units.")
    return text + "\n" + page_label(number)


def unit_button(unit: StockUnit) -> str:
    value = " ".join(unit.value.split())
    return f"#{unit.pk} " + (value if len(value) <= 30 else value[:29] + "…")


def unit(item: StockUnit) -> str:
    return _("📦 Unit #%(id)s of <b>%(name)s</b>, added %(date)s\n\n<code>%(value)s</code>") % {
        "id": item.pk,
        "name": user_text(item.product.name, limit=100),
        "date": date_time(item.created),
        "value": user_text(item.value, limit=3500),
    }


def low_stock_alert(product: Product) -> str:
    return _("⚠️ <b>%(name)s</b> is running low: %(left)s units left (alert at %(threshold)s).") % {
        "name": user_text(product.name, limit=100),
        "left": product.unsold,
        "threshold": product.low_stock_threshold,
    }


def new_stock_post(card: ProductCard) -> str:
    return _("🆕 New in stock: <b>%(name)s</b> — %(price)s") % {
        "name": user_text(card.product.name, limit=100),
        "price": format_money(card.product.price),
    }
