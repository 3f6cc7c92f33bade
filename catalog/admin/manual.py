"""Orders to fulfil by hand in the web admin: the queue with its answers, Deliver and Refund as actions.

Each action calls the same service as the bot's admin menu (``fulfil_orders``,
locked, audited, one decision per order); the customer is told by the bot's
manual-order notices job within half a minute.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils.html import format_html_join
from django.utils.timezone import now
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from catalog.admin.purchase_columns import PurchaseColumns
from catalog.manual_models import ManualOrder
from catalog.services import manual as services
from catalog.services.delivery_files import FileSpec
from shopbot.admin import ReadOnlyAdmin, submitted


class DeliverForm(forms.Form):
    text = forms.CharField(
        label=gettext_lazy("Text the customer receives"),
        max_length=services.DELIVERED_TEXT_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    document = forms.FileField(label=gettext_lazy("Or a document (up to 50 MB)"), required=False)


class LateFilter(admin.SimpleListFilter):
    title = gettext_lazy("deadline")
    parameter_name = "late"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("yes", _("Past its deadline")), ("no", _("In time"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet[ManualOrder]) -> QuerySet[ManualOrder]:
        if self.value() == "yes":
            return queryset.filter(status=ManualOrder.Status.WAITING, due_at__lte=now())
        if self.value() == "no":
            return queryset.filter(due_at__gt=now())
        return queryset


@admin.register(ManualOrder)
class ManualOrderAdmin(PurchaseColumns, ReadOnlyAdmin):
    list_display = ("order_number", "product", "customer", "status", "due_at", "escalated_at", "created")
    list_filter = ("status", LateFilter)
    list_select_related = ("purchase", "customer")
    search_fields = ("=purchase__order_number",)
    telegram_id_lookups = ("customer__telegram_id",)
    readonly_fields = (
        "purchase",
        "customer",
        "checkout_answers",
        "status",
        "due_at",
        "escalated_at",
        "decided_by_label",
        "delivered_text",
        "delivered_file",
        "created",
        "decided_at",
        "customer_told_at",
    )
    exclude = ("decided_by", "answers")
    actions = ("deliver", "refund")
    shop_permission = "fulfil_orders"

    @admin.display(description=gettext_lazy("checkout answers"))
    def checkout_answers(self, order: ManualOrder) -> str:
        rows = ((answer.get("label", ""), answer.get("answer", "")) for answer in order.answers)
        return format_html_join("", "<p><b>{}</b><br>{}</p>", rows) or "—"

    def has_fulfil_orders_permission(self, request: HttpRequest) -> bool:
        return self.holds(request, "fulfil_orders")

    @admin.action(description=gettext_lazy("Deliver…"), permissions=["fulfil_orders"])
    def deliver(self, request: HttpRequest, queryset: QuerySet[ManualOrder]) -> HttpResponse | None:
        if queryset.count() != 1:
            self.message_user(request, _("Choose one order to deliver."), messages.ERROR)
            return None
        form = DeliverForm(request.POST if submitted(request) else None, request.FILES or None)
        if not form.is_valid():
            title = _("Deliver the order")
            return self.render_action_form(
                request, queryset, form=form, title=title, action="deliver", submit=title
            )
        upload = form.cleaned_data["document"]
        spec = FileSpec(upload.name, upload.size, upload=upload) if upload is not None else None
        order = queryset.get()
        with self.refusals_shown(request) as outcome:
            services.deliver_order(
                actor=request.user, order_id=order.pk, text=form.cleaned_data["text"], file=spec
            )
        if not outcome.refused:
            self.message_user(request, _("Delivered; the customer is told shortly."), messages.SUCCESS)
        return None

    @admin.action(description=gettext_lazy("Refund to the balance"), permissions=["fulfil_orders"])
    def refund(self, request: HttpRequest, queryset: QuerySet[ManualOrder]) -> None:
        if self.too_many_chosen(request, queryset):
            return
        done = 0
        for order in queryset:
            with self.refusals_shown(request, about="#" + order.purchase.order_number) as outcome:
                services.refund_order(actor=request.user, order_id=order.pk)
            done += not outcome.refused
        if done:
            self.message_user(request, _("Refunded %(count)s orders.") % {"count": done}, messages.SUCCESS)
