"""The product admin page against an edit committed in the bot while it saves, on PostgreSQL."""

from __future__ import annotations

from decimal import Decimal
from unittest import mock

import pytest
from django.test import Client
from django.urls import reverse

from catalog.admin.catalog import ProductAdmin
from catalog.models import Category, Product
from catalog.services.drafts import edit_product
from catalog.tests.test_admin import product_form
from shopbot.test import OWNER_ID, in_another_thread, is_postgresql, make_customer, make_product, make_staff

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def postgresql_only():
    if not is_postgresql():
        pytest.skip("row locks are only real on PostgreSQL")


def test_it_keeps_a_price_changed_in_the_bot_while_the_description_was_saved():
    owner = make_customer(OWNER_ID)
    product = make_product(Category.objects.create(name="Games"), "Game key", "9.99", units=["A"])
    client = Client()
    client.force_login(make_staff("root", superuser=True))
    read = ProductAdmin.get_object

    def read_then_reprice(admin, request, object_id, from_field=None):
        found = read(admin, request, object_id, from_field)
        in_another_thread(lambda: edit_product(actor=owner, product_id=product.pk, price="12.00"))
        return found

    url = reverse("admin:catalog_product_change", args=[product.pk])
    with mock.patch.object(ProductAdmin, "get_object", read_then_reprice):
        response = client.post(url, product_form(product, description="New words"))

    assert response.status_code == 302
    product = Product.objects.get(pk=product.pk)
    assert (product.price, product.description) == (Decimal("12.00"), "New words")
