"""Staff pages for the catalog: products and stock (categories: ``categories``; purchases, carts, reviews: ``sales``).

Saving, hiding and deleting categories, products and stock goes through
``catalog.services`` (validation, locks, audit); a refusal comes back as a
message (``ShopAdmin``). Promo codes: ``catalog.admin.promos``.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.db.models import Count, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from catalog import services
from catalog.admin.categories import summarise_deletion
from catalog.admin.stock import StockUploadMixin
from catalog.models import Product, StockUnit, WaitlistEntry
from catalog.selectors import count_unsold
from catalog.services.delivery_files import set_delivery_kind
from catalog.services.drafts import edit_product
from catalog.services.dynamic import mask_secret, set_dynamic_endpoint
from catalog.services.manual import parse_questions, set_fulfil_hours, set_product_questions
from shopbot.admin import HappenedFilter, ShowHideAdmin, ViewAndDeleteAdmin, short

# The permission that shows customers' keys as delivered (purchases, sold units).
DELIVERED_VALUES = "view_delivered_values"
HIDDEN_VALUE = gettext_lazy("(sold: needs the delivered values permission)")
PRODUCT_SERVICE_FIELDS = {
    "category",
    "name",
    "description",
    "price",
    "image",
    "unlimited_value",
}
Kind = Product.DeliveryKind


PRODUCT_FORM_FIELDS = (
    "category",
    "name",
    "description",
    "price",
    "image",
    "delivery",
    "unlimited_value",
    "is_active",
    "hide_when_sold_out",
    "preorders",
    "position",
    "low_stock_threshold",
    "warranty_hours",
    "fulfil_hours",
    "checkout_questions",
    "endpoint_url",
    "new_endpoint_secret",
)


class ProductForm(forms.ModelForm):
    """The product's fields, and a manual product's checkout questions typed one a line."""

    checkout_questions = forms.CharField(
        label=gettext_lazy("checkout questions"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy(
            "A manual product's questions (up to 3), one a line: question | longest answer. Empty: none."
        ),
    )

    # Write-only: the secret is never rendered back, only its masked form in the help text.
    new_endpoint_secret = forms.CharField(
        label=gettext_lazy("endpoint secret"),
        required=False,
        widget=forms.PasswordInput(render_value=False),
        help_text=gettext_lazy(
            "A product from the seller's system signs with it. Empty: keep the current one."
        ),
    )

    class Meta:
        model = Product
        fields = PRODUCT_FORM_FIELDS

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.endpoint_secret:
            self.fields["new_endpoint_secret"].help_text = _("Current: %(masked)s. Empty: keep it.") % {
                "masked": mask_secret(self.instance.endpoint_secret)
            }
        if self.instance.pk is not None:
            questions = self.instance.questions.all()
            self.initial["checkout_questions"] = "\n".join(f"{q.label} | {q.max_length}" for q in questions)


@admin.register(Product)
class ProductAdmin(StockUploadMixin, ShowHideAdmin):
    form = ProductForm
    list_display = (
        "name",
        "category",
        "price",
        "delivery",
        "is_active",
        "hide_when_sold_out",
        "preorders",
        "in_stock",
        "waiting",
        "position",
    )
    list_filter = ("category", "is_active", "is_unlimited", "hide_when_sold_out")
    list_select_related = ("category",)
    search_fields = ("name", "category__name")
    autocomplete_fields = ("category",)
    fields = PRODUCT_FORM_FIELDS
    actions = ("show", "hide")
    shop_permission = "manage_catalog"

    def get_queryset(self, request: HttpRequest) -> QuerySet[Product]:
        waiting = WaitlistEntry.objects.filter(product=OuterRef("pk"), restocked_at__isnull=True)
        return (
            super()
            .get_queryset(request)
            .annotate(
                unsold=Coalesce(count_unsold(OuterRef("pk")), 0),
                waiting=Coalesce(Subquery(waiting.values("product").annotate(n=Count("id")).values("n")), 0),
            )
        )

    @admin.display(description=gettext_lazy("waiting"), ordering="waiting")
    def waiting(self, product: Product) -> int:
        """Customers waiting to be told the product is back in stock."""
        return product.waiting  # type: ignore[attr-defined]

    @admin.display(description=gettext_lazy("in stock"), ordering="unsold")
    def in_stock(self, product: Product) -> str:
        if product.delivery == Product.DeliveryKind.SHARED_FILE:
            upload = reverse("admin:catalog_product_stock", args=[product.pk])
            return format_html('∞ · <a href="{}">{}</a>', upload, _("upload"))
        if product.is_unlimited:
            return "∞"
        units = reverse("admin:catalog_stockunit_changelist") + f"?product__id__exact={product.pk}&sold=no"
        upload = reverse("admin:catalog_product_stock", args=[product.pk])
        return format_html(
            '<a href="{}">{}</a> · <a href="{}">{}</a>',
            units,
            product.unsold,  # type: ignore[attr-defined]
            upload,
            _("upload"),
        )

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        extra_context = dict(extra_context or {})
        if self.has_manage_stock_permission(request):
            extra_context["stock_upload_url"] = reverse("admin:catalog_product_stock", args=[object_id])
        return super().change_view(request, object_id, form_url, extra_context)

    def save_model(self, request: HttpRequest, obj: Product, form: Any, change: bool) -> None:
        changed = set(form.changed_data)
        saved = self.save_delivery(request, obj, changed) if change else self.create(request, obj)
        edited = changed & PRODUCT_SERVICE_FIELDS
        if change and "delivery" in changed and obj.delivery == Kind.SHARED:
            edited.add("unlimited_value")  # switched to one shared value: the value is checked now
        if change and edited:
            # Only what the form changed, merged under the row lock: a price or a value
            # changed in the bot while this request ran is not written back.
            edits = {
                ("category_id" if field == "category" else field): getattr(
                    obj, "category_id" if field == "category" else field
                )
                for field in edited
            }
            saved = edit_product(actor=request.user, product_id=obj.pk, **edits)
        if "hide_when_sold_out" in changed:
            services.set_product_hide_when_sold_out(
                actor=request.user, product_id=saved.pk, hide=obj.hide_when_sold_out
            )
        if "preorders" in changed:
            services.set_product_preorders(actor=request.user, product_id=saved.pk, preorders=obj.preorders)
        if "low_stock_threshold" in changed:
            services.set_low_stock_threshold(
                actor=request.user, product_id=saved.pk, threshold=obj.low_stock_threshold
            )
        if "warranty_hours" in changed:
            services.set_warranty_hours(actor=request.user, product_id=saved.pk, hours=obj.warranty_hours)
        if "fulfil_hours" in changed:
            set_fulfil_hours(actor=request.user, product_id=saved.pk, hours=obj.fulfil_hours)
        if "checkout_questions" in changed:
            questions = parse_questions(form.cleaned_data["checkout_questions"] or "-")
            set_product_questions(actor=request.user, product_id=saved.pk, questions=questions)
        if {"endpoint_url", "new_endpoint_secret"} & changed:
            secret = form.cleaned_data["new_endpoint_secret"] or None
            set_dynamic_endpoint(actor=request.user, product_id=saved.pk, url=obj.endpoint_url, secret=secret)
        if "position" in changed:
            # Display order only: no rule to keep, so a plain update.
            Product.objects.filter(pk=saved.pk).update(position=obj.position)
        obj.pk = saved.pk

    def create(self, request: HttpRequest, obj: Product) -> Product:
        """Create the product, then give it a file kind through the bot's kind switch."""
        saved = services.save_product(
            actor=request.user,
            category_id=obj.category_id,
            name=obj.name,
            price=obj.price,
            description=obj.description,
            image=obj.image,
            is_unlimited=obj.delivery == Kind.SHARED,
            unlimited_value=obj.unlimited_value if obj.delivery == Kind.SHARED else "",
        )
        if obj.delivery in (Kind.FILE, Kind.SHARED_FILE, Kind.DYNAMIC):
            saved = set_delivery_kind(actor=request.user, product_id=saved.pk, kind=obj.delivery)
        return saved

    def save_delivery(self, request: HttpRequest, obj: Product, changed: set[str]) -> Product:
        """Switch the kind first, as the bot's stock screen does (its refusals included)."""
        if "delivery" not in changed:
            return obj
        return set_delivery_kind(actor=request.user, product_id=obj.pk, kind=obj.delivery)

    def set_active(self, request: HttpRequest, obj: Product, active: bool) -> None:
        services.set_product_active(actor=request.user, product_id=obj.pk, active=active)

    def delete_model(self, request: HttpRequest, obj: Product) -> None:
        services.delete_product(actor=request.user, product_id=obj.pk)

    def get_deleted_objects(self, objs: Any, request: HttpRequest) -> Any:
        def describe(product: Product) -> str:
            count = product.stock.filter(sold_at__isnull=True).count()
            return _("%(product)s with its %(count)s unsold units") % {
                "product": product.name,
                "count": count,
            }

        return summarise_deletion(objs, describe)


