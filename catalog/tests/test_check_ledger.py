"""manage.py check_ledger: balances against their ledgers, sold units against their purchases."""

from __future__ import annotations

import io

from django.core.management import call_command
from django.utils.timezone import now

from accounts.models import Customer
from catalog.models import Purchase
from shopbot.test import ShopTestCase


def check() -> tuple[int, str]:
    out = io.StringIO()
    try:
        call_command("check_ledger", stdout=out)
    except SystemExit as exit_:
        return int(exit_.code), out.getvalue()
    return 0, out.getvalue()


class CheckLedgerTests(ShopTestCase):
    def test_it_passes_a_shop_whose_money_and_stock_agree(self) -> None:
        unit = self.key.stock.first()
        unit.sold_at = now()
        unit.save()
        Purchase.objects.create(
            buyer=self.alice,
            product=self.key,
            product_name=self.key.name,
            list_price=self.key.price,
            price=self.key.price,
            value=unit.value,
        )
        code, output = check()
        self.assertEqual(code, 0)
        self.assertIn("Every balance matches its ledger", output)

    def test_it_names_a_balance_that_is_not_its_ledger(self) -> None:
        Customer.objects.filter(pk=self.alice.pk).update(balance="60.00")
        code, output = check()
        self.assertEqual(code, 1)
        self.assertIn("Customer 1001: balance 60.00, ledger sums to 50.00", output)

    def test_it_names_a_sold_unit_without_its_purchase(self) -> None:
        unit = self.key.stock.first()
        unit.sold_at = now()
        unit.save()
        code, output = check()
        self.assertEqual(code, 1)
        self.assertIn(f"Stock unit {unit.pk} of Game key", output)
        self.assertIn("0 balances differ from their ledgers, 1 sold units lack a purchase.", output)
