"""The users' admin page against writes committed while it is open, on PostgreSQL."""

from __future__ import annotations

from decimal import Decimal
from unittest import mock

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse

from accounts import services
from accounts.models import Customer
from accounts.roles import ADMIN_ROLE, ensure_builtin_roles
from catalog.models import Category, StockUnit
from catalog.services import purchase_product
from payments.admin.payments import CustomerBalanceAdmin
from shopbot.test import (
    OWNER_ID,
    in_another_thread,
    is_postgresql,
    ledger_matches_balance,
    make_customer,
    make_product,
    make_staff,
)

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def postgresql_only():
    if not is_postgresql():
        pytest.skip("row locks are only real on PostgreSQL")


def save_while(client: Client, customer: Customer, work) -> None:
    """Post the customer's change form; ``work`` commits after the admin has read the customer."""
    read = CustomerBalanceAdmin.get_object

    def read_then_work(admin, request, object_id, from_field=None):
        found = read(admin, request, object_id, from_field)
        in_another_thread(work)
        return found

    url = reverse("admin:accounts_customer_change", args=[customer.pk])
    with mock.patch.object(CustomerBalanceAdmin, "get_object", read_then_work):
        response = client.post(url, {"language": "ru"})
    assert response.status_code == 302


def test_it_keeps_a_purchase_committed_while_the_form_was_saved():
    ensure_builtin_roles()
    alice = make_customer(1001, balance="50.00")
    product = make_product(Category.objects.create(name="Games"), "Game key", "9.99", units=["AAA-111"])
    client = Client()
    client.force_login(make_staff("root", superuser=True))

    save_while(client, alice, lambda: purchase_product(telegram_id=1001, product_id=product.pk))

    alice.refresh_from_db()
    assert (alice.balance, alice.language) == (Decimal("40.01"), "ru")
    assert ledger_matches_balance(alice)
    assert StockUnit.objects.get().sold_at is not None


def test_it_keeps_a_block_and_a_role_committed_while_the_form_was_saved():
    ensure_builtin_roles()
    owner = make_customer(OWNER_ID)
    bob = make_customer(1002)
    role = Group.objects.get(name=ADMIN_ROLE)
    client = Client()
    client.force_login(make_staff("root", superuser=True))

    def block_and_promote() -> None:
        services.assign_role(actor=owner, telegram_id=bob.telegram_id, role_id=role.pk)
        services.set_blocked(actor=owner, telegram_id=bob.telegram_id, blocked=True, reason="Chargebacks")

    save_while(client, bob, block_and_promote)

    bob.refresh_from_db()
    assert (bob.is_blocked, bob.role_id, bob.language) == (True, role.pk, "ru")