class SoldFilter(HappenedFilter):
    title = gettext_lazy("sold")
    parameter_name = "sold"
    field = "sold_at"
    done_label = gettext_lazy("Sold")
    waiting_label = gettext_lazy("In stock")


class DefectiveFilter(HappenedFilter):
    title = gettext_lazy("defective")
    parameter_name = "defective"
    field = "defective_at"
    done_label = gettext_lazy("Defective")
    waiting_label = gettext_lazy("Not defective")


@admin.register(StockUnit)
class StockUnitAdmin(ViewAndDeleteAdmin):
    """Units are added on a product's upload page and removed one by one through the service."""

    list_display = ("id", "product", "short_value", "created", "sold_at", "defective_at")
    list_filter = (SoldFilter, DefectiveFilter, "created")
    list_select_related = ("product",)
    search_fields = ("=value",)
    readonly_fields = ("product", "value", "created", "sold_at", "defective_at", "defect_claim")
    shop_permission = "manage_stock"

    @admin.display(description=gettext_lazy("value"))
    def short_value(self, unit: StockUnit) -> str:
        return short(unit.value)

    @admin.display(description=gettext_lazy("value"))
    def unsold_value(self, unit: StockUnit) -> str:
        return short(unit.value) if unit.sold_at is None else str(HIDDEN_VALUE)

    def get_list_display(self, request: HttpRequest) -> Any:
        if self.holds(request, DELIVERED_VALUES):
            return self.list_display
        # A sold unit's value is a customer's key, not stock work.
        return tuple("unsold_value" if name == "short_value" else name for name in self.list_display)

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        fields = super().get_fields(request, obj)
        if obj is not None and obj.sold_at is not None and not self.holds(request, DELIVERED_VALUES):
            return [field for field in fields if field != "value"]
        return fields

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[StockUnit], search_term: str
    ) -> tuple[QuerySet[StockUnit], bool]:
        found, duplicates = super().get_search_results(request, queryset, search_term)
        if search_term.strip() and not self.holds(request, DELIVERED_VALUES):
            # Finding a sold unit by its value would confirm a guessed customer's key.
            found = found.filter(sold_at__isnull=True)
        return found, duplicates

    def delete_model(self, request: HttpRequest, obj: StockUnit) -> None:
        services.delete_stock_unit(actor=request.user, unit_id=obj.pk)
