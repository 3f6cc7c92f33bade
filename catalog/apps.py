from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save


class CatalogConfig(AppConfig):
    name = "catalog"

    def ready(self) -> None:
        # Customers' catalog pages and cards are cached (catalog/cache.py): saves and deletes
        # of what they show forget them, whoever writes (services, the web admin, imports).
        # Stock units only on save: a delete receiver would make Django load every unit of a
        # deleted product just to send it; the services forget stock themselves.
        from catalog import cache
        from catalog.models import CartLine, Category, Product, Review, StockUnit

        for model in (Category, Product, Review):
            post_save.connect(
                cache.on_catalog_change, sender=model, dispatch_uid=f"catalog-cache-{model.__name__}"
            )
            post_delete.connect(
                cache.on_catalog_change, sender=model, dispatch_uid=f"catalog-cache-{model.__name__}"
            )
        post_save.connect(cache.on_stock_change, sender=StockUnit, dispatch_uid="catalog-cache-stock")
        # The menu's cart badge: every way a line changes or goes (a cart emptied, an order
        # paid, a product deleted) forgets it; a cart holds few lines, so loading them is cheap.
        post_save.connect(cache.on_cart_change, sender=CartLine, dispatch_uid="catalog-cache-cart")
        post_delete.connect(cache.on_cart_change, sender=CartLine, dispatch_uid="catalog-cache-cart")

        # What a paid direct order delivers; payments calls it and never imports catalog.
        from catalog.services.orders import OrderFulfiller
        from payments.models import Payment
        from payments.services import register_fulfiller

        register_fulfiller(Payment.Purpose.ORDER, OrderFulfiller())

        # Blocking a customer refuses their open claims, anonymising one removes catalog's
        # texts about them; accounts never imports catalog.
        from accounts.hooks import block_hooks, scrubbers
        from catalog.services import scrubbing
        from catalog.services.fraud import refuse_blocked_claims

        block_hooks.register("refused_claims", refuse_blocked_claims)
        scrubbers.register("catalog", scrubbing.scrub_customer)
