"""Warranty claims in the web admin: the list with filters, and the decisions as actions.

Each action calls the same service as the bot's admin menu, one claim at a
time, so each decision is locked, audited and refused on its own; the
customer is told by the bot's claim-notices job within a minute.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from catalog.models import Claim
from catalog.services import claims as services
from shopbot.admin import ReadOnlyAdmin, submitted


class RejectForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Reason the customer will see"),
        max_length=services.NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


@admin.register(Claim)
class ClaimAdmin(ReadOnlyAdmin):
    list_display = ("id", "order_number", "product", "customer", "reason", "status", "created")
    list_filter = ("status", "reason", ("purchase__product", admin.RelatedOnlyFieldListFilter))
    list_select_related = ("purchase", "customer")
    search_fields = ("=purchase__order_number",)
    telegram_id_lookups = ("customer__telegram_id",)
    readonly_fields = (
        "purchase",
        "customer",
        "reason",
        "text",
        "attachment_kind",
        "attachment_id",
        "status",
        "decided_by_label",
        "decision_note",
        "created",
        "decided_at",
        "customer_told_at",
    )
    exclude = ("decided_by",)
    actions = ("replace", "wait", "refund", "refund_restock", "reject")
    shop_permission = "manage_claims"

    @admin.display(description=gettext_lazy("order"), ordering="purchase__order_number")
    def order_number(self, claim: Claim) -> str:
        return "#" + claim.purchase.order_number

    @admin.display(description=gettext_lazy("product"))
    def product(self, claim: Claim) -> str:
        return claim.purchase.product_name

    def has_manage_claims_permission(self, request: HttpRequest) -> bool:
        return self.holds(request, "manage_claims")

    def decide_each(
        self, request: HttpRequest, queryset: QuerySet[Claim], decide: Any, **options: Any
    ) -> None:
        if self.too_many_chosen(request, queryset):
            return
        done = 0
        for claim in queryset:
            with self.refusals_shown(request, about=_("Claim #%(claim)s") % {"claim": claim.pk}) as outcome:
                decide(actor=request.user, claim_id=claim.pk, **options)
            done += not outcome.refused
        if done:
            self.message_user(request, _("Decided %(count)s claims.") % {"count": done}, messages.SUCCESS)

    @admin.action(
        description=gettext_lazy("Replace with the next unit in stock"), permissions=["manage_claims"]
    )
    def replace(self, request: HttpRequest, queryset: QuerySet[Claim]) -> None:
        self.decide_each(request, queryset, services.replace_claim)

    @admin.action(description=gettext_lazy("Wait for stock"), permissions=["manage_claims"])
    def wait(self, request: HttpRequest, queryset: QuerySet[Claim]) -> None:
        self.decide_each(request, queryset, services.wait_for_stock)

    @admin.action(
        description=gettext_lazy("Refund to the balance (unit defective)"), permissions=["manage_claims"]
    )
    def refund(self, request: HttpRequest, queryset: QuerySet[Claim]) -> None:
        self.decide_each(request, queryset, services.refund_claim, unit="defective")

    @admin.action(
        description=gettext_lazy("Refund to the balance (unit back to stock)"), permissions=["manage_claims"]
    )
    def refund_restock(self, request: HttpRequest, queryset: QuerySet[Claim]) -> None:
        self.decide_each(request, queryset, services.refund_claim, unit="restock")

    @admin.action(description=gettext_lazy("Reject…"), permissions=["manage_claims"])
    def reject(self, request: HttpRequest, queryset: QuerySet[Claim]) -> HttpResponse | None:
        form = RejectForm(request.POST if submitted(request) else None)
        if not form.is_valid():
            title = _("Reject claims")
            return self.render_action_form(
                request, queryset, form=form, title=title, action="reject", submit=title
            )
        self.decide_each(request, queryset, services.reject_claim, reason=form.cleaned_data["reason"])
        return None
