"""Writes on the catalog: purchases, the cart, promo codes, reviews, and the admin's catalog work.

Lock order shared by every service in the project: customer rows first (in
ascending id when several), then payment rows, then purchase intents, then
stock rows, then promo rows. Modules by subdomain; the public services are re-exported here.
"""

from catalog.services.cart import (
    add_to_cart,
    apply_promo_to_cart_line,
    checkout_cart,
    clear_cart,
    quote_cart,
    remove_from_cart,
    remove_promo_from_cart_line,
    set_cart_quantity,
)
from catalog.services.categories import (
    Deleted,
    delete_category,
    move_category,
    save_category,
    set_category_active,
    set_category_hide_when_sold_out,
)
from catalog.services.claims import (
    Attachment,
    open_claim,
    refund_claim,
    reject_claim,
    replace_claim,
    wait_for_stock,
)
from catalog.services.pricing import Cart, CartItem
from catalog.services.products import (
    delete_product,
    save_product,
    set_product_active,
    set_product_hide_when_sold_out,
    set_product_preorders,
    set_warranty_hours,
)
from catalog.services.promos import delete_promo, redeem_balance_promo, save_promo, set_promo_active
from catalog.services.purchases import Quote, Sale, count_sales, purchase_product, quote_product, record_sales
from catalog.services.reviews import save_review
from catalog.services.stock import (
    StockReport,
    add_stock,
    delete_stock_unit,
    preview_stock,
    set_low_stock_threshold,
)

__all__ = [
    "Attachment",
    "Cart",
    "CartItem",
    "Deleted",
    "Quote",
    "Sale",
    "StockReport",
    "add_stock",
    "add_to_cart",
    "apply_promo_to_cart_line",
    "checkout_cart",
    "clear_cart",
    "count_sales",
    "delete_category",
    "delete_product",
    "delete_promo",
    "delete_stock_unit",
    "move_category",
    "open_claim",
    "preview_stock",
    "purchase_product",
    "quote_cart",
    "quote_product",
    "record_sales",
    "redeem_balance_promo",
    "refund_claim",
    "reject_claim",
    "remove_from_cart",
    "remove_promo_from_cart_line",
    "replace_claim",
    "save_category",
    "save_product",
    "save_promo",
    "save_review",
    "set_cart_quantity",
    "set_category_active",
    "set_category_hide_when_sold_out",
    "set_low_stock_threshold",
    "set_product_active",
    "set_product_hide_when_sold_out",
    "set_product_preorders",
    "set_promo_active",
    "set_warranty_hours",
    "wait_for_stock",
]
