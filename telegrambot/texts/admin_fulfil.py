"""The admin menu's Orders to fulfil: the queue, an order with its answers, delivering, refunding."""

from __future__ import annotations

import html
from urllib.parse import urlsplit

from django.utils.timezone import now
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from catalog.manual_models import ManualOrder
from catalog.models import Product
from catalog.selectors import Page
from catalog.selectors.manual import Question
from catalog.services.dynamic import mask_secret
from payments.money import format_money
from telegrambot.texts.common import date_time, page_label, user_text

DELIVER = gettext_lazy("📦 Deliver")
REFUND = gettext_lazy("↩️ Refund")
YES_REFUND = gettext_lazy("↩️ Yes, refund")
NO = gettext_lazy("✖️ No")
NONE_WAITING = gettext_lazy("📦 <b>Orders to fulfil</b>\n\nNo order is waiting.")
ASK_DELIVERY = gettext_lazy(
    "📦 Send what the customer receives: a text (up to 4000 characters), or a document "
    "(up to 50 MB) with an optional caption."
)

ASK_HOURS = gettext_lazy("⏱ Send how many hours staff have to deliver an order (1 to 720).")


def ask_questions(current: list[Question]) -> str:
    text = _(
        "❓ Send up to 3 questions the buyer answers at checkout, one a line, as "
        "<code>question | longest answer</code> (for example <code>Your account e-mail | 100</code>). "
        "Send <code>-</code> to ask nothing."
    )
    if current:
        lines = ["%s | %s" % (user_text(item.label, limit=100), item.max_length) for item in current]
        text += "\n\n" + _("Now:") + "\n" + "\n".join(lines)
    return text


ASK_ENDPOINT = gettext_lazy(
    "🔌 Send the seller's endpoint: its https:// address on the first line and, on the second, the secret "
    "(16 to 128 characters) it checks the signature with. Leave the second line out to keep the current secret. "
    "The message is deleted once read."
)


def endpoint_set(product: Product) -> str:
    return _("✅ Sales of %(name)s now take their value from %(host)s (secret %(secret)s).") % {
        "name": user_text(product.name, limit=100),
        "host": user_text(urlsplit(product.endpoint_url).hostname or "", limit=100),
        "secret": mask_secret(product.endpoint_secret),
    }


def hours_set(hours: int) -> str:
    return _("✅ Orders are now due within %(hours)s h of the sale.") % {"hours": hours}


def questions_set(count: int) -> str:
    if not count:
        return str(_("✅ The checkout asks nothing now."))
    return _("✅ The checkout now asks %(count)s questions.") % {"count": count}


def section_button(waiting: int) -> str:
    return _("📦 Orders to fulfil (%(count)s)") % {"count": waiting} if waiting else _("📦 Orders to fulfil")


def order_button(order: ManualOrder) -> str:
    late = "⏰ " if order.due_at <= now() else ""
    return "%s#%s · %s" % (late, order.purchase.order_number, order.purchase.product_name[:30])


def queue(page: Page[ManualOrder]) -> str:
    if not page.items and page.number == 1:
        return str(NONE_WAITING)
    text = _("📦 <b>Orders to fulfil</b>\n\nThe nearest deadline first; ⏰ marks the late ones.")
    return text + ("\n" + page_label(page.number) if page.number > 1 else "")


def order(item: ManualOrder) -> str:
    purchase = item.purchase
    customer = item.customer
    who = "@" + customer.username if customer.username else customer.first_name or str(customer.telegram_id)
    lines = [
        _("📦 <b>Order #%(number)s</b>") % {"number": html.escape(purchase.order_number)},
        _("Item: %(item)s") % {"item": user_text(purchase.product_name, limit=100)},
        _("Paid: %(price)s") % {"price": format_money(purchase.price)},
        _("Customer: %(who)s (%(id)s)") % {"who": user_text(who, limit=64), "id": customer.telegram_id},
        _("Deliver by: %(date)s") % {"date": date_time(item.due_at)},
        _("Status: %(status)s") % {"status": item.get_status_display()},
    ]
    if item.answers:
        lines.append("")
        lines += [
            "<b>%s</b>\n%s"
            % (user_text(answer.get("label", ""), limit=100), user_text(answer.get("answer", ""), limit=1000))
            for answer in item.answers
        ]
    if item.delivered_text:
        lines += ["", _("Delivered:"), "<code>%s</code>" % html.escape(item.delivered_text[:2000])]
    return "\n".join(lines)


def confirm_refund(item: ManualOrder) -> str:
    return _("↩️ Refund order #%(number)s? %(price)s goes back to the customer's balance.") % {
        "number": html.escape(item.purchase.order_number),
        "price": format_money(item.purchase.price),
    }


def delivered(item: ManualOrder) -> str:
    return _("✅ Order #%(number)s is delivered; the customer is told.") % {
        "number": html.escape(item.purchase.order_number)
    }


def refunded(item: ManualOrder) -> str:
    return _("↩️ Order #%(number)s is refunded; the customer is told.") % {
        "number": html.escape(item.purchase.order_number)
    }


def overdue(item: ManualOrder) -> str:
    return _("⏰ Order #%(number)s (%(item)s) is past its deadline (%(date)s) and still waits.") % {
        "number": html.escape(item.purchase.order_number),
        "item": user_text(item.purchase.product_name, limit=100),
        "date": date_time(item.due_at),
    }


def customer_delivered(item: ManualOrder, *, with_value: bool = True) -> str:
    text = _("📦 Your order #%(number)s (%(item)s) is ready.") % {
        "number": html.escape(item.purchase.order_number),
        "item": user_text(item.purchase.product_name, limit=100),
    }
    if not item.purchase.value or item.purchase.file_id is not None and not item.delivered_text:
        return text
    if not with_value:
        return text + "\n\n" + _("It is too long for a message and was sent as a file.")
    return text + "\n\n<code>" + html.escape(item.purchase.value) + "</code>"


def customer_refunded(item: ManualOrder) -> str:
    return _(
        "↩️ Your order #%(number)s (%(item)s) could not be delivered: %(price)s is back on your balance."
    ) % {
        "number": html.escape(item.purchase.order_number),
        "item": user_text(item.purchase.product_name, limit=100),
        "price": format_money(item.purchase.price),
    }
