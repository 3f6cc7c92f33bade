"""A claim's Stars refund from the web admin, against the fake Bot API over HTTP."""

from decimal import Decimal

from django.contrib.auth.models import Group, Permission
from django.test import override_settings
from django.urls import reverse

from accounts.models import AuditEntry
from accounts.roles import ADMIN_ROLE
from catalog.models import Purchase, StockUnit
from catalog.services import open_claim
from catalog.services.orders import start_order_payment
from payments.models import LedgerEntry, Payment
from payments.tests.helpers import pay_telegram
from payments.tests.test_admin_refunds import BotApiThread
from shopbot.test import ShopTestCase, ledger_matches_balance, make_staff, row_counts

CHANGELIST = reverse("admin:catalog_claim_changelist")
CHARGE = "stars-charge-web-1"


@override_settings(STARS_PER_VALUE=Decimal("1"), PAY_CURRENCY="RUB")
class StarsOrderTestCase(ShopTestCase):
    """Alice's Stars cart order (a key and a gift) with a claim on the key, and the fake Bot API over HTTP."""

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        # Wendy is web staff with the Admin role: she decides claims and refunds payments.
        cls.wendy = make_staff("wendy", roles=[ADMIN_ROLE])
        # Dan decides claims but may not refund payments.
        deciders = Group.objects.create(name="Claim deciders")
        deciders.permissions.set(Permission.objects.filter(codename="manage_claims"))
        cls.dan = make_staff("dan", roles=["Claim deciders"])

    def setUp(self) -> None:
        self.bot_api = BotApiThread().__enter__()
        self.addCleanup(self.bot_api.__exit__)
        settings = override_settings(TELEGRAM_API_URL=self.bot_api.url, TOKEN="123456:TEST-TOKEN")
        settings.enable()
        self.addCleanup(settings.disable)
        # Alice paid a cart of two items in Stars and claims the key.
        self.payment = start_order_payment(
            telegram_id=self.alice.telegram_id, lines=[(self.key.pk, 1), (self.gift.pk, 1)]
        )
        pay_telegram(self.payment, charge_id=CHARGE)
        self.bot_api.telegram.charges[CHARGE] = {"user_id": self.alice.telegram_id, "refunded": False}
        first = Purchase.objects.filter(payment=self.payment).order_by("id").first()
        self.claim = open_claim(
            telegram_id=self.alice.telegram_id, purchase_id=first.pk, reason="not_working"
        )
        self.url = reverse("admin:catalog_claim_refund_stars", args=[self.claim.pk])

    def confirm(self, url: str | None = None):  # type: ignore[no-untyped-def]
        data = {"action": "refund_stars", "_selected_action": [self.claim.pk], "apply": "1"}
        return self.client.post(url or self.url, data, follow=True)

    def state(self) -> tuple[str, str, list[bool], int, str]:
        self.claim.refresh_from_db()
        self.payment.refresh_from_db()
        purchases = list(Purchase.objects.filter(payment=self.payment).order_by("id"))
        defective = StockUnit.objects.filter(defective_at__isnull=False).count()
        self.assertTrue(ledger_matches_balance(self.alice))
        return (
            self.claim.status,
            self.claim.refund_to,
            [purchase.refunded_at is not None for purchase in purchases],
            defective,
            self.payment.status,
        )


class ClaimStarsRefundPageTests(StarsOrderTestCase):
    def test_the_page_shows_the_order_then_refunds_the_whole_order_once_telegram_accepted(self) -> None:
        self.client.force_login(self.wendy)
        page = self.client.get(reverse("admin:catalog_claim_change", args=[self.claim.pk]))
        confirmation = self.client.get(self.url)
        self.assertContains(page, f"Telegram Stars: payment #{self.payment.pk}, 15 XTR, 2 items.")
        self.assertContains(confirmation, "A cart order is refunded only as a whole")
        self.assertEqual(self.bot_api.refunds(), 0)  # shown, not done

        done = self.confirm()

        self.assertContains(done, "Decided 1 claims.")
        self.assertEqual(self.state(), ("refunded", "stars", [True, True], 1, Payment.Status.REFUNDED))
        self.assertEqual(self.bot_api.refunds(), 1)
        self.assertIs(self.bot_api.telegram.charges[CHARGE]["refunded"], True)
        self.assertFalse(LedgerEntry.objects.filter(kind=LedgerEntry.Kind.REFUND).exists())

    def test_telegram_refusing_leaves_the_claim_open_and_says_why(self) -> None:
        del self.bot_api.telegram.charges[CHARGE]
        self.client.force_login(self.wendy)

        done = self.confirm()

        self.assertContains(done, "Telegram does not know this charge.")
        self.assertNotContains(done, "Decided 1 claims.")
        self.assertEqual(self.state(), ("open", "", [False, False], 0, Payment.Status.PAID))
        again = self.confirm()  # the hold was given back: staff may try again
        self.assertContains(again, "Telegram does not know this charge.")

    def test_it_refuses_staff_without_refund_payments_and_audits_it(self) -> None:
        self.client.force_login(self.dan)
        before = row_counts(LedgerEntry)

        done = self.confirm()

        self.assertContains(done, "permission")
        self.assertEqual(self.state(), ("open", "", [False, False], 0, Payment.Status.PAID))
        self.assertEqual(self.bot_api.refunds(), 0)
        self.assertEqual(row_counts(LedgerEntry), before)
        self.assertTrue(
            AuditEntry.objects.filter(
                action="permission_denied", target="begin_claim_stars_refund", actor_label="web:dan"
            ).exists()
        )

    def test_it_refuses_staff_without_manage_claims_and_forged_ids(self) -> None:
        stan = make_staff("stan", permissions=["accounts.refund_payments"])
        self.client.force_login(stan)
        self.assertEqual(self.client.get(self.url).status_code, 403)
        self.assertEqual(self.confirm().status_code, 403)

        self.client.force_login(self.wendy)
        for forged in ("999999", "١٢", "9" * 30, "-1", "1<b>"):
            response = self.confirm(f"{CHANGELIST}{forged}/refund-stars/")
            self.assertEqual(response.status_code, 404, forged)
        self.assertEqual(self.state(), ("open", "", [False, False], 0, Payment.Status.PAID))
        self.assertEqual(self.bot_api.refunds(), 0)
