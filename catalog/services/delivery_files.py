"""Files as goods: documents that are stock units of a ``file`` product, or one ``shared_file`` for all buyers.

Every upload path (the bot's admin menu, the web admin) checks the size here
first: Telegram lets a bot send documents of at most 50 MB. A web admin
upload is kept in MEDIA_ROOT and sent by upload the first time; the
``file_id`` Telegram returns is remembered (``remember_file_id``). A buyer
may ask for a purchased file in their chat again (``send_file_to_chat``):
a notice the bot's notice job sends.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.core.files import File
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.actors import Actor
from accounts.services import get_customer_for_update, record_audit, requires
from catalog.cache import forget_stock
from catalog.models import DeliveryFile, Product, Purchase, StockUnit
from catalog.services.common import clean_id, clean_line, drop_controls, oldest_unsold
from catalog.services.products import lock_product
from catalog.services.restock import stock_arrived
from payments.services import owe_purchase_file
from shopbot.errors import InvalidInput, PurchaseNotFound

FILE_MAX_BYTES = 50 * 1024 * 1024  # Telegram's limit on documents a bot sends
NAME_MAX = 255
MAX_FILES = 100  # documents in one upload
Kind = Product.DeliveryKind


@dataclass(frozen=True)
class FileSpec:
    """A document offered as goods: a Telegram file (``file_id``) or an upload (``upload``)."""

    name: str
    size: int | None
    file_id: str = ""
    mime_type: str = ""
    upload: File | None = None


def check_file_size(size: object) -> int:
    """Return a document's size, or refuse one Telegram would not let the bot send (over 50 MB)."""
    if isinstance(size, bool) or not isinstance(size, int) or size < 0:
        raise InvalidInput(reason=_("Telegram did not tell the file's size; send it again as a document."))
    if size > FILE_MAX_BYTES:
        raise InvalidInput(
            reason=_("The file is larger than %(max)s MB, the most a bot may send. Send a smaller file.")
            % {"max": FILE_MAX_BYTES // 2**20}
        )
    return size


def build_file(spec: FileSpec) -> DeliveryFile:
    """Check one document and return its unsaved row."""
    size = check_file_size(spec.size)
    name = clean_line(spec.name or "file", what=_("The file name"), max_length=NAME_MAX)
    file_id = spec.file_id.strip() if isinstance(spec.file_id, str) else ""
    if not file_id and spec.upload is None:
        raise InvalidInput(reason=_("Send the file as a document."))
    # Telegram's file ids are printable ASCII; anything else was not sent by Telegram.
    if len(file_id) > NAME_MAX or not (file_id.isascii() and file_id.isprintable()):
        raise InvalidInput(reason=_("Send the file as a document."))
    mime_type = drop_controls(spec.mime_type)[:100] if isinstance(spec.mime_type, str) else ""
    return DeliveryFile(file_id=file_id, name=name, size=size, mime_type=mime_type)


def save_file(spec: FileSpec) -> DeliveryFile:
    row = build_file(spec)
    if spec.upload is not None:
        row.upload.save(row.name, spec.upload, save=False)
    row.save()
    return row


def require_kind(product: Product, kind: str) -> None:
    if product.delivery != kind:
        raise InvalidInput(
            reason=_("%(product)s does not deliver %(kind)s.")
            % {"product": product.name, "kind": Kind(kind).label.lower()}
        )


@requires("manage_stock")
@transaction.atomic
def add_file_stock(*, actor: Actor, product_id: int, files: Sequence[FileSpec]) -> int:
    """Add documents as units of a ``file`` product (each one unit); return how many were added.

    Every document is checked before any is stored, so a refused one adds none.
    The same Telegram file already unsold is skipped.
    """
    product = lock_product(product_id)
    require_kind(product, Kind.FILE)
    if not files or len(files) > MAX_FILES:
        raise InvalidInput(reason=_("Send 1 to %(maximum)s documents at once.") % {"maximum": MAX_FILES})
    for spec in files:
        build_file(spec)
    present = set(oldest_unsold(product).exclude(file__file_id="").values_list("file__file_id", flat=True))
    added = 0
    for spec in files:
        if spec.file_id and spec.file_id in present:
            continue
        row = save_file(spec)
        present.add(row.file_id)
        StockUnit.objects.create(product=product, value=row.name, file=row)
        added += 1
    stock_arrived(product=product, actor=actor, added=added)
    forget_stock([product.pk])
    record_audit(
        actor=actor,
        action="add_file_stock",
        target=product.name,
        details={"product": product.pk, "added": added, "skipped": len(files) - added},
    )
    return added


@requires("manage_stock")
@transaction.atomic
def set_shared_file(*, actor: Actor, product_id: int, file: FileSpec) -> Product:
    """Make ``file`` the document every buyer of a ``shared_file`` product receives."""
    product = lock_product(product_id)
    require_kind(product, Kind.SHARED_FILE)
    was_for_sale = product.shared_file_id is not None
    row = save_file(file)
    product.shared_file, product.unlimited_value = row, row.name
    product.save(update_fields=["shared_file", "unlimited_value", "updated"])
    if not was_for_sale:
        stock_arrived(product=product, actor=actor, added=1)
    forget_stock([product.pk])
    record_audit(
        actor=actor,
        action="set_shared_file",
        target=product.name,
        details={"file": row.name, "size": row.size},
    )
    return product


@requires("manage_stock")
@transaction.atomic
def set_delivery_kind(*, actor: Actor, product_id: int, kind: object) -> Product:
    """Switch a product between text and file delivery on its side (units or shared).

    Units of one nature do not turn into the other: a product with unsold
    units cannot switch between ``stock`` and ``file``. A ``manual`` product
    has no units and no shared value: staff deliver each order by hand.
    """
    if kind not in Kind.values:
        raise InvalidInput(reason=_("Choose one of the delivery kinds."))
    product = lock_product(product_id)
    unlimited = kind in (Kind.SHARED, Kind.SHARED_FILE, Kind.MANUAL, Kind.DYNAMIC)
    if not unlimited and kind != product.delivery and oldest_unsold(product).exists():
        raise InvalidInput(reason=_("Remove the unsold units first: they cannot change into the other kind."))
    product.delivery, product.is_unlimited = kind, unlimited
    if kind == Kind.SHARED_FILE and product.shared_file is None:
        product.unlimited_value = ""  # sold out until the file is set
    if kind in (Kind.SHARED, Kind.MANUAL, Kind.DYNAMIC) and product.shared_file is not None:
        product.shared_file, product.unlimited_value = None, ""
    if kind in (Kind.MANUAL, Kind.DYNAMIC):
        product.unlimited_value = ""  # nothing is handed over at the sale
    product.save(update_fields=["delivery", "is_unlimited", "unlimited_value", "shared_file", "updated"])
    forget_stock([product.pk])
    record_audit(actor=actor, action="set_delivery_kind", target=product.name, details={"kind": kind})
    return product


def remember_file_id(*, file_pk: int, file_id: str) -> None:
    """Keep the ``file_id`` Telegram returned for an uploaded file, so later sends skip the upload."""
    if isinstance(file_id, str) and 0 < len(file_id) <= NAME_MAX:
        DeliveryFile.objects.filter(pk=file_pk, file_id="").update(file_id=file_id)


@transaction.atomic
def send_file_to_chat(*, telegram_id: int, purchase_id: object) -> bool:
    """Owe the buyer's chat the file one of their purchases delivered (the bot sends it, never this).

    Refuses another customer's purchase, or one without a file, as not found;
    returns False when the same file is already on its way (two presses, one document).
    """
    customer = get_customer_for_update(telegram_id=telegram_id)
    purchase = (
        Purchase.objects.filter(pk=clean_id(purchase_id, PurchaseNotFound), buyer=customer)
        .exclude(file=None)
        .first()
    )
    if purchase is None:
        raise PurchaseNotFound()
    return owe_purchase_file(telegram_id=telegram_id, purchase_id=purchase.pk)
