"""Warranty claims in the web admin: the list with filters, and the decisions as actions.

Each action calls the same service as the bot's admin menu, one claim at a
time, so each decision is locked, audited and refused on its own; the
customer is told by the bot's claim-notices job within a minute.
"""

from __future__ import annotations

from typing import Any

from asgiref.sync import async_to_sync
from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from catalog.admin.purchase_columns import PurchaseColumns
from catalog.models import Claim
from catalog.selectors.claims import ClaimCard, get_claim_card, get_stars_order
from catalog.services import claims as services
from catalog.services import rail_refunds
from catalog.services.second_decisions import DECISION_NAMES, get_claim_rate
from payments import telegram_api
from shopbot.admin import ObjectActionsMixin, ReadOnlyAdmin, submitted

HIDDEN_VALUE = gettext_lazy("(hidden: needs the delivered values permission)")

# The claim page's buttons: (url name suffix, path, action, label); only the one the order's rail allows shows.
OBJECT_ACTIONS = (
    (
        "refund_stars",
        "refund-stars/",
        "refund_stars",
        gettext_lazy("Refund in Telegram Stars (whole order)…"),
    ),
    ("manual_refund", "manual-refund/", "manual_refund", gettext_lazy("Record manual refund…")),
)


def refund_claim_stars(*, actor: Any, claim_id: int) -> Claim:
    """Refund a claim's Stars order: hold, ask Telegram from this view's edge, decide once it accepted."""
    held = rail_refunds.begin_claim_stars_refund(actor=actor, claim_id=claim_id)
    refund = held.refund
    answer = async_to_sync(telegram_api.refund_from_web)(user_id=refund.user_id, charge_id=refund.charge_id)
    return rail_refunds.settle_claim_stars_refund(actor=actor, refund=held, answer=answer)


class RejectForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Reason the customer will see"),
        max_length=services.NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class UnitAddedFilter(admin.DateFieldListFilter):
    """When the claimed unit was added to stock: units carry no upload id, so a bad batch is found by date."""

    def __init__(
        self, field: Any, request: HttpRequest, params: Any, model: Any, model_admin: Any, field_path: str
    ) -> None:
        super().__init__(field, request, params, model, model_admin, field_path)
        self.title = _("unit added to stock")


