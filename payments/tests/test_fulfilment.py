import ast
from decimal import Decimal
from pathlib import Path
from unittest import mock

import pytest
from django.test import SimpleTestCase

from payments.models import LedgerEntry, Payment
from payments.services import Credit, create_payment, credit_payment, fulfilment
from payments.services.crediting import TopUpFulfiller
from payments.services.fulfilment import FulfilmentRegistry
from payments.tests.helpers import pay_telegram
from shopbot.test import ShopTestCase, ledger_matches_balance

PAYMENTS_DIR = Path(__file__).resolve().parent.parent


class Recorder:
    """A fulfiller that records its calls."""

    def __init__(self) -> None:
        self.calls: list[tuple[int, str]] = []

    def check(self, *, payment):
        return None

    def fulfil(self, *, payment, customer, referrer):
        self.calls.append((payment.pk, payment.status))
        return Credit(payment=payment, credited=True)

    def refunded(self, *, payment, actor):
        self.calls.append((payment.pk, payment.status))


def top_ups_only() -> FulfilmentRegistry:
    registry = FulfilmentRegistry()
    registry.register(Payment.Purpose.TOP_UP, TopUpFulfiller())
    return registry


class FulfilmentRegistryTests(SimpleTestCase):
    def test_it_refuses_a_second_fulfiller_for_one_purpose(self):
        registry = FulfilmentRegistry()
        registry.register(Payment.Purpose.ORDER, Recorder())

        with self.assertRaisesMessage(RuntimeError, "'order' already have a fulfiller"):
            registry.register(Payment.Purpose.ORDER, Recorder())

    def test_it_refuses_a_purpose_payments_do_not_have(self):
        with self.assertRaisesMessage(ValueError, "'gift' is not a payment purpose"):
            FulfilmentRegistry().register("gift", Recorder())

    def test_it_names_the_purpose_nobody_registered(self):
        with self.assertRaisesMessage(
            LookupError, "no fulfiller is registered for payments of purpose 'order'"
        ):
            FulfilmentRegistry().get(Payment.Purpose.ORDER)

    def test_it_holds_the_top_up_and_order_fulfillers_the_apps_registered(self):
        from catalog.services.orders import OrderFulfiller

        self.assertIsInstance(fulfilment.fulfiller_for(Payment.Purpose.TOP_UP), TopUpFulfiller)
        self.assertIsInstance(fulfilment.fulfiller_for(Payment.Purpose.ORDER), OrderFulfiller)


class CreditThroughFulfillerTests(ShopTestCase):
    def new_payment(self, purpose=Payment.Purpose.TOP_UP):
        return create_payment(
            customer=self.bob,
            provider=Payment.Provider.STARS,
            purpose=purpose,
            amount=Decimal("10.00"),
            provider_amount=Decimal("15"),
            provider_currency="XTR",
        )

    def test_it_credits_a_top_up_with_no_catalog_fulfiller_registered(self):
        payment = self.new_payment()

        with mock.patch.object(fulfilment, "registry", top_ups_only()):
            credit = pay_telegram(payment)

        self.assertIs(credit.credited, True)
        self.bob.refresh_from_db()
        self.assertEqual(self.bob.balance, Decimal("10.00"))
        self.assertTrue(ledger_matches_balance(self.bob))

    def test_it_calls_the_fulfiller_once_with_the_payment_already_paid(self):
        payment = self.new_payment(Payment.Purpose.ORDER)
        recorder = Recorder()
        registry = FulfilmentRegistry()
        registry.register(Payment.Purpose.ORDER, recorder)

        with mock.patch.object(fulfilment, "registry", registry):
            first = credit_payment(payment_id=payment.pk, external_id="charge-1")
            again = credit_payment(payment_id=payment.pk, external_id="charge-1")

        self.assertEqual(recorder.calls, [(payment.pk, Payment.Status.PAID)])
        self.assertEqual((first.credited, again.credited), (True, False))

    def test_it_refuses_a_purpose_without_fulfiller_and_changes_nothing(self):
        payment = self.new_payment(Payment.Purpose.ORDER)

        with mock.patch.object(fulfilment, "registry", top_ups_only()):
            with pytest.raises(LookupError, match="purpose 'order'"):
                pay_telegram(payment)

        payment.refresh_from_db()
        self.assertEqual((payment.status, payment.external_id), (Payment.Status.PENDING, None))
        self.assertEqual(LedgerEntry.objects.filter(customer=self.bob).count(), 0)


def test_it_never_imports_catalog_from_payments_not_even_inside_a_function():
    offenders = []
    for path in PAYMENTS_DIR.rglob("*.py"):
        if "tests" in path.relative_to(PAYMENTS_DIR).parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            offenders += [f"{path.name}: {name}" for name in names if name.split(".")[0] == "catalog"]

    assert offenders == []
