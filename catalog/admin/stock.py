"""The admin page that uploads stock units to a product: paste or a file, preview, then add.

The preview stages the uploaded values (``catalog.services.staged_uploads``)
under a random token, so the confirming request need not carry a 100,000-line
body again (Django refuses request bodies over ``DATA_UPLOAD_MAX_MEMORY_SIZE``)
and any web worker can finish it. Counting and adding are ``catalog.services``' work.
"""

from __future__ import annotations

import csv
import io
import secrets
from pathlib import PurePath
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from catalog.admin.stock_files import file_upload_view
from catalog.models import Product
from catalog.services import StockReport, add_stock, preview_stock
from catalog.services.staged_uploads import discard_staged_upload, read_staged_upload, stage_upload
from shopbot.admin import ShopAdmin

FILE_MAX_BYTES = 10 * 1024 * 1024
SAMPLE_LINES = 10


def read_upload(upload: Any) -> list[str]:
    """Return the lines of a ``.txt`` file, or the first cell of each row of a ``.csv`` file."""
    suffix = PurePath(upload.name or "").suffix.lower()
    if suffix not in (".txt", ".csv"):
        raise ValidationError(_("Upload a .txt or .csv file."))
    if upload.size > FILE_MAX_BYTES:
        raise ValidationError(_("The file is larger than %(max)s MB.") % {"max": FILE_MAX_BYTES // 2**20})
    try:
        text = upload.read().decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValidationError(_("The file is not UTF-8 text.")) from None
    if suffix == ".txt":
        return text.splitlines()
    try:
        return [row[0] if row else "" for row in csv.reader(io.StringIO(text))]
    except csv.Error as error:
        raise ValidationError(_("The CSV file cannot be read: %(error)s") % {"error": error}) from None


class StockUploadForm(forms.Form):
    values = forms.CharField(
        label=gettext_lazy("Units, one per line"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 12, "cols": 80, "spellcheck": "false"}),
    )
    file = forms.FileField(
        label=gettext_lazy("Or a file"),
        required=False,
        help_text=gettext_lazy(
            ".txt: one unit per line; .csv: the first column of each row. UTF-8, up to 10 MB."
        ),
    )

    def clean_file(self) -> list[str]:
        upload = self.cleaned_data.get("file")
        return read_upload(upload) if upload else []

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        lines = cleaned.get("values", "").splitlines() + cleaned.get("file", [])
        if not self.errors and not any(line.strip() for line in lines):
            raise ValidationError(_("Paste some units or choose a file."))
        cleaned["lines"] = lines
        return cleaned


class StockUploadMixin(ShopAdmin):
    """Adds ``<product>/stock/`` to the products' admin: the upload, preview and add page."""

    def get_urls(self) -> list[Any]:
        view = self.admin_site.admin_view(self.stock_upload_view)
        upload = path("<path:object_id>/stock/", view, name="catalog_product_stock")
        return [upload, *super().get_urls()]

    def stock_upload_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        """Show the upload form; on "Preview" count what would be added; on "Add" add it."""
        if not self.has_manage_stock_permission(request):
            raise PermissionDenied
        product = self.get_object(request, unquote(object_id))
        if product is None:  # unknown, or not an id at all
            raise Http404
        if product.delivers_files:
            return file_upload_view(self, request, product)
        if request.method == "POST" and "add" in request.POST:
            return self.add_previewed(request, product)
        form = StockUploadForm(request.POST or None, request.FILES or None)
        report, token, sample = None, "", []
        if request.method == "POST" and form.is_valid():
            lines = form.cleaned_data["lines"]
            with self.refusals_shown(request) as outcome:
                report = preview_stock(product_id=product.pk, values=lines)
            if not outcome.refused:
                token = secrets.token_urlsafe(16)
                stage_upload(actor=request.user, product_id=product.pk, lines=lines, token=token)
                sample = [line for line in lines if line.strip()][:SAMPLE_LINES]
        return self.render_upload(request, product, form=form, report=report, token=token, sample=sample)

    def add_previewed(self, request: HttpRequest, product: Product) -> HttpResponse:
        staged = {"actor": request.user, "product_id": product.pk, "token": request.POST.get("token", "")}
        lines = read_staged_upload(**staged)
        if lines is None:
            self.message_user(request, _("The preview has expired; upload the units again."), messages.ERROR)
            return HttpResponseRedirect(request.path)
        with self.refusals_shown(request) as outcome:
            report = add_stock(actor=request.user, product_id=product.pk, values=lines)
        if outcome.refused:
            return HttpResponseRedirect(request.path)
        discard_staged_upload(**staged)
        self.message_user(request, describe(report, added=True), messages.SUCCESS)
        return HttpResponseRedirect(reverse("admin:catalog_product_change", args=[product.pk]))

    def render_upload(self, request: HttpRequest, product: Product, **context: Any) -> HttpResponse:
        opts = Product._meta
        title = _("Upload stock: %(product)s") % {"product": product.name}
        context = {
            **self.admin_site.each_context(request),
            **context,
            "title": title,
            "opts": opts,
            "product": product,
            "summary": describe(context["report"], added=False) if context.get("report") else "",
        }
        return TemplateResponse(request, "admin/catalog/product/stock_upload.html", context)


def describe(report: StockReport, *, added: bool) -> str:
    """Return a stock report as one sentence for staff."""
    counts = {
        "new": report.new,
        "duplicates": report.duplicates,
        "existing": report.existing,
        "empty": report.empty,
        "refused": report.refused,
    }
    text = (_("Added %(new)s units.") if added else _("%(new)s new units will be added.")) % counts
    skipped = (
        _(
            " Skipped: %(existing)s already in stock, %(duplicates)s repeated, %(empty)s empty, "
            "%(refused)s too long or unreadable."
        )
        % counts
    )
    return text + skipped
