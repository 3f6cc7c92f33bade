"""Staff pages for promo codes and their usages.

Saving, switching and deleting codes goes through ``catalog.services`` (code
format, value bounds, expiry, audit); usages are history.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy

from catalog import services
from catalog.models import PromoCode, PromoUsage
from shopbot.admin import ReadOnlyAdmin, ShowHideAdmin

PROMO_SERVICE_FIELDS = {
    "code",
    "kind",
    "value",
    "category",
    "product",
    "max_uses",
    "once_per_user",
    "expires_at",
}


@admin.register(PromoCode)
class PromoCodeAdmin(ShowHideAdmin):
    list_display = (
        "code",
        "kind",
        "value",
        "category",
        "product",
        "uses",
        "max_uses",
        "once_per_user",
        "expires_at",
        "is_active",
    )
    list_filter = ("kind", "is_active", "once_per_user")
    list_select_related = ("category", "product")
    search_fields = ("code",)
    autocomplete_fields = ("category", "product")
    fields = (
        "code",
        "kind",
        "value",
        "category",
        "product",
        "max_uses",
        "once_per_user",
        "expires_at",
        "is_active",
        "uses",
        "created",
    )
    readonly_fields = ("uses", "created")
    actions = ("activate", "deactivate")
    shop_permission = "manage_promos"
    shown_text = gettext_lazy("%(count)s codes switched on.")
    hidden_text = gettext_lazy("%(count)s codes switched off.")

    @admin.action(description=gettext_lazy("Switch on"), permissions=["change"])
    def activate(self, request: HttpRequest, queryset: QuerySet[PromoCode]) -> None:
        self.set_all_active(request, queryset, active=True)

    @admin.action(description=gettext_lazy("Switch off"), permissions=["change"])
    def deactivate(self, request: HttpRequest, queryset: QuerySet[PromoCode]) -> None:
        self.set_all_active(request, queryset, active=False)

    def save_model(self, request: HttpRequest, obj: PromoCode, form: Any, change: bool) -> None:
        changed = set(form.changed_data)
        saved = obj
        if not change or changed & PROMO_SERVICE_FIELDS:
            saved = services.save_promo(
                actor=request.user,
                code=obj.code,
                kind=obj.kind,
                value=obj.value,
                category_id=obj.category_id,
                product_id=obj.product_id,
                max_uses=obj.max_uses,
                once_per_user=obj.once_per_user,
                expires_at=obj.expires_at,
                promo_id=obj.pk,
            )
        if "is_active" in changed:
            services.set_promo_active(actor=request.user, promo_id=saved.pk, active=obj.is_active)
        obj.pk = saved.pk

    def set_active(self, request: HttpRequest, obj: PromoCode, active: bool) -> None:
        services.set_promo_active(actor=request.user, promo_id=obj.pk, active=active)

    def delete_model(self, request: HttpRequest, obj: PromoCode) -> None:
        services.delete_promo(actor=request.user, promo_id=obj.pk)


@admin.register(PromoUsage)
class PromoUsageAdmin(ReadOnlyAdmin):
    list_display = ("created", "promo_code", "customer", "purchase", "discount")
    list_filter = ("created",)
    list_select_related = ("promo_code", "customer", "purchase")
    search_fields = ("=promo_code__code", "^customer__username")
    telegram_id_lookups = ("customer__telegram_id",)
    shop_permission = "manage_promos"
