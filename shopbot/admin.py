"""Pieces the shop's ModelAdmins share.

- ``ShopAdmin``: the one place a ``ShopError`` from a service becomes a message
  on the admin page, and the intermediate form that actions such as "Credit
  balance…" show before they call a service.
- ``ReadOnlyAdmin``: tables that are history (ledger, payments, purchases, the
  audit log) can be looked at, never added to, changed or deleted.
- ``CappedCountPaginator`` with ``show_full_result_count = False``: a changelist
  never counts a whole large table.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import models
from django.db.models import Model, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.actors import permissions_of_actor
from shopbot.errors import ShopError

# Telegram ids are up to 52 bits; longer digit strings are not ids.
TELEGRAM_ID_DIGITS = 19
ROW_ID_DIGITS = 18  # a row id of a BigAutoField
BIGINT_MAX = 2**63 - 1
# The intermediate page lists the first few chosen rows so the staff member sees whom it touches.
ACTION_OBJECTS_SHOWN = 20
# Actions that change people's money or access one by one refuse a whole-table selection.
ACTION_ROWS_MAX = 100


class CappedCountPaginator(Paginator):
    """A paginator that counts at most ``cap`` matching rows.

    ``COUNT(*)`` over a ledger or purchase table with millions of rows takes
    seconds on every changelist load; counting a ``LIMIT``-ed subquery stays
    fast. Past the cap, staff narrow the list with filters or search, and the
    page says "more than".
    """

    cap = 10_000

    @cached_property
    def count(self) -> int:
        object_list = self.object_list
        if isinstance(object_list, QuerySet):
            return object_list.values("pk")[: self.cap].count()
        return min(len(object_list), self.cap)

    @property
    def capped(self) -> bool:
        return self.count >= self.cap


@dataclass
class Outcome:
    """Whether the service calls inside ``ShopAdmin.refusals_shown`` were refused."""

    refused: bool = False


class ShopAdmin(admin.ModelAdmin):
    """A ModelAdmin that shows service refusals as messages and never counts whole tables."""

    show_full_result_count = False
    paginator = CappedCountPaginator
    # A shop permission (a role's, see accounts.roles) that also opens this admin,
    # so a Telegram admin signed in to the web sees what their role allows.
    shop_permission: str | None = None
    # Look-ups that a digits-only search term matches exactly (an indexed telegram id).
    telegram_id_lookups: tuple[str, ...] = ()
    # The shop's links are https; also silences Django 5's notice about the default scheme.
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    @contextmanager
    def refusals_shown(self, request: HttpRequest, about: object = None) -> Iterator[Outcome]:
        """Run service calls; show a ``ShopError`` to the staff member instead of a 500.

        ``about`` (a customer, a product) prefixes the message when an action
        touches several rows.
        """
        outcome = Outcome()
        try:
            yield outcome
        except ShopError as error:
            outcome.refused = True
            text = (
                str(error) if about is None else _("%(about)s: %(error)s") % {"about": about, "error": error}
            )
            self.message_user(request, text, messages.ERROR)

    def changeform_view(
        self,
        request: HttpRequest,
        object_id: str | None = None,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        """Let ``save_model`` call services; a refusal shows the form again with what was typed."""
        with self.refusals_shown(request):
            return super().changeform_view(request, object_id, form_url, extra_context)
        # The refused save was rolled back with the admin's transaction; render
        # the posted form again, marked invalid, under the refusal's message.
        request.shop_refused = True  # type: ignore[attr-defined]
        return super().changeform_view(request, object_id, form_url, extra_context)

    def get_form(
        self, request: HttpRequest, obj: Model | None = None, change: bool = False, **kwargs: Any
    ) -> Any:
        form = super().get_form(request, obj, change, **kwargs)
        if not getattr(request, "shop_refused", False):
            return form

        class RefusedForm(form):  # type: ignore[valid-type, misc]
            def clean(self) -> dict[str, Any]:
                super().clean()
                raise ValidationError(_("Nothing was saved: see the message above."))

        return RefusedForm

    def delete_view(
        self, request: HttpRequest, object_id: str, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        """Let ``delete_model`` call a service; a refusal returns to the object with the message."""
        with self.refusals_shown(request):
            return super().delete_view(request, object_id, extra_context)
        return HttpResponseRedirect(request.path.removesuffix("delete/"))

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        """Delete each row through ``delete_model``, so a service's rules apply to bulk deletes too."""
        for obj in queryset:
            with self.refusals_shown(request, about=obj):
                self.delete_model(request, obj)

    def holds(self, request: HttpRequest, codename: str) -> bool:
        """Return whether the signed-in staff member holds the shop permission ``codename``."""
        return codename in permissions_of_actor(request.user)

    def holds_shop_permission(self, request: HttpRequest) -> bool:
        return self.shop_permission is not None and self.holds(request, self.shop_permission)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return super().has_module_permission(request) or self.holds_shop_permission(request)

    def has_view_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return super().has_view_permission(request, obj) or self.holds_shop_permission(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return super().has_add_permission(request) or self.holds_shop_permission(request)

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return super().has_change_permission(request, obj) or self.holds_shop_permission(request)

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return super().has_delete_permission(request, obj) or self.holds_shop_permission(request)

    # Admin actions declare ``permissions=["manage_users"]``; Django asks these.
    def has_manage_users_permission(self, request: HttpRequest) -> bool:
        return self.holds(request, "manage_users")

    def has_manage_roles_permission(self, request: HttpRequest) -> bool:
        return self.holds(request, "manage_roles")

    def has_manage_balances_permission(self, request: HttpRequest) -> bool:
        return self.holds(request, "manage_balances")

    def has_manage_catalog_permission(self, request: HttpRequest) -> bool:
        return self.holds(request, "manage_catalog")

    def has_manage_stock_permission(self, request: HttpRequest) -> bool:
        return self.holds(request, "manage_stock")

    def has_manage_promos_permission(self, request: HttpRequest) -> bool:
        return self.holds(request, "manage_promos")

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[Any], search_term: str
    ) -> tuple[QuerySet[Any], bool]:
        term = search_term.strip()
        # ASCII digits only ("²" is a digit to str.isdigit, not to int), within bigint.
        is_id = (
            term.isascii() and term.isdigit() and len(term) <= TELEGRAM_ID_DIGITS and int(term) <= BIGINT_MAX
        )
        if self.telegram_id_lookups and is_id:
            # An exact match on the indexed id, instead of a text scan of every row.
            exact = Q()
            for lookup in self.telegram_id_lookups:
                exact |= Q(**{lookup: int(term)})
            found, duplicates = super().get_search_results(request, queryset, search_term)
            return found | queryset.filter(exact), duplicates
        return super().get_search_results(request, queryset, search_term)

    def too_many_chosen(self, request: HttpRequest, queryset: QuerySet[Any]) -> bool:
        """Refuse (with a message) an action on more rows than ``ACTION_ROWS_MAX``."""
        if queryset.count() <= ACTION_ROWS_MAX:
            return False
        message = _("Choose at most %(max)s rows for this action.") % {"max": ACTION_ROWS_MAX}
        self.message_user(request, message, messages.ERROR)
        return True

    def render_action_form(
        self,
        request: HttpRequest,
        queryset: QuerySet[Any],
        *,
        form: forms.Form,
        title: str,
        action: str,
        submit: str,
    ) -> TemplateResponse:
        """Render the intermediate page of an action that needs more input (amount, role...)."""
        context = {
            **self.admin_site.each_context(request),
            "title": title,
            "opts": self.model._meta,
            "form": form,
            "objects": list(queryset[:ACTION_OBJECTS_SHOWN]),
            "count": queryset.count(),
            "selected": [str(pk) for pk in queryset.values_list("pk", flat=True)],
            "action": action,
            "submit": submit,
            "checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/shop/action_form.html", context)


