"""Support tickets in the web admin: the list with filters, a ticket's page with the conversation, Reply and Close.

Reply and Close call the same services as the bot's admin menu
(``manage_support``, audited); the bot's ticket-notices job relays a reply
to the customer within half a minute.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from catalog.models import Ticket, TicketMessage
from catalog.services import tickets as services
from shopbot.admin import ReadOnlyAdmin


@admin.register(Ticket)
class TicketAdmin(ReadOnlyAdmin):
    list_display = ("id", "customer", "kind", "status", "claim", "payment", "updated")
    list_filter = ("status", "kind")
    list_select_related = ("customer",)
    telegram_id_lookups = ("customer__telegram_id",)
    search_fields = ("=id",)
    readonly_fields = (
        "customer",
        "kind",
        "status",
        "claim",
        "stars_order",
        "created",
        "closed_at",
        "closed_by_label",
        "conversation",
    )
    exclude = ("payment", "updated")
    shop_permission = "manage_support"

    @admin.display(description=gettext_lazy("Stars order"))
    def stars_order(self, ticket: Ticket) -> str:
        if ticket.payment is None:
            return "—"
        numbers = ", ".join("#" + purchase.order_number for purchase in ticket.payment.purchases.all())
        return _("%(numbers)s, charge id %(charge)s, %(status)s") % {
            "numbers": numbers or "—",
            "charge": ticket.payment.provider_charge_id or "—",
            "status": ticket.payment.get_status_display(),
        }

    @admin.display(description=gettext_lazy("conversation"))
    def conversation(self, ticket: Ticket) -> SafeString:
        rows = TicketMessage.objects.filter(ticket=ticket).order_by("created", "id")
        return format_html_join(
            "",
            "<p><b>{}</b> · {}{}<br>{}</p>",
            (
                (
                    _("Staff %(who)s") % {"who": row.author_label} if row.from_staff else _("Customer"),
                    row.created.strftime("%Y-%m-%d %H:%M"),
                    format_html(" · {} {}", row.get_attachment_kind_display(), row.attachment_id)
                    if row.attachment_id
                    else "",
                    _("Closed the ticket.") if row.closes else row.text,
                )
                for row in rows
            ),
        )

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        """A posted reply or close goes to the service; the page shows the conversation and the form."""
        if request.method == "POST" and ("send_reply" in request.POST or "close_ticket" in request.POST):
            with self.refusals_shown(request) as outcome:
                if "send_reply" in request.POST:
                    services.reply_to_ticket(
                        actor=request.user, ticket_id=object_id, text=request.POST.get("reply")
                    )
                    done = _("The reply is sent; the customer gets it in the bot.")
                else:
                    services.close_ticket(actor=request.user, ticket_id=object_id)
                    done = _("The ticket is closed.")
            if not outcome.refused:
                self.message_user(request, done, messages.SUCCESS)
            return HttpResponseRedirect(request.path)
        ticket = Ticket.objects.filter(pk=object_id).only("status").first() if object_id.isdigit() else None
        context = {
            **(extra_context or {}),
            "ticket_open": ticket is not None and ticket.is_open and self.holds(request, "manage_support"),
            "reply_title": _("Reply to the customer"),
            "reply_label": _("Send the reply"),
            "close_label": _("Close the ticket"),
            "reply_max": services.TEXT_MAX_LENGTH,
        }
        return super().change_view(request, object_id, form_url, context)
