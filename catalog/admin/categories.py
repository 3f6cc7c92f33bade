"""Staff pages for categories: saving, showing, hiding and deleting go through ``catalog.services``."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import Count, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from catalog import services
from catalog.models import Category
from shopbot.admin import ShowHideAdmin


def summarise_deletion(objs: Any, describe: Any) -> tuple[list[str], dict[str, int], set[str], list[str]]:
    # Django would list every stock unit that goes with a product, which for a
    # large stock stalls the confirmation page; a count per row says enough.
    rows = [describe(obj) for obj in objs]
    return rows, {}, set(), []


@admin.register(Category)
class CategoryAdmin(ShowHideAdmin):
    list_display = ("name", "position", "is_active", "hide_when_sold_out", "product_count")
    list_filter = ("is_active", "hide_when_sold_out")
    search_fields = ("name",)
    fields = ("name", "position", "is_active", "hide_when_sold_out")
    actions = ("show", "hide")
    shop_permission = "manage_catalog"

    def get_queryset(self, request: HttpRequest) -> QuerySet[Category]:
        # A GROUP BY query drops Meta.ordering; keep it for the autocomplete's pages.
        return (
            super()
            .get_queryset(request)
            .annotate(product_total=Count("products"))
            .order_by(*Category._meta.ordering)
        )

    @admin.display(description=gettext_lazy("products"), ordering="product_total")
    def product_count(self, category: Category) -> int:
        return category.product_total  # type: ignore[attr-defined]

    def save_model(self, request: HttpRequest, obj: Category, form: Any, change: bool) -> None:
        changed = set(form.changed_data)
        saved = obj
        if not change or "name" in changed:
            saved = services.save_category(actor=request.user, name=obj.name, category_id=obj.pk)
        if "is_active" in changed:
            services.set_category_active(actor=request.user, category_id=saved.pk, active=obj.is_active)
        if "hide_when_sold_out" in changed:
            services.set_category_hide_when_sold_out(
                actor=request.user, category_id=saved.pk, hide=obj.hide_when_sold_out
            )
        if "position" in changed:
            # Display order only: no rule to keep, so a plain update.
            Category.objects.filter(pk=saved.pk).update(position=obj.position)
        obj.pk = saved.pk

    def set_active(self, request: HttpRequest, obj: Category, active: bool) -> None:
        services.set_category_active(actor=request.user, category_id=obj.pk, active=active)

    def delete_model(self, request: HttpRequest, obj: Category) -> None:
        services.delete_category(actor=request.user, category_id=obj.pk)

    def get_deleted_objects(self, objs: Any, request: HttpRequest) -> Any:
        def describe(category: Category) -> str:
            count = category.products.count()
            return _("%(category)s with its %(count)s products and their unsold stock") % {
                "category": category.name,
                "count": count,
            }

        return summarise_deletion(objs, describe)
