"""Categories, products, stock, purchases, carts, promo codes and reviews."""

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.timezone import now
from django.utils.translation import gettext_lazy as _

from accounts.models import Customer
from payments.models import Payment
from payments.money import money_field

ORDER_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O or 1/I to misread


def default_warranty_hours() -> int:
    return settings.WARRANTY_HOURS


def new_order_number() -> str:
    # 12 characters of a 32-letter alphabet: 60 bits, not guessable from another order.
    return "".join(secrets.choice(ORDER_ALPHABET) for _position in range(12))


class Category(models.Model):
    name = models.CharField(max_length=100, unique=True)
    position = models.IntegerField(default=0)
    is_active = models.BooleanField(default=True)
    # Sold-out products of this category leave the lists, and the category itself once all have.
    hide_when_sold_out = models.BooleanField(default=False)
    created = models.DateTimeField(default=now)

    class Meta:
        ordering = ["position", "name", "id"]
        verbose_name_plural = "categories"
        indexes = [models.Index(fields=["is_active", "position", "name", "id"], name="category_list_idx")]

    def __str__(self) -> str:
        return self.name


class DeliveryFile(models.Model):
    """A document a purchase hands over: a Telegram file, or a web admin upload sent once to learn its id.

    ``file_id`` is Telegram's (empty until an uploaded file is first sent);
    ``upload`` is the file in MEDIA_ROOT that the web admin stored.
    """

    file_id = models.CharField(max_length=255, blank=True)
    upload = models.FileField(upload_to="delivery/%Y/%m", max_length=255, blank=True)
    name = models.CharField(max_length=255)
    size = models.PositiveBigIntegerField()
    mime_type = models.CharField(max_length=100, blank=True)
    created = models.DateTimeField(default=now)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=~Q(file_id="") | ~Q(upload=""), name="delivery_file_has_a_source"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Product(models.Model):
    class DeliveryKind(models.TextChoices):
        STOCK = "stock", _("Stock units")
        SHARED = "shared", _("One shared value")
        FILE = "file", _("Files as stock units")
        SHARED_FILE = "shared_file", _("One shared file")
        MANUAL = "manual", _("Prepared by hand")
        DYNAMIC = "dynamic", _("From the seller's system")

    category = models.ForeignKey(Category, models.CASCADE, related_name="products")
    name = models.CharField(max_length=100)
    description = models.TextField(max_length=3000, blank=True)
    price = money_field()
    # A Telegram file_id or an https URL of the picture shown on the product card.
    image = models.CharField(max_length=500, blank=True)
    is_unlimited = models.BooleanField(default=False)
    # What every buyer of an unlimited product receives (a link, a file id, a shared key).
    unlimited_value = models.TextField(max_length=4000, blank=True)
    # How a sale is handed over. ``is_unlimited`` stays the "no stock units" switch every
    # read already uses: it is true exactly for the shared kinds (``save`` keeps the two in step).
    delivery = models.CharField(max_length=16, choices=DeliveryKind.choices, default=DeliveryKind.STOCK)
    # What every buyer of a shared_file product receives; its name is also the unlimited_value.
    shared_file = models.ForeignKey(
        DeliveryFile, models.PROTECT, null=True, blank=True, related_name="shared_by"
    )
    is_active = models.BooleanField(default=True)
    # Sold out, the product leaves the lists (its card by id still shows it sold out).
    hide_when_sold_out = models.BooleanField(default=False)
    # Sold out, the product can be paid now and is delivered first when stock arrives.
    preorders = models.BooleanField(default=False)
    low_stock_threshold = models.PositiveIntegerField(default=0)
    # A manual product: the hours staff have to deliver a paid order before it is escalated.
    fulfil_hours = models.PositiveIntegerField(default=24)
    # A dynamic product: the seller's HTTPS endpoint asked for each sale's value, and the signing secret.
    endpoint_url = models.CharField(max_length=500, blank=True)
    endpoint_secret = models.CharField(max_length=128, blank=True)
    # How long after a sale the buyer may report a problem (0: no warranty).
    warranty_hours = models.PositiveIntegerField(default=default_warranty_hours)
    position = models.IntegerField(default=0)
    created = models.DateTimeField(default=now)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["position", "name", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(price__gt=0), name="product_price_positive"),
            models.UniqueConstraint(fields=["category", "name"], name="product_unique_name_in_category"),
            models.CheckConstraint(
                condition=Q(is_unlimited=True, delivery__in=["shared", "shared_file", "manual", "dynamic"])
                | Q(is_unlimited=False, delivery__in=["stock", "file"]),
                name="product_delivery_matches_unlimited",
            ),
        ]
        indexes = [
            models.Index(fields=["category", "is_active", "position", "name", "id"], name="product_list_idx"),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args: object, **kwargs: object) -> None:
        # Older paths (the product services, import, the web admin form) switch only
        # ``is_unlimited``; the kind follows it, keeping "file" on the file side.
        self.delivery = delivery_for(self.delivery, unlimited=self.is_unlimited)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "is_unlimited" in update_fields:
            kwargs["update_fields"] = {*update_fields, "delivery"}
        super().save(*args, **kwargs)

    @property
    def hides_when_sold_out(self) -> bool:
        """Whether the product leaves the lists while sold out (its own flag or its category's)."""
        return self.hide_when_sold_out or self.category.hide_when_sold_out

    @property
    def is_manual(self) -> bool:
        return self.delivery == self.DeliveryKind.MANUAL

    @property
    def is_dynamic(self) -> bool:
        return self.delivery == self.DeliveryKind.DYNAMIC

    @property
    def sells_without_units(self) -> bool:
        """Whether a product without units has something to sell: its shared value, a service, an endpoint."""
        if self.is_dynamic:
            return bool(self.endpoint_url and self.endpoint_secret)
        return self.is_manual or bool(self.unlimited_value)

    @property
    def delivers_files(self) -> bool:
        return self.delivery in (self.DeliveryKind.FILE, self.DeliveryKind.SHARED_FILE)


