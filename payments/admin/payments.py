"""Staff pages for the ledger, payments and referral rewards, and balance actions on users.

The ledger, payments and rewards are history: read-only. A balance changes only
through ``payments.services.adjust_balance`` (ledger row, audit entry, never
below zero), from the "Credit balance…" and "Debit balance…" actions added here
to the users' admin.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.admin import CustomerAdmin
from accounts.models import Customer
from payments.admin.refunds import AttentionFilter, PaymentRefundsMixin
from payments.models import LedgerEntry, Payment, PaymentNotice, ReferralReward
from payments.money import describe_amount_rule
from payments.services import adjust_balance
from shopbot.admin import HappenedFilter, ReadOnlyAdmin, short, submitted
from shopbot.exports import Column, CsvExportMixin


class BalanceForm(forms.Form):
    # Plain text on purpose: the service parses and bounds the amount, so the
    # admin refuses exactly what the bot refuses, with the same message.
    amount = forms.CharField(label=gettext_lazy("Amount"), max_length=32)
    reason = forms.CharField(
        label=gettext_lazy("Reason"),
        max_length=1000,  # a bound on what is posted; the service checks the real limit
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("Kept in the ledger and the audit log."),
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["amount"].help_text = describe_amount_rule()


class CustomerBalanceAdmin(CustomerAdmin):
    """The users' admin with the balance actions and links to each user's money history."""

    actions = (*CustomerAdmin.actions, "credit_balance", "debit_balance")
    fields = (*CustomerAdmin.fields, "money_history")
    readonly_fields = (*CustomerAdmin.readonly_fields, "money_history")

    @admin.display(description=gettext_lazy("money history"))
    def money_history(self, customer: Customer) -> str:
        query = f"?customer__id__exact={customer.pk}"
        return format_html(
            '<a href="{}">{}</a> · <a href="{}">{}</a>',
            reverse("admin:payments_ledgerentry_changelist") + query,
            _("Ledger"),
            reverse("admin:payments_payment_changelist") + query,
            _("Payments"),
        )

    @admin.action(description=gettext_lazy("Credit balance…"), permissions=["manage_balances"])
    def credit_balance(self, request: HttpRequest, queryset: QuerySet[Customer]) -> HttpResponse | None:
        return self.adjust(request, queryset, credit=True)

    @admin.action(description=gettext_lazy("Debit balance…"), permissions=["manage_balances"])
    def debit_balance(self, request: HttpRequest, queryset: QuerySet[Customer]) -> HttpResponse | None:
        return self.adjust(request, queryset, credit=False)

    def adjust(
        self, request: HttpRequest, queryset: QuerySet[Customer], *, credit: bool
    ) -> HttpResponse | None:
        """Ask for an amount and a reason, then change every chosen balance, or none."""
        if self.too_many_chosen(request, queryset):
            return None
        form = BalanceForm(request.POST if submitted(request) else None)
        if form.is_valid() and self.apply_adjustment(request, queryset, form=form, credit=credit):
            return None
        action = "credit_balance" if credit else "debit_balance"
        title = _("Credit balance") if credit else _("Debit balance")
        return self.render_action_form(request, queryset, form=form, title=title, action=action, submit=title)

    def apply_adjustment(
        self, request: HttpRequest, queryset: QuerySet[Customer], *, form: BalanceForm, credit: bool
    ) -> bool:
        # All or nothing: a refusal for one user undoes the others, so staff
        # never have to work out which half of a batch went through.
        customers = list(queryset.order_by("pk"))
        with transaction.atomic():
            for customer in customers:
                with self.refusals_shown(request, about=customer) as outcome:
                    adjust_balance(
                        actor=request.user,
                        telegram_id=customer.telegram_id,
                        amount=form.cleaned_data["amount"],
                        reason=form.cleaned_data["reason"],
                        credit=credit,
                    )
                if outcome.refused:
                    transaction.set_rollback(True)
                    return False
        text = _("Credited %(count)s users.") if credit else _("Debited %(count)s users.")
        self.message_user(request, text % {"count": len(customers)}, messages.SUCCESS)
        return True


admin.site.unregister(Customer)
admin.site.register(Customer, CustomerBalanceAdmin)


@admin.register(LedgerEntry)
class LedgerEntryAdmin(CsvExportMixin, ReadOnlyAdmin):
    list_display = (
        "created",
        "customer",
        "kind",
        "amount",
        "balance_after",
        "reference",
        "short_reason",
        "actor",
    )
    list_filter = ("kind", "created")
    list_select_related = ("customer", "actor")
    search_fields = ("=reference", "^customer__username")
    telegram_id_lookups = ("customer__telegram_id",)
    shop_permission = "manage_balances"
    export_columns = (
        Column("id", "pk"),
        Column("created", "created"),
        Column("telegram_id", "customer.telegram_id"),
        Column("username", "customer.username"),
        Column("kind", "kind"),
        Column("amount", "amount"),
        Column("balance_after", "balance_after"),
        Column("reference", "reference"),
        Column("reason", "reason"),
        Column("payment", "payment_id"),
        Column("actor", "actor.telegram_id"),
    )
    export_select_related = ("customer", "actor")

    @admin.display(description=gettext_lazy("reason"))
    def short_reason(self, entry: LedgerEntry) -> str:
        return short(entry.reason)


class RefundOwedFilter(admin.SimpleListFilter):
    """Stars top-ups Telegram refunded after the customer spent them: owed, or collected from later credits."""

    title = gettext_lazy("refund owed")
    parameter_name = "refund_owed"

    def lookups(self, request: HttpRequest, model_admin: object) -> list[tuple[str, str]]:
        return [("yes", _("Owed by the customer")), ("collected", _("Collected from later credits"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Payment]) -> QuerySet[Payment]:
        if self.value() == "collected":
            return queryset.filter(refund_collected__gt=0)
        return queryset.filter(refund_owed__gt=0) if self.value() == "yes" else queryset


@admin.register(Payment)
class PaymentAdmin(PaymentRefundsMixin, CsvExportMixin, ReadOnlyAdmin):
    """Payments are history; refunds and re-checks go through services (``payments.admin.refunds``)."""

    list_display = (
        "id",
        "created",
        "customer",
        "provider",
        "purpose",
        "status",
        "amount",
        "provider_amount",
        "provider_currency",
        "needs_review",
        "paid_at",
    )
    list_filter = (
        AttentionFilter,
        RefundOwedFilter,
        "status",
        "provider",
        "purpose",
        "needs_review",
        "created",
    )
    list_select_related = ("customer",)
    search_fields = ("=external_id", "=payload", "^customer__username")
    telegram_id_lookups = ("customer__telegram_id",)
    shop_permission = "manage_balances"
    export_columns = (
        Column("id", "pk"),
        Column("created", "created"),
        Column("paid_at", "paid_at"),
        Column("telegram_id", "customer.telegram_id"),
        Column("username", "customer.username"),
        Column("provider", "provider"),
        Column("purpose", "purpose"),
        Column("status", "status"),
        Column("amount", "amount"),
        Column("provider_amount", "provider_amount"),
        Column("provider_currency", "provider_currency"),
        Column("external_id", "external_id"),
        Column("refunded_at", "refunded_at"),
        Column("note", "note"),
    )
    export_select_related = ("customer",)


class ReversedFilter(HappenedFilter):
    title = gettext_lazy("reversed")
    parameter_name = "reversed"
    field = "reversed_at"
    done_label = gettext_lazy("Reversed (top-up refunded)")
    waiting_label = gettext_lazy("Standing")


class OwedFilter(admin.SimpleListFilter):
    """Rewards of refunded top-ups the referrer's balance could not give back."""

    title = gettext_lazy("owed")
    parameter_name = "owed"

    def lookups(self, request: HttpRequest, model_admin: object) -> list[tuple[str, str]]:
        return [("yes", _("Owed by the referrer")), ("collected", _("Collected from later credits"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet[ReferralReward]) -> QuerySet[ReferralReward]:
        if self.value() == "collected":
            return queryset.filter(collected__gt=0)
        return queryset.filter(owed__gt=0) if self.value() == "yes" else queryset


@admin.register(ReferralReward)
class ReferralRewardAdmin(ReadOnlyAdmin):
    list_display = ("created", "referrer", "referee", "amount", "payment", "reversed_at", "owed", "collected")
    list_filter = (ReversedFilter, OwedFilter, "created")
    list_select_related = ("referrer", "referee", "payment")
    search_fields = ("^referrer__username", "^referee__username")
    telegram_id_lookups = ("referrer__telegram_id", "referee__telegram_id")
    shop_permission = "manage_balances"


class SentFilter(HappenedFilter):
    title = gettext_lazy("sent")
    parameter_name = "sent"
    field = "sent_at"
    done_label = gettext_lazy("Sent")
    waiting_label = gettext_lazy("Waiting")


@admin.register(PaymentNotice)
class PaymentNoticeAdmin(ReadOnlyAdmin):
    """The outbox of payment messages the bot owes people; written and claimed by services."""

    list_display = ("id", "created", "payment", "telegram_id", "kind", "sent_at")
    list_filter = (SentFilter, "kind", "created")
    list_select_related = ("payment",)
    search_fields = ("=payment__payload", "=payment__external_id")
    telegram_id_lookups = ("telegram_id",)
    shop_permission = "manage_balances"
