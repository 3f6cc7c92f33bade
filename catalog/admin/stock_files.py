"""The stock page of a product that delivers files: upload documents (units) or the one shared file.

Files are kept in MEDIA_ROOT and sent to a buyer by upload the first time;
the size limit (Telegram's 50 MB for bots) and the storing are
``catalog.services.delivery_files``' work, as for the bot's uploads.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _

from catalog.models import Product
from catalog.services.delivery_files import FileSpec, add_file_stock, set_shared_file


def specs(request: HttpRequest) -> list[FileSpec]:
    return [
        FileSpec(name=upload.name, size=upload.size, mime_type=upload.content_type or "", upload=upload)
        for upload in request.FILES.getlist("documents")
    ]


def file_upload_view(admin: Any, request: HttpRequest, product: Product) -> HttpResponse:
    """Show the document upload form; on POST store the documents as units, or as the shared file."""
    if request.method == "POST":
        files = specs(request)
        if not files:
            admin.message_user(request, _("Choose a file to upload."), messages.ERROR)
            return HttpResponseRedirect(request.path)
        with admin.refusals_shown(request) as outcome:
            if product.delivery == Product.DeliveryKind.SHARED_FILE:
                set_shared_file(actor=request.user, product_id=product.pk, file=files[0])
                done = _("Every buyer now receives %(file)s.") % {"file": files[0].name}
            else:
                added = add_file_stock(actor=request.user, product_id=product.pk, files=files)
                done = _("Added %(count)s files to stock.") % {"count": added}
        if outcome.refused:
            return HttpResponseRedirect(request.path)
        admin.message_user(request, done, messages.SUCCESS)
        return HttpResponseRedirect(reverse("admin:catalog_product_change", args=[product.pk]))
    context = {
        **admin.admin_site.each_context(request),
        "title": _("Upload files: %(product)s") % {"product": product.name},
        "opts": Product._meta,
        "product": product,
        "shared": product.delivery == Product.DeliveryKind.SHARED_FILE,
    }
    return TemplateResponse(request, "admin/catalog/product/file_upload.html", context)
