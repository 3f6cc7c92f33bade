"""URLs of the Mini App, included under ``app/`` by ``shopbot/urls.py``."""

from django.urls import path

from telegrambot.miniapp import aftersale, api, images, views

app_name = "miniapp"
urlpatterns = [
    path("", views.shop, name="shop"),
    path("download/<str:token>", views.download, name="download"),
    path("file/<str:token>", views.file, name="file"),
    path("img/<int:product_id>/", images.image, name="image"),
    path("api/session", api.session, name="session"),
    path("api/me", api.me, name="me"),
    path("api/categories", api.categories, name="categories"),
    path("api/categories/<int:category_id>", api.category_products, name="category"),
    path("api/search", api.search, name="search"),
    path("api/products/<int:product_id>", api.product, name="product"),
    path("api/cart", api.cart, name="cart"),
    path("api/cart/add", api.cart_add, name="cart-add"),
    path("api/cart/set", api.cart_set, name="cart-set"),
    path("api/cart/remove", api.cart_remove, name="cart-remove"),
    path("api/cart/promo", api.cart_promo, name="cart-promo"),
    path("api/cart/promo/remove", api.cart_promo_remove, name="cart-promo-remove"),
    path("api/cart/quote", api.cart_quote, name="cart-quote"),
    path("api/cart/checkout", api.checkout, name="checkout"),
    path("api/buy/quote", api.buy_quote, name="buy-quote"),
    path("api/buy", api.buy, name="buy"),
    path("api/purchases", api.purchases, name="purchases"),
    path("api/purchases/<int:purchase_id>", api.purchase, name="purchase"),
    path("api/purchases/<int:purchase_id>/claim", aftersale.open_claim, name="claim"),
    path("api/purchases/<int:purchase_id>/send-file", aftersale.send_file, name="send-file"),
    path("api/stars/product", api.stars_product, name="stars-product"),
    path("api/stars/cart", api.stars_cart, name="stars-cart"),
    path("api/stars/top-up", api.stars_top_up, name="stars-top-up"),
    path("api/crypto/top-up", api.crypto_top_up, name="crypto-top-up"),
    path("api/crypto/<int:payment_id>/check", api.crypto_check, name="crypto-check"),
    path("api/orders/<int:payment_id>", api.order, name="order"),
]