class ObjectActionsMixin:
    """A row's actions as buttons on its own page: each runs the list action on that one row.

    ``object_actions`` lists (url name suffix, path, action method, label). The
    page's view checks ``may_run_object_actions``, refuses anything but a row id
    (ASCII digits within a bigint) with 404, runs the action and returns to the page.
    """

    object_actions: tuple[tuple[str, str, str, object], ...] = ()

    def get_urls(self) -> list[Any]:
        info = f"{self.opts.app_label}_{self.opts.model_name}"  # type: ignore[attr-defined]
        urls = [
            path(
                f"<path:object_id>/{route}",
                self.admin_site.admin_view(self.object_action_view),  # type: ignore[attr-defined]
                {"action": action},
                name=f"{info}_{name}",
            )
            for name, route, action, _label in self.object_actions
        ]
        return [*urls, *super().get_urls()]  # type: ignore[misc]

    def may_run_object_actions(self, request: HttpRequest) -> bool:
        return self.has_view_permission(request)  # type: ignore[attr-defined]

    def run_object_action(
        self, request: HttpRequest, queryset: QuerySet[Any], action: str
    ) -> HttpResponse | None:
        return getattr(self, action)(request, queryset)

    def object_action_view(self, request: HttpRequest, object_id: str, action: str) -> HttpResponse:
        if not self.may_run_object_actions(request):
            raise PermissionDenied
        if not (object_id.isascii() and object_id.isdecimal() and len(object_id) <= ROW_ID_DIGITS):
            raise Http404
        queryset = self.get_queryset(request).filter(pk=int(object_id))  # type: ignore[attr-defined]
        if not queryset.exists():
            raise Http404
        response = self.run_object_action(request, queryset, action)
        opts = self.opts  # type: ignore[attr-defined]
        return response or HttpResponseRedirect(
            reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[object_id])
        )


