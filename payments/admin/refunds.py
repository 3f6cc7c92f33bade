"""The staff actions on payments in the web admin: refunds, manual refunds, re-checks with CryptoPay.

They are actions on the payments list ("Refund Stars payment…", "Record
manual refund…", "Re-check with CryptoPay") and links on a payment's page that
open the same forms. Each calls a service as the signed-in staff user
(``refund_payments``; the service checks it, and audits a refusal), and a
refusal is shown as the service's sentence, with nothing changed. The customer
hears of a refund from the bot, which sends the notice the refund owed.
"""

from __future__ import annotations

from typing import Any

from asgiref.sync import async_to_sync
from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.html import format_html_join
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from payments import telegram_api
from payments.cryptopay import ask_invoice
from payments.models import Payment
from payments.money import format_money
from payments.selectors import staff
from payments.services import (
    REASON_MAX,
    begin_stars_refund,
    rechecks,
    record_manual_refund,
    settle_stars_refund,
)
from payments.services.crediting import Credit
from shopbot.admin import ObjectActionsMixin, ShopAdmin, submitted

# The object pages' action links: (url name suffix, path, action, label).
OBJECT_ACTIONS = (
    ("refund", "refund/", "refund_stars", gettext_lazy("Refund Stars payment…")),
    ("manual_refund", "manual-refund/", "manual_refund", gettext_lazy("Record manual refund…")),
    ("recheck", "recheck/", "recheck_cryptopay", gettext_lazy("Re-check with CryptoPay")),
)


class RefundForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Reason"),
        max_length=REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("Kept in the ledger, the payment's note and the audit log."),
    )


