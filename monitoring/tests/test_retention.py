"""`manage.py cleanup`: old audit entries, abandoned payments, spent purchase intents and sent staff notices go."""

from datetime import timedelta
from decimal import Decimal
from io import StringIO

from django.core.management import call_command
from django.test import override_settings
from django.utils.timezone import now

from accounts.models import AuditEntry, StaffNotice
from catalog.models import PurchaseIntent
from payments.models import LedgerEntry, Payment
from shopbot.test import ShopTestCase


class CleanupTests(ShopTestCase):
    def make_payment(self, status: str, days_ago: int) -> Payment:
        created = now() - timedelta(days=days_ago)
        return Payment.objects.create(
            provider=Payment.Provider.CRYPTOPAY,
            customer=self.alice,
            amount=Decimal("10.00"),
            provider_amount=Decimal(10),
            provider_currency="USDT",
            status=status,
            expires_at=created + timedelta(minutes=30),
            created=created,
        )

    def setUp(self) -> None:
        AuditEntry.objects.create(action="old", created=now() - timedelta(days=100))
        AuditEntry.objects.create(action="recent", created=now() - timedelta(days=5))
        self.old_expired = self.make_payment(Payment.Status.EXPIRED, 100)
        self.old_failed = self.make_payment(Payment.Status.FAILED, 100)
        self.recent_expired = self.make_payment(Payment.Status.EXPIRED, 5)
        self.old_paid = self.make_payment(Payment.Status.PAID, 100)
        self.old_pending = self.make_payment(Payment.Status.PENDING, 100)
        # An expired payment the ledger points at (credited, then expired by a late job): kept.
        self.old_in_ledger = self.make_payment(Payment.Status.EXPIRED, 100)
        LedgerEntry.objects.create(
            customer=self.bob,
            kind=LedgerEntry.Kind.TOP_UP,
            amount=Decimal("1.00"),
            balance_after=Decimal("1.00"),
            payment=self.old_in_ledger,
        )
        self.old_intent = self.make_intent(days_ago=100)
        self.recent_intent = self.make_intent(days_ago=5)
        # A Stars order's intent goes with its payment, never on its own (the payment may still be paid).
        self.old_order_intent = self.make_intent(days_ago=100, payment=self.old_pending)
        long_ago = now() - timedelta(days=100)
        StaffNotice.objects.create(telegram_id=9000, event="new_claim", created=long_ago, sent_at=long_ago)
        # Never sent (the bot was down): it waits for the bot whatever its age.
        self.unsent = StaffNotice.objects.create(telegram_id=9000, event="low_stock", created=long_ago)

    def make_intent(self, *, days_ago: int, payment: Payment | None = None) -> PurchaseIntent:
        return PurchaseIntent.objects.create(
            customer=self.alice,
            kind=PurchaseIntent.Kind.PRODUCT,
            product=self.key,
            total=Decimal("5.00"),
            payment=payment,
            expires_at=now() - timedelta(days=days_ago),
        )

    def cleanup(self, *args: str) -> str:
        out = StringIO()
        call_command("cleanup", *args, stdout=out)
        return out.getvalue()

    @override_settings(RETENTION_DAYS=0)
    def test_it_keeps_everything_when_retention_is_zero(self) -> None:
        output = self.cleanup()

        self.assertIn("everything is kept", output)
        self.assertEqual(AuditEntry.objects.count(), 2)
        self.assertEqual(Payment.objects.count(), 6)
        self.assertEqual(PurchaseIntent.objects.count(), 3)

    @override_settings(RETENTION_DAYS=30)
    def test_it_deletes_what_is_older_than_the_retention(self) -> None:
        output = self.cleanup()

        self.assertIn(
            "Deleted 1 audit entries, 2 payments, 1 purchase intents and 1 sent staff notices older than 30 days.",
            output,
        )
        self.assertEqual(list(StaffNotice.objects.values_list("pk", flat=True)), [self.unsent.pk])
        self.assertEqual(list(AuditEntry.objects.values_list("action", flat=True)), ["recent"])
        self.assertEqual(
            set(Payment.objects.values_list("pk", flat=True)),
            {self.recent_expired.pk, self.old_paid.pk, self.old_pending.pk, self.old_in_ledger.pk},
        )
        self.assertEqual(
            set(PurchaseIntent.objects.values_list("pk", flat=True)),
            {self.recent_intent.pk, self.old_order_intent.pk},
        )

    @override_settings(RETENTION_DAYS=0)
    def test_it_takes_the_days_from_the_command_line(self) -> None:
        output = self.cleanup("--days", "3")

        self.assertIn(
            "Deleted 2 audit entries, 3 payments, 2 purchase intents and 1 sent staff notices", output
        )