@admin.register(Claim)
class ClaimAdmin(PurchaseColumns, ObjectActionsMixin, ReadOnlyAdmin):
    object_actions = OBJECT_ACTIONS
    list_display = ("id", "order_number", "product", "customer", "reason", "status", "created")
    list_filter = (
        "status",
        "reason",
        ("purchase__product", admin.RelatedOnlyFieldListFilter),
        ("purchase__unit__created", UnitAddedFilter),
    )
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
        "refund_to",
        "created",
        "decided_at",
        "customer_told_at",
        "pending_decision",
        "pending_by_label",
        "pending_at",
    )
    exclude = ("decided_by", "pending_by")
    actions = ("replace", "wait", "refund", "refund_restock", "refund_stars", "manual_refund", "reject")
    shop_permission = "manage_claims"

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

    @admin.action(
        description=gettext_lazy("Refund in Telegram Stars (whole order)…"), permissions=["manage_claims"]
    )
    def refund_stars(self, request: HttpRequest, queryset: QuerySet[Claim]) -> HttpResponse | None:
        if not submitted(request):
            title = _("Refund in Telegram Stars")
            return self.render_action_form(
                request, queryset, form=StarsRefundForm(), title=title, action="refund_stars", submit=title
            )
        self.decide_each(request, queryset, refund_claim_stars)
        return None

    @admin.action(description=gettext_lazy("Record manual refund…"), permissions=["manage_claims"])
    def manual_refund(self, request: HttpRequest, queryset: QuerySet[Claim]) -> HttpResponse | None:
        if not submitted(request):
            title = _("Record manual refund")
            return self.render_action_form(
                request, queryset, form=ManualRefundForm(), title=title, action="manual_refund", submit=title
            )
        self.decide_each(request, queryset, rail_refunds.record_manual_claim_refund)
        return None

    # --- the same refunds from a claim's own page (ObjectActionsMixin) -----------------
    def may_run_object_actions(self, request: HttpRequest) -> bool:
        return self.has_manage_claims_permission(request)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        fields = tuple(super().get_readonly_fields(request, obj))
        if obj is None:
            return fields
        return ("second_decision", "paid_with", "delivered_value", "replaced_by", *fields)

    def get_object(self, request: HttpRequest, object_id: str, from_field: Any = None) -> Any:
        claim = super().get_object(request, object_id, from_field)
        if claim is not None and self.has_manage_claims_permission(request):
            # The staff read masks the delivered values for staff without view_delivered_values.
            claim.card = get_claim_card(actor=request.user, claim_id=claim.pk)
        return claim

    @admin.display(description=gettext_lazy("delivered value"))
    def delivered_value(self, claim: Claim) -> str:
        card: ClaimCard | None = getattr(claim, "card", None)
        if card is None or card.value is None:
            return str(HIDDEN_VALUE)
        return card.value

    @admin.display(description=gettext_lazy("replaced by"))
    def replaced_by(self, claim: Claim) -> str:
        card: ClaimCard | None = getattr(claim, "card", None)
        replacement = card.replacement if card is not None else None
        if replacement is None:
            return "-"
        url = reverse("admin:catalog_purchase_change", args=[replacement.pk])
        link = format_html(
            '<a href="{}">{}</a>', url, _("Replaced by #%(order)s") % {"order": replacement.order_number}
        )
        if card.replacement_value is None:
            return link
        return format_html("{}: <code>{}</code>", link, card.replacement_value)

    @admin.display(description=gettext_lazy("claim-rate rule"))
    def second_decision(self, claim: Claim) -> str:
        rate = get_claim_rate(claim.customer_id)
        if not rate.over:
            return _("Not over the rule: one staff decision is enough.")
        text = _(
            "⚠️ Frequent claimer: %(claims)s claims in the last %(purchases)s purchases. "
            "A replace or refund needs a second staff member."
        ) % {"claims": rate.claims, "purchases": rate.purchases}
        if claim.is_undecided and claim.pending_decision:
            text += " " + _(
                "%(who)s chose “%(decision)s”; a different staff member confirms it by choosing it too."
            ) % {
                "who": claim.pending_by_label,
                "decision": DECISION_NAMES.get(claim.pending_decision, "?"),
            }
        return text

    @admin.display(description=gettext_lazy("paid with"))
    def paid_with(self, claim: Claim) -> str:
        order = get_stars_order(claim=claim)
        name = "refund_stars" if order is not None else "manual_refund"
        if order is None:
            text = _("The balance: refund to the balance, or record a refund made outside the shop.")
        else:
            text = _(
                "Telegram Stars: payment #%(payment)s, %(stars)s %(currency)s, %(items)s items. "
                "A Stars refund returns the whole order."
            ) % {
                "payment": order.payment_id,
                "stars": format(order.stars.normalize(), "f"),
                "currency": order.currency,
                "items": order.items,
            }
        if not claim.is_undecided:
            return text
        label = next(label for key, _route, _action, label in OBJECT_ACTIONS if key == name)
        url = reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_{name}", args=[claim.pk])
        return format_html('{} <a class="button" href="{}">{}</a>', text, url, label)


class StarsRefundForm(forms.Form):
    """Nothing to type: the page says what the refund does before staff confirm it."""

    confirm = forms.BooleanField(
        label=gettext_lazy("Return the whole order's Stars through Telegram"),
        help_text=gettext_lazy(
            "A cart order is refunded only as a whole: every item of it is marked refunded and defective."
        ),
        required=False,
        initial=True,
        disabled=True,
    )


class ManualRefundForm(forms.Form):
    confirm = forms.BooleanField(
        label=gettext_lazy("The price was returned outside the shop"),
        help_text=gettext_lazy("The balance does not change; the unit is marked defective."),
        required=False,
        initial=True,
        disabled=True,
    )
