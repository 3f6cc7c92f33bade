"""Staff pages for Telegram users and the audit log.

Blocking and roles change through ``accounts.services`` (escalation rules,
owner protection, audit). Balances change through the actions that
``payments.admin`` adds to this admin, since ``accounts`` imports no other app.
Django's own Group admin stays as it is: roles are Groups.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.models import Group
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts import services
from accounts.models import AuditEntry, Customer, SignInLink
from accounts.services.anonymise import anonymise_customer
from shopbot.admin import ReadOnlyAdmin, ShopAdmin, ViewAndDeleteAdmin, short, submitted
from shopbot.exports import Column, CsvExportMixin

CUSTOMER_FIELDS = (
    "telegram_id",
    "username",
    "first_name",
    "last_name",
    "language",
    "balance",
    "role",
    "is_blocked",
    "block_reason",
    "blocked_at",
    "anonymised_at",
    "has_blocked_bot",
    "referrer",
    "referral_code",
    "user",
    "created",
    "last_seen",
)


class RoleForm(forms.Form):
    role = forms.ModelChoiceField(
        queryset=Group.objects.order_by("name"),
        required=False,
        empty_label=gettext_lazy("No role (a plain customer)"),
        label=gettext_lazy("Role"),
    )


class BlockForm(forms.Form):
    reason = forms.CharField(
        max_length=services.BLOCK_REASON_MAX,
        label=gettext_lazy("Reason"),
        help_text=gettext_lazy("The customer sees it once; their open claims are refused."),
    )


class AnonymiseForm(forms.Form):
    confirm = forms.BooleanField(
        label=gettext_lazy("Remove these customers' names and texts for good"),
        help_text=gettext_lazy(
            "Names, username, tickets', claims' and reviews' texts, cart and waitlist are removed; "
            "purchases, payments and the ledger stay, shown as “deleted #id”."
        ),
    )


@admin.register(Customer)
class CustomerAdmin(CsvExportMixin, ShopAdmin):
    list_display = (
        "telegram_id",
        "username",
        "name",
        "balance",
        "role",
        "is_blocked",
        "has_blocked_bot",
        "created",
        "last_seen",
    )
    list_display_links = ("telegram_id", "username")
    list_filter = ("is_blocked", "has_blocked_bot", "role", "language", "created")
    list_select_related = ("role",)
    search_fields = ("^username", "^first_name", "^last_name", "=referral_code")
    telegram_id_lookups = ("telegram_id",)
    fields = CUSTOMER_FIELDS
    # Only the language is a plain field; money, access and identity change through services.
    readonly_fields = tuple(field for field in CUSTOMER_FIELDS if field != "language")
    actions = ("block", "unblock", "change_role", "anonymise")
    shop_permission = "manage_users"
    export_columns = (
        Column("telegram_id", "telegram_id"),
        Column("username", "username"),
        Column("first_name", "first_name"),
        Column("last_name", "last_name"),
        Column("language", "language"),
        Column("balance", "balance"),
        Column("role", "role.name"),
        Column("blocked", "is_blocked"),
        Column("blocked_the_bot", "has_blocked_bot"),
        Column("referrer", "referrer.telegram_id"),
        Column("registered", "created"),
        Column("last_seen", "last_seen"),
    )
    export_select_related = ("role", "referrer")

    @admin.display(description=gettext_lazy("name"))
    def name(self, customer: Customer) -> str:
        return short(" ".join(part for part in (customer.first_name, customer.last_name) if part))

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # customers register themselves in Telegram

    def save_model(self, request: HttpRequest, obj: Customer, form: Any, change: bool) -> None:
        # Never obj.save(): it writes every column as read when the request began,
        # undoing a purchase, a top-up, a block or a role change committed meanwhile.
        if "language" in form.changed_data:
            services.set_language(telegram_id=obj.telegram_id, language=obj.language)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # their ledger and purchases are kept; block them instead

    @admin.action(description=gettext_lazy("Block selected users…"), permissions=["manage_users"])
    def block(self, request: HttpRequest, queryset: QuerySet[Customer]) -> HttpResponse | None:
        if self.too_many_chosen(request, queryset):
            return None
        form = BlockForm(request.POST if submitted(request) else None)
        if not form.is_valid():
            return self.render_action_form(
                request, queryset, form=form, title=_("Block users"), action="block", submit=_("Block")
            )
        self.set_blocked(request, queryset, blocked=True, reason=form.cleaned_data["reason"])
        return None

    @admin.action(description=gettext_lazy("Unblock selected users"), permissions=["manage_users"])
    def unblock(self, request: HttpRequest, queryset: QuerySet[Customer]) -> None:
        if self.too_many_chosen(request, queryset):
            return
        self.set_blocked(request, queryset, blocked=False)

    def set_blocked(
        self, request: HttpRequest, queryset: QuerySet[Customer], *, blocked: bool, reason: str = ""
    ) -> None:
        done = 0
        for customer in queryset:
            with self.refusals_shown(request, about=customer) as outcome:
                services.set_blocked(
                    actor=request.user, telegram_id=customer.telegram_id, blocked=blocked, reason=reason
                )
            done += not outcome.refused
        if done:
            text = _("Blocked %(count)s users.") if blocked else _("Unblocked %(count)s users.")
            self.message_user(request, text % {"count": done}, messages.SUCCESS)

    @admin.action(description=gettext_lazy("Change role…"), permissions=["manage_roles"])
    def change_role(self, request: HttpRequest, queryset: QuerySet[Customer]) -> HttpResponse | None:
        if self.too_many_chosen(request, queryset):
            return None
        form = RoleForm(request.POST if submitted(request) else None)
        if not form.is_valid():
            return self.render_action_form(
                request,
                queryset,
                form=form,
                title=_("Change role"),
                action="change_role",
                submit=_("Change role"),
            )
        role = form.cleaned_data["role"]
        done = 0
        for customer in queryset:
            with self.refusals_shown(request, about=customer) as outcome:
                services.assign_role(
                    actor=request.user, telegram_id=customer.telegram_id, role_id=role.pk if role else None
                )
            done += not outcome.refused
        if done:
            self.message_user(
                request, _("Changed the role of %(count)s users.") % {"count": done}, messages.SUCCESS
            )
        return None

    def has_anonymise_customers_permission(self, request: HttpRequest) -> bool:
        return self.holds(request, "anonymise_customers")

    @admin.action(description=gettext_lazy("Anonymise selected users…"), permissions=["anonymise_customers"])
    def anonymise(self, request: HttpRequest, queryset: QuerySet[Customer]) -> HttpResponse | None:
        if self.too_many_chosen(request, queryset):
            return None
        form = AnonymiseForm(request.POST if submitted(request) else None)
        if not form.is_valid():
            title = _("Anonymise users")
            return self.render_action_form(
                request, queryset, form=form, title=title, action="anonymise", submit=title
            )
        done = 0
        for customer in queryset:
            with self.refusals_shown(request, about=customer) as outcome:
                anonymise_customer(actor=request.user, telegram_id=customer.telegram_id)
            done += not outcome.refused
        if done:
            self.message_user(request, _("Anonymised %(count)s users.") % {"count": done}, messages.SUCCESS)
        return None


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin):
    list_display = ("created", "actor_label", "action", "target", "summary")
    list_filter = ("created",)
    search_fields = ("=action", "^actor_label", "^target")
    list_select_related = ("actor",)
    shop_permission = "view_audit"

    @admin.display(description=gettext_lazy("details"))
    def summary(self, entry: AuditEntry) -> str:
        return short(", ".join(f"{key}={value}" for key, value in entry.details.items()), 80)


@admin.register(SignInLink)
class SignInLinkAdmin(ViewAndDeleteAdmin):
    """Who asked the bot for a web admin link and when it was used; deleting an unused one revokes it."""

    list_display = ("created", "customer", "expires", "used")
    list_filter = ("created",)
    list_select_related = ("customer",)
    search_fields = ("^customer__username",)
    telegram_id_lookups = ("customer__telegram_id",)
    shop_permission = "manage_users"
    readonly_fields = ("customer", "created", "expires", "used")  # asked for in the bot, by who signs in