def delivery_for(kind: str, *, unlimited: bool) -> str:
    """Return the delivery kind on the ``unlimited`` side that keeps ``kind``'s file-or-text nature."""
    is_file = kind in (Product.DeliveryKind.FILE, Product.DeliveryKind.SHARED_FILE)
    if kind in (Product.DeliveryKind.MANUAL, Product.DeliveryKind.DYNAMIC):
        return kind if unlimited else Product.DeliveryKind.STOCK
    if unlimited:
        return Product.DeliveryKind.SHARED_FILE if is_file else Product.DeliveryKind.SHARED
    return Product.DeliveryKind.FILE if is_file else Product.DeliveryKind.STOCK


class StockUnit(models.Model):
    """One deliverable unit of a product, such as a licence key."""

    product = models.ForeignKey(Product, models.CASCADE, related_name="stock")
    value = models.TextField(max_length=4000)
    # Set for a unit of a "file" product: the document it delivers (``value`` is its name).
    file = models.ForeignKey(DeliveryFile, models.PROTECT, null=True, blank=True, related_name="units")
    created = models.DateTimeField(default=now)
    sold_at = models.DateTimeField(null=True, blank=True)
    # A sold unit a claim found broken: it stays sold (so never sold again) and shows as defective.
    defective_at = models.DateTimeField(null=True, blank=True)
    defect_claim = models.ForeignKey(
        "Claim", models.SET_NULL, null=True, blank=True, related_name="defective_units"
    )

    class Meta:
        ordering = ["id"]
        indexes = [
            # The oldest unsold unit first, and the "in stock" counts. Ordered by "created", which
            # the primary key cannot give: ordered by id, PostgreSQL may walk the primary key
            # through every sold unit of a product that fills most of the table (a drop).
            models.Index(
                fields=["product", "created", "id"],
                condition=Q(sold_at__isnull=True),
                name="stock_unsold_oldest_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.product_id}:{self.id}"


class PromoCode(models.Model):
    class Kind(models.TextChoices):
        PERCENT = "percent", _("Percent off")
        FIXED = "fixed", _("Fixed amount off")
        BALANCE = "balance", _("Balance credit")

    code = models.CharField(max_length=32, unique=True)  # stored upper-case
    kind = models.CharField(max_length=16, choices=Kind.choices)
    value = money_field()  # percent (1–100) or an amount in PAY_CURRENCY
    category = models.ForeignKey(Category, models.CASCADE, null=True, blank=True, related_name="promo_codes")
    product = models.ForeignKey(Product, models.CASCADE, null=True, blank=True, related_name="promo_codes")
    max_uses = models.PositiveIntegerField(null=True, blank=True)  # None: unlimited
    uses = models.PositiveIntegerField(default=0)
    once_per_user = models.BooleanField(default=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    is_active = models.BooleanField(default=True)
    created = models.DateTimeField(default=now)

    class Meta:
        ordering = ["-created"]
        constraints = [
            models.CheckConstraint(condition=Q(value__gt=0), name="promo_value_positive"),
            models.CheckConstraint(
                condition=~Q(kind="percent") | Q(value__lte=100), name="promo_percent_at_most_100"
            ),
            models.CheckConstraint(
                condition=Q(category__isnull=True) | Q(product__isnull=True), name="promo_one_binding"
            ),
        ]

    def __str__(self) -> str:
        return self.code


class Purchase(models.Model):
    """A sold unit, with a snapshot that survives edits and deletes of the product."""

    buyer = models.ForeignKey(Customer, models.PROTECT, related_name="purchases")
    product = models.ForeignKey(Product, models.SET_NULL, null=True, blank=True, related_name="purchases")
    product_name = models.CharField(max_length=100)
    category_name = models.CharField(max_length=100, blank=True)
    list_price = money_field()  # the product's price at the moment of sale
    price = money_field()  # what the buyer paid, after any promo
    value = models.TextField()
    # The document delivered (a file unit's or the shared file), sent again on redelivery.
    file = models.ForeignKey(DeliveryFile, models.PROTECT, null=True, blank=True, related_name="purchases")
    order_number = models.CharField(max_length=16, unique=True, default=new_order_number)
    promo_code = models.ForeignKey(
        PromoCode, models.SET_NULL, null=True, blank=True, related_name="purchases"
    )
    # Set when the order was paid directly (Telegram Stars) instead of from the balance.
    payment = models.ForeignKey(Payment, models.PROTECT, null=True, blank=True, related_name="purchases")
    # The stock unit delivered (none for an unlimited value), so a claim can mark it defective.
    unit = models.ForeignKey(StockUnit, models.SET_NULL, null=True, blank=True, related_name="+")
    # Snapshot of the warranty at the sale: a later edit of the product does not change it.
    warranty_until = models.DateTimeField(null=True, blank=True)
    # A manual product's purchase: when staff are due to deliver it (its value is empty until then).
    fulfil_by = models.DateTimeField(null=True, blank=True)
    # A replacement is a purchase row of its own (price 0) pointing at the purchase it replaces.
    replaces = models.OneToOneField("self", models.PROTECT, null=True, blank=True, related_name="replacement")
    refunded_at = models.DateTimeField(null=True, blank=True)
    refunded_amount = money_field(default=0)
    created = models.DateTimeField(default=now)

    class Meta:
        ordering = ["-created", "-id"]
        constraints = [models.CheckConstraint(condition=Q(price__gte=0), name="purchase_price_not_negative")]
        indexes = [
            models.Index(fields=["buyer", "-created", "-id"], name="purchase_buyer_idx"),
            models.Index(fields=["product", "-created"], name="purchase_product_idx"),
            models.Index(fields=["-created"], name="purchase_recent_idx"),
        ]

    def __str__(self) -> str:
        return f"#{self.order_number} {self.product_name}"


class CartLine(models.Model):
    customer = models.ForeignKey(Customer, models.CASCADE, related_name="cart_lines")
    product = models.ForeignKey(Product, models.CASCADE, related_name="cart_lines")
    quantity = models.PositiveSmallIntegerField(default=1)
    promo_code = models.ForeignKey(
        PromoCode, models.SET_NULL, null=True, blank=True, related_name="cart_lines"
    )
    created = models.DateTimeField(default=now)

    class Meta:
        ordering = ["created", "id"]
        constraints = [
            models.UniqueConstraint(fields=["customer", "product"], name="cart_line_unique_product"),
            models.CheckConstraint(condition=Q(quantity__gte=1), name="cart_line_quantity_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.customer} × {self.product}"


class PromoUsage(models.Model):
    promo_code = models.ForeignKey(PromoCode, models.CASCADE, related_name="usages")
    customer = models.ForeignKey(Customer, models.CASCADE, related_name="promo_usages")
    purchase = models.ForeignKey(
        Purchase, models.SET_NULL, null=True, blank=True, related_name="promo_usages"
    )
    discount = money_field(default=0)
    created = models.DateTimeField(default=now)

    class Meta:
        ordering = ["-created"]
        indexes = [models.Index(fields=["promo_code", "customer"], name="promo_usage_idx")]

    def __str__(self) -> str:
        return f"{self.promo_code} by {self.customer}"


class Review(models.Model):
    product = models.ForeignKey(Product, models.CASCADE, related_name="reviews")
    customer = models.ForeignKey(Customer, models.CASCADE, related_name="reviews")
    rating = models.PositiveSmallIntegerField()
    text = models.TextField(max_length=500, blank=True)
    created = models.DateTimeField(default=now)

    class Meta:
        ordering = ["-created", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["product", "customer"], name="review_one_per_buyer"),
            models.CheckConstraint(condition=Q(rating__gte=1, rating__lte=5), name="review_rating_1_to_5"),
        ]
        indexes = [models.Index(fields=["product", "-created", "-id"], name="review_product_idx")]

    def __str__(self) -> str:
        return f"{self.product} {self.rating}/5"


class PurchaseIntent(models.Model):
    """What a confirmation screen showed a customer: one product or the cart, at a total, payable once.

    Written by a quote; a purchase (or checkout) locks it, refuses it when it is
    another customer's, expired, used, or the price changed, and marks it used
    in the sale's transaction.
    """

    class Kind(models.TextChoices):
        PRODUCT = "product", _("One item")
        CART = "cart", _("The cart")

    customer = models.ForeignKey(Customer, models.CASCADE, related_name="purchase_intents")
    kind = models.CharField(max_length=8, choices=Kind.choices)
    product = models.ForeignKey(Product, models.CASCADE, null=True, blank=True, related_name="+")
    quantity = models.PositiveSmallIntegerField(default=1)
    # The cart as it was shown: [product id, quantity, promo code id or None] per line, in cart order.
    lines = models.JSONField(default=list, blank=True)
    # A manual product's checkout answers: {"<product id>": ["answer", ...]}, in question order.
    answers = models.JSONField(default=dict, blank=True)
    promo_code = models.ForeignKey(PromoCode, models.SET_NULL, null=True, blank=True, related_name="+")
    total = money_field()
    # A direct order's pending payment (its invoice payload): the order is this intent, paid in Stars.
    payment = models.OneToOneField(Payment, models.CASCADE, null=True, blank=True, related_name="+")
    created = models.DateTimeField(default=now)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(total__gte=0), name="purchase_intent_total_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.total} for {self.customer}"


# Claims, support tickets, manual fulfilment, dynamic delivery, pre-orders and the waitlist
# live in their own modules;
# importing them here registers them with the app.
from catalog.claim_models import Claim  # noqa: E402, F401
from catalog.dynamic_models import DynamicOrder  # noqa: E402, F401
from catalog.manual_models import ManualOrder, ProductQuestion  # noqa: E402, F401
from catalog.preorder_models import PreOrder  # noqa: E402, F401
from catalog.ticket_models import Ticket, TicketMessage, TicketNotice  # noqa: E402, F401
from catalog.waitlist_models import WaitlistEntry  # noqa: E402, F401