def submitted(request: HttpRequest) -> bool:
    """Return whether an action's intermediate form was submitted (not first shown)."""
    return request.method == "POST" and "apply" in request.POST


class ShowHideAdmin(ShopAdmin):
    """Actions that show or hide rows one by one through ``set_active(request, obj, active)``.

    Subclasses define ``set_active`` with a service call.
    """

    shown_text = gettext_lazy("%(count)s shown in the shop.")
    hidden_text = gettext_lazy("%(count)s hidden from the shop.")

    @admin.action(description=gettext_lazy("Show in the shop"), permissions=["change"])
    def show(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        self.set_all_active(request, queryset, active=True)

    @admin.action(description=gettext_lazy("Hide from the shop"), permissions=["change"])
    def hide(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        self.set_all_active(request, queryset, active=False)

    def set_active(self, request: HttpRequest, obj: Any, active: bool) -> None:
        raise NotImplementedError

    def set_all_active(self, request: HttpRequest, queryset: QuerySet[Any], *, active: bool) -> None:
        done = 0
        for obj in queryset:
            with self.refusals_shown(request, about=obj) as outcome:
                self.set_active(request, obj, active)
            done += not outcome.refused
        if done:
            text = self.shown_text if active else self.hidden_text
            self.message_user(request, str(text) % {"count": done}, messages.SUCCESS)


class HappenedFilter(admin.SimpleListFilter):
    """Filter on whether a timestamp field is set: sold or not, sent or not."""

    field = ""
    done_label: Any = ""
    waiting_label: Any = ""

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [("yes", self.done_label), ("no", self.waiting_label)]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        if self.value() in ("yes", "no"):
            return queryset.filter(**{f"{self.field}__isnull": self.value() == "no"})
        return queryset


class ViewAndDeleteAdmin(ShopAdmin):
    """Rows the shop alone writes: may be viewed and deleted (with the page's permission), never added or changed."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False


class ReadOnlyAdmin(ViewAndDeleteAdmin):
    """History: may be viewed, never added to, changed or deleted from the admin."""

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False


def short(text: str, length: int = 40) -> str:
    """Cut a long text for a list column."""
    return text if len(text) <= length else text[: length - 1] + "…"
