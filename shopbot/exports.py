"""CSV exports of the admin's large tables for a date range.

The rows are streamed (``StreamingHttpResponse`` over a chunked iterator), so a
year of ledger never sits in memory. Text that a spreadsheet would run as a
formula is neutralised with a leading apostrophe (OWASP "CSV injection").
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from operator import attrgetter
from typing import Any

from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db.models import Model, QuerySet
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.timezone import localtime, make_aware
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.services import record_audit
from shopbot.admin import ShopAdmin

# A cell starting with one of these is a formula (or becomes one) in Excel and LibreOffice.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
EARLIEST = date(1970, 1, 1)
LATEST = date(2999, 12, 31)
CHUNK_SIZE = 2000


def neutralise(value: object) -> str:
    """Return a cell's text, with a leading ``'`` where a spreadsheet would see a formula.

    Only text is touched: numbers the shop formats itself (a negative ledger
    amount) cannot carry a formula and stay numbers a spreadsheet can add up.
    """
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, Decimal)):
        return str(value)
    if isinstance(value, datetime):
        return localtime(value).isoformat(timespec="seconds")
    text = str(value)
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


@dataclass(frozen=True)
class Column:
    """One exported column: its header and the attribute path of its value."""

    header: str
    path: str

    def value(self, obj: Model) -> object:
        try:
            value = attrgetter(self.path)(obj)
        except AttributeError:  # an empty foreign key along the path
            return None
        return value() if callable(value) else value


class Echo:
    """A file-like object whose ``write`` returns the line, for ``csv.writer`` in a generator."""

    def write(self, value: str) -> str:
        return value


def csv_lines(columns: Iterable[Column], objects: Iterable[Model]) -> Iterator[str]:
    """Yield the CSV text of a header and one line per object."""
    columns = list(columns)
    writer = csv.writer(Echo())
    # A byte-order mark makes Excel read the file as UTF-8 (Cyrillic names).
    yield "\ufeff"
    yield writer.writerow([neutralise(column.header) for column in columns])
    for obj in objects:
        yield writer.writerow([neutralise(column.value(obj)) for column in columns])


class DateRangeForm(forms.Form):
    date_from = forms.DateField(
        label=gettext_lazy("From"),
        validators=[MinValueValidator(EARLIEST), MaxValueValidator(LATEST)],
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    date_to = forms.DateField(
        label=gettext_lazy("To (inclusive)"),
        validators=[MinValueValidator(EARLIEST), MaxValueValidator(LATEST)],
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and start > end:
            raise ValidationError(_("The start date must not be after the end date."))
        return cleaned

    def bounds(self) -> tuple[datetime, datetime]:
        """Return the range as aware datetimes: the first day's midnight up to the one after the last day."""
        start = make_aware(datetime.combine(self.cleaned_data["date_from"], time.min))
        end = make_aware(datetime.combine(self.cleaned_data["date_to"] + timedelta(days=1), time.min))
        return start, end


class CsvExportMixin(ShopAdmin):
    """Adds an "Export CSV" page to a ModelAdmin: a date range, then a streamed file.

    Set ``export_columns``; the rows are those of ``get_queryset`` whose
    ``export_date_field`` falls in the range. Exporting needs the model's view
    permission and is audited.
    """

    export_columns: tuple[Column, ...] = ()
    export_date_field = "created"
    export_select_related: tuple[str, ...] = ()
    change_list_template = "admin/shop/change_list.html"

    def get_urls(self) -> list[Any]:
        name = f"{self.opts.app_label}_{self.opts.model_name}_export"
        view = self.admin_site.admin_view(self.export_view)
        return [path("export/", view, name=name), *super().get_urls()]

    def has_export_permission(self, request: HttpRequest) -> bool:
        return self.has_view_permission(request)

    def changelist_view(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        extra_context = dict(extra_context or {})
        if self.has_export_permission(request):
            extra_context["export_url"] = reverse(
                f"{self.admin_site.name}:{self.opts.app_label}_{self.opts.model_name}_export"
            )
        return super().changelist_view(request, extra_context)

    def export_view(self, request: HttpRequest) -> HttpResponse:
        """Show the date range form, or stream the CSV of the chosen range."""
        if not self.has_export_permission(request):
            raise PermissionDenied
        form = DateRangeForm(request.GET if "date_from" in request.GET else None)
        if form.is_valid():
            return self.export_response(request, form)
        opts = self.opts
        context = {
            **self.admin_site.each_context(request),
            "title": _("Export %(name)s as CSV") % {"name": opts.verbose_name_plural},
            "opts": opts,
            "form": form,
        }
        return TemplateResponse(request, "admin/shop/export_form.html", context)

    def export_queryset(self, request: HttpRequest, start: datetime, end: datetime) -> QuerySet[Any]:
        field = self.export_date_field
        return (
            self.get_queryset(request)
            .filter(**{f"{field}__gte": start, f"{field}__lt": end})
            .select_related(*self.export_select_related)
            .order_by(field, "pk")
        )

    def export_response(self, request: HttpRequest, form: DateRangeForm) -> StreamingHttpResponse:
        start, end = form.bounds()
        opts = self.opts
        first, last = form.cleaned_data["date_from"], form.cleaned_data["date_to"]
        record_audit(
            actor=request.user,
            action="export_csv",
            target=opts.model_name,
            details={"from": first.isoformat(), "to": last.isoformat()},
        )
        objects = self.export_queryset(request, start, end).iterator(chunk_size=CHUNK_SIZE)
        response = StreamingHttpResponse(csv_lines(self.export_columns, objects), content_type="text/csv")
        filename = f"{opts.model_name}-{first:%Y%m%d}-{last:%Y%m%d}.csv"
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response