class AttentionFilter(admin.SimpleListFilter):
    """Payments flagged for review and not refunded, and refunds Telegram has not confirmed yet."""

    title = gettext_lazy("needs attention")
    parameter_name = "attention"

    def lookups(self, request: HttpRequest, model_admin: object) -> list[tuple[str, str]]:
        return [("yes", _("Needs review"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Payment]) -> QuerySet[Payment]:
        if self.value() == "yes":
            return queryset & staff.needing_review()
        return queryset


class PaymentRefundsMixin(ObjectActionsMixin, ShopAdmin):
    object_actions = OBJECT_ACTIONS
    """Refund, manual refund and re-check actions for the payments' admin."""

    actions = ("refund_stars", "manual_refund", "recheck_cryptopay")

    def has_refund_payments_permission(self, request: HttpRequest) -> bool:
        return self.holds(request, staff.PERMISSION)

    def holds_shop_permission(self, request: HttpRequest) -> bool:
        # Whoever refunds payments must be able to find them.
        return super().holds_shop_permission(request) or self.has_refund_payments_permission(request)

    @admin.action(description=gettext_lazy("Refund Stars payment…"), permissions=["refund_payments"])
    def refund_stars(self, request: HttpRequest, queryset: QuerySet[Payment]) -> HttpResponse | None:
        return self.refund(request, queryset, manual=False)

    @admin.action(description=gettext_lazy("Record manual refund…"), permissions=["refund_payments"])
    def manual_refund(self, request: HttpRequest, queryset: QuerySet[Payment]) -> HttpResponse | None:
        return self.refund(request, queryset, manual=True)

    @admin.action(description=gettext_lazy("Re-check with CryptoPay"), permissions=["refund_payments"])
    def recheck_cryptopay(self, request: HttpRequest, queryset: QuerySet[Payment]) -> None:
        if self.too_many_chosen(request, queryset):
            return
        for payment in queryset.order_by("pk"):
            with self.refusals_shown(request, about=payment_label(payment)):
                invoice_id = rechecks.start_recheck(actor=request.user, payment_id=payment.pk)
                # CryptoPay is asked here, at the view's edge, never inside a service.
                state = async_to_sync(ask_invoice)(invoice_id) if invoice_id is not None else None
                credit = rechecks.record_recheck(actor=request.user, payment_id=payment.pk, state=state)
                self.message_user(request, recheck_outcome(credit), messages.INFO)

    def refund(
        self, request: HttpRequest, queryset: QuerySet[Payment], *, manual: bool
    ) -> HttpResponse | None:
        """Ask for the reason, then refund the one chosen payment; a refusal says why and changes nothing."""
        if queryset.count() != 1:
            self.message_user(request, _("Choose one payment to refund."), messages.ERROR)
            return None
        payment = queryset.get()
        with self.refusals_shown(request, about=payment_label(payment)) as checked:
            staff.prepare_refund(actor=request.user, payment_id=payment.pk, manual=manual)
        if checked.refused:
            return None
        form = RefundForm(request.POST if submitted(request) else None)
        if form.is_valid():
            reason = form.cleaned_data["reason"]
            with self.refusals_shown(request, about=payment_label(payment)):
                if manual:
                    refunded = record_manual_refund(actor=request.user, payment_id=payment.pk, reason=reason)
                else:
                    refunded = refund_stars(actor=request.user, payment_id=payment.pk, reason=reason)
                self.message_user(request, refund_outcome(refunded), messages.SUCCESS)
            return None
        action = "manual_refund" if manual else "refund_stars"
        title = _("Record manual refund") if manual else _("Refund Stars payment")
        return self.render_action_form(request, queryset, form=form, title=title, action=action, submit=title)

    # --- the same actions from a payment's own page (ObjectActionsMixin) ---------------
    def run_object_action(
        self, request: HttpRequest, queryset: QuerySet[Payment], action: str
    ) -> HttpResponse | None:
        if action != "recheck_cryptopay":
            return getattr(self, action)(request, queryset)
        if submitted(request):
            self.recheck_cryptopay(request, queryset)
            return None
        return self.render_action_form(
            request,
            queryset,
            form=forms.Form(),
            title=_("Re-check with CryptoPay"),
            action=action,
            submit=_("Re-check with CryptoPay"),
        )

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        fields = tuple(super().get_readonly_fields(request, obj))
        if obj is not None and self.has_refund_payments_permission(request):
            fields = ("staff_actions", *fields)
        return fields

    @admin.display(description=gettext_lazy("staff actions"))
    def staff_actions(self, payment: Payment) -> str:
        allowed = {
            "refund": staff.allows_refund(payment, manual=False),
            "manual_refund": staff.allows_refund(payment, manual=True),
            "recheck": staff.allows_recheck(payment),
        }
        info = f"admin:{self.opts.app_label}_{self.opts.model_name}"
        links = [
            (reverse(f"{info}_{name}", args=[payment.pk]), label)
            for name, _route, _action, label in OBJECT_ACTIONS
            if allowed[name]
        ]
        if not links:
            return _("None: nothing can be refunded or checked in this state.")
        return format_html_join(" · ", '<a class="button" href="{}">{}</a>', links)


def refund_stars(*, actor: Any, payment_id: int, reason: str) -> Payment:
    """Return a Stars payment through Telegram: hold, ask Telegram from this view's edge, record the answer."""
    refund = begin_stars_refund(actor=actor, payment_id=payment_id, reason=reason)
    answer = async_to_sync(telegram_api.refund_from_web)(user_id=refund.user_id, charge_id=refund.charge_id)
    return settle_stars_refund(actor=actor, refund=refund, answer=answer)


def payment_label(payment: Payment) -> str:
    return _("Payment #%(id)s") % {"id": payment.pk}


def refund_outcome(payment: Payment) -> str:
    return _("Payment #%(id)s refunded (%(amount)s); the customer will be told in the bot.") % {
        "id": payment.pk,
        "amount": format_money(payment.amount),
    }


def recheck_outcome(credit: Credit) -> str:
    payment = credit.payment
    if credit.credited:
        return _("Payment #%(id)s was paid: %(amount)s credited.") % {
            "id": payment.pk,
            "amount": format_money(payment.amount),
        }
    if credit.needs_review:
        return _("Payment #%(id)s does not match its invoice and needs review.") % {"id": payment.pk}
    if payment.status == Payment.Status.PENDING:
        return _("Payment #%(id)s is not paid yet.") % {"id": payment.pk}
    return _("Payment #%(id)s is %(status)s; nothing to credit.") % {
        "id": payment.pk,
        "status": payment.get_status_display().lower(),
    }
