"""Refunds, manual refunds and re-checks from the web admin's payments, against the fake APIs over HTTP."""

from __future__ import annotations

import asyncio
import threading
from decimal import Decimal
from typing import Self

import pytest
from django.contrib.auth.models import Group, Permission
from django.test import override_settings
from django.urls import reverse

from accounts.models import AuditEntry, Customer
from accounts.roles import ADMIN_ROLE
from payments.models import LedgerEntry, Payment, PaymentNotice
from payments.services import begin_stars_refund, change_balance, start_top_up
from payments.tests.helpers import ALL_METHODS, open_crypto_invoice, pay_telegram
from shopbot.test import ShopTestCase, ledger_matches_balance, make_staff, row_counts
from telegrambot.simulator.fake_telegram import FakeTelegram
from telegrambot.testing.server import FakeTelegramServer

CHANGELIST = reverse("admin:payments_payment_changelist")


class BotApiThread:
    """The fake Bot API over HTTP on its own event loop, for the synchronous ``refundStarPayment`` call."""

    def __init__(self, telegram: FakeTelegram | None = None) -> None:
        self.telegram = telegram or FakeTelegram()
        self.loop = asyncio.new_event_loop()
        self.server = FakeTelegramServer(self.telegram)
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)

    def __enter__(self) -> Self:
        self.thread.start()
        self.url = asyncio.run_coroutine_threadsafe(self.server.start(), self.loop).result(10)
        return self

    def __exit__(self, *exc: object) -> None:
        asyncio.run_coroutine_threadsafe(self.server.stop(), self.loop).result(10)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)
        self.loop.close()

    def refunds(self) -> int:
        return len(self.telegram.calls_to("refundStarPayment"))


@ALL_METHODS
class PaymentAdminTestCase(ShopTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        # Root is a web superuser; Sam is web staff holding the built-in Admin role.
        cls.root = make_staff("root", superuser=True)
        cls.sam = make_staff("sam", roles=[ADMIN_ROLE])
        # Vic sees balances and payments but may not refund them.
        cls.vic = make_staff("vic", permissions=["accounts.manage_balances"])

    def setUp(self) -> None:
        self.bot_api = BotApiThread().__enter__()
        self.addCleanup(self.bot_api.__exit__)
        settings = override_settings(TELEGRAM_API_URL=self.bot_api.url, TOKEN="123456:TEST-TOKEN")
        settings.enable()
        self.addCleanup(settings.disable)

    def paid(self, provider: str = Payment.Provider.STARS, amount: str = "20") -> Payment:
        """Bob pays a top-up; Telegram knows the charge."""
        payment = start_top_up(telegram_id=self.bob.telegram_id, provider=provider, amount=amount)
        charge = f"charge-{payment.pk}"
        pay_telegram(payment, charge_id=charge)
        self.bot_api.telegram.charges[charge] = {"user_id": self.bob.telegram_id, "refunded": False}
        payment.refresh_from_db()
        return payment

    def act(self, action: str, payments: list[Payment], **fields: str):  # type: ignore[no-untyped-def]
        data = {"action": action, "_selected_action": [p.pk for p in payments], "apply": "1", **fields}
        return self.client.post(CHANGELIST, data, follow=True)

    def state(self, payment: Payment) -> tuple[str, Decimal]:
        payment.refresh_from_db()
        self.bob.refresh_from_db()
        self.assertTrue(ledger_matches_balance(self.bob))
        return payment.status, self.bob.balance

    def money(self) -> dict[str, object]:
        rows = row_counts(LedgerEntry, PaymentNotice)
        return {
            **rows,
            "payments": list(Payment.objects.order_by("pk").values_list("status", flat=True)),
            "balance": Customer.objects.get(pk=self.bob.pk).balance,
        }


class RefundStarsActionTests(PaymentAdminTestCase):
    def test_it_asks_for_a_reason_first(self) -> None:
        payment = self.paid()
        self.client.force_login(self.root)
        data = {"action": "refund_stars", "_selected_action": [payment.pk], "index": "0"}

        response = self.client.post(CHANGELIST, data)

        self.assertContains(response, 'name="reason"')
        self.assertEqual(self.state(payment), (Payment.Status.PAID, Decimal("20.00")))
        self.assertEqual(self.bot_api.refunds(), 0)

    def test_it_returns_the_stars_and_takes_back_the_credit(self) -> None:
        payment = self.paid()
        self.client.force_login(self.root)

        response = self.act("refund_stars", [payment], reason="Asked for it <b>today</b>")

        self.assertContains(response, f"Payment #{payment.pk} refunded (20.00 RUB)")
        self.assertEqual(self.state(payment), (Payment.Status.REFUNDED, Decimal("0.00")))
        self.assertIs(self.bot_api.telegram.charges[payment.external_id]["refunded"], True)
        audit = AuditEntry.objects.get(action="refund_payment")
        self.assertEqual(
            (audit.actor_label, audit.details["reason"]), ("web:root", "Asked for it <b>today</b>")
        )
        self.assertTrue(PaymentNotice.objects.filter(payment=payment, kind="refunded").exists())

    def test_it_refuses_a_refund_larger_than_the_balance(self) -> None:
        payment = self.paid()
        change_balance(customer=Customer.objects.get(pk=self.bob.pk), amount=Decimal(-15), kind="purchase")
        self.client.force_login(self.root)
        before = self.money()

        response = self.act("refund_stars", [payment], reason="Asked for it")

        self.assertContains(
            response, "the balance (5.00 RUB) is smaller than the 20.00 RUB this payment credited."
        )
        self.assertEqual(self.money(), before)
        self.assertEqual(self.bot_api.refunds(), 0)

    def test_it_refuses_a_second_refund(self) -> None:
        payment = self.paid()
        self.client.force_login(self.root)
        self.act("refund_stars", [payment], reason="Asked for it")
        before = self.money()

        response = self.act("refund_stars", [payment], reason="Again")

        self.assertContains(response, "already been refunded")
        self.assertEqual(self.money(), before)
        self.assertEqual(self.bot_api.refunds(), 1)

    def test_it_shows_telegrams_refusal_as_a_sentence_and_gives_the_money_back(self) -> None:
        payment = self.paid()
        del self.bot_api.telegram.charges[payment.external_id]
        self.client.force_login(self.root)

        response = self.act("refund_stars", [payment], reason="Asked for it")

        self.assertContains(response, "This payment cannot be refunded: Telegram does not know this charge.")
        self.assertNotContains(response, "CHARGE_NOT_FOUND")
        self.assertEqual(self.state(payment), (Payment.Status.PAID, Decimal("20.00")))

    def test_it_refuses_a_card_payment_and_several_at_once(self) -> None:
        card, stars = self.paid(Payment.Provider.TELEGRAM), self.paid()
        self.client.force_login(self.root)
        before = self.money()

        refused = self.act("refund_stars", [card], reason="Asked")
        several = self.act("refund_stars", [card, stars], reason="Asked")

        self.assertContains(refused, "record a manual refund")
        self.assertContains(several, "Choose one payment to refund.")
        self.assertEqual(self.money(), before)

    def test_it_refuses_a_reason_that_is_blank_or_too_long(self) -> None:
        payment = self.paid()
        self.client.force_login(self.root)
        for reason in ("", "   ", "x" * 201):
            with self.subTest(reason=reason):
                response = self.act("refund_stars", [payment], reason=reason)

                self.assertContains(response, 'name="reason"')
                self.assertContains(response, "errorlist")
        self.assertEqual(self.state(payment), (Payment.Status.PAID, Decimal("20.00")))


class ManualRefundActionTests(PaymentAdminTestCase):
    def test_it_records_a_card_refund(self) -> None:
        payment = self.paid(Payment.Provider.TELEGRAM)
        self.client.force_login(self.sam)

        response = self.act("manual_refund", [payment], reason="Returned by the bank")

        self.assertContains(response, f"Payment #{payment.pk} refunded")
        self.assertEqual(self.state(payment), (Payment.Status.REFUNDED, Decimal("0.00")))
        self.assertEqual(AuditEntry.objects.get(action="refund_payment").actor_label, "web:sam")
        self.assertEqual(self.bot_api.refunds(), 0)

    def test_it_sends_stars_to_telegram_instead(self) -> None:
        payment = self.paid()
        self.client.force_login(self.root)

        response = self.act("manual_refund", [payment], reason="By hand")

        self.assertContains(response, "Stars payments are refunded through Telegram.")
        self.assertEqual(self.state(payment), (Payment.Status.PAID, Decimal("20.00")))


class ObjectPageTests(PaymentAdminTestCase):
    def test_it_offers_what_the_payment_allows_on_its_page(self) -> None:
        stars, card = self.paid(), self.paid(Payment.Provider.TELEGRAM)
        self.client.force_login(self.root)

        stars_page = self.client.get(reverse("admin:payments_payment_change", args=[stars.pk]))
        card_page = self.client.get(reverse("admin:payments_payment_change", args=[card.pk]))

        self.assertContains(stars_page, reverse("admin:payments_payment_refund", args=[stars.pk]))
        self.assertNotContains(stars_page, "manual-refund/")
        self.assertContains(card_page, reverse("admin:payments_payment_manual_refund", args=[card.pk]))
        self.assertNotContains(card_page, f"{card.pk}/refund/")

    def test_it_refunds_from_the_payments_page_and_returns_there(self) -> None:
        payment = self.paid()
        url = reverse("admin:payments_payment_refund", args=[payment.pk])
        self.client.force_login(self.root)

        form = self.client.get(url)
        response = self.client.post(url, {"reason": "Asked for it", "apply": "1"})

        self.assertContains(form, 'name="reason"')
        self.assertRedirects(response, reverse("admin:payments_payment_change", args=[payment.pk]))
        self.assertEqual(self.state(payment), (Payment.Status.REFUNDED, Decimal("0.00")))

    def test_it_answers_404_for_an_unknown_or_malformed_payment(self) -> None:
        self.client.force_login(self.root)
        for object_id in ("999999", "abc", "1%20OR%201=1", "9" * 30, "%D9%A3"):
            response = self.client.get(f"{CHANGELIST}{object_id}/refund/")

            self.assertEqual(response.status_code, 404, object_id)


class PermissionTests(PaymentAdminTestCase):
    def test_it_offers_no_refund_actions_without_the_permission(self) -> None:
        payment = self.paid()
        self.client.force_login(self.vic)
        before = self.money()

        page = self.client.get(CHANGELIST)
        response = self.act("refund_stars", [payment], reason="Sneaky")

        self.assertContains(page, reverse("admin:payments_payment_change", args=[payment.pk]))
        self.assertNotContains(page, "Refund Stars payment")
        self.assertEqual(response.status_code, 200)
        self.assertEqual(self.money(), before)
        self.assertEqual(self.bot_api.refunds(), 0)

    def test_it_refuses_and_audits_the_payments_page_action_without_the_permission(self) -> None:
        payment = self.paid()
        self.client.force_login(self.vic)
        before = self.money()

        response = self.client.post(
            reverse("admin:payments_payment_refund", args=[payment.pk]),
            {"reason": "Sneaky", "apply": "1"},
            follow=True,
        )

        self.assertContains(response, "You are not allowed to do that.")
        self.assertEqual(self.money(), before)
        self.assertEqual(
            AuditEntry.objects.filter(action="permission_denied", actor_label="web:vic").count(), 1
        )

    def test_it_shuts_out_staff_without_any_permission(self) -> None:
        payment = self.paid()
        self.client.force_login(make_staff("nobody"))
        before = self.money()

        listing = self.client.post(
            CHANGELIST,
            {"action": "refund_stars", "_selected_action": [payment.pk], "apply": "1", "reason": "x"},
        )
        page = self.client.get(reverse("admin:payments_payment_refund", args=[payment.pk]))

        self.assertEqual((listing.status_code, page.status_code), (403, 403))
        self.assertEqual(self.money(), before)

    def test_it_lets_a_refunds_only_role_find_and_refund(self) -> None:
        refunds = Group.objects.create(name="Refunds")
        refunds.permissions.set(
            Permission.objects.filter(content_type__app_label="accounts", codename="refund_payments")
        )
        rita = make_staff("rita", roles=["Refunds"])
        payment = self.paid()
        self.client.force_login(rita)

        response = self.act("refund_stars", [payment], reason="Asked for it")

        self.assertContains(response, f"Payment #{payment.pk} refunded")
        self.assertEqual(self.state(payment), (Payment.Status.REFUNDED, Decimal("0.00")))


class RecheckActionTests(PaymentAdminTestCase):
    @pytest.fixture(autouse=True)
    def use_fake(self, fake_cryptopay):
        self.fake = fake_cryptopay

    def test_it_credits_an_invoice_cryptopay_says_was_paid(self) -> None:
        payment = open_crypto_invoice(telegram_id=self.bob.telegram_id, amount="25")
        self.client.force_login(self.root)

        unpaid = self.act("recheck_cryptopay", [payment])
        self.fake.mark_paid(int(payment.external_id))
        paid = self.act("recheck_cryptopay", [payment])
        again = self.act("recheck_cryptopay", [payment])

        self.assertContains(unpaid, f"Payment #{payment.pk} is not paid yet.")
        self.assertContains(paid, f"Payment #{payment.pk} was paid: 25.00 RUB credited.")
        self.assertContains(again, f"Payment #{payment.pk} is paid; nothing to credit.")
        self.assertEqual(self.state(payment), (Payment.Status.PAID, Decimal("25.00")))
        self.assertEqual(
            AuditEntry.objects.filter(action="recheck_payment", actor_label="web:root").count(), 3
        )

    def test_it_rechecks_from_the_payments_page_after_a_confirmation(self) -> None:
        payment = open_crypto_invoice(telegram_id=self.bob.telegram_id, amount="25")
        self.fake.mark_paid(int(payment.external_id))
        url = reverse("admin:payments_payment_recheck", args=[payment.pk])
        self.client.force_login(self.root)

        confirm = self.client.get(url)
        self.assertEqual(self.state(payment)[0], Payment.Status.PENDING)
        response = self.client.post(url, {"apply": "1"}, follow=True)

        self.assertContains(confirm, "Re-check with CryptoPay")
        self.assertContains(response, "25.00 RUB credited")
        self.assertEqual(self.state(payment), (Payment.Status.PAID, Decimal("25.00")))

    def test_it_says_when_cryptopay_is_not_answering(self) -> None:
        payment = open_crypto_invoice(telegram_id=self.bob.telegram_id, amount="25")
        self.fake.failing = True
        self.client.force_login(self.root)

        response = self.act("recheck_cryptopay", [payment])

        self.assertContains(response, "CryptoPay is not answering, please try again shortly.")
        self.assertEqual(self.state(payment), (Payment.Status.PENDING, Decimal("0.00")))

    def test_it_refuses_other_methods_and_other_staff(self) -> None:
        stars = self.paid()
        payment = open_crypto_invoice(telegram_id=self.bob.telegram_id, amount="25")
        self.fake.mark_paid(int(payment.external_id))
        self.client.force_login(self.root)

        response = self.act("recheck_cryptopay", [stars])
        self.client.force_login(self.vic)
        self.act("recheck_cryptopay", [payment])

        self.assertContains(response, "Only CryptoPay payments can be checked with CryptoPay.")
        self.assertEqual(self.state(payment)[0], Payment.Status.PENDING)


class AttentionFilterTests(PaymentAdminTestCase):
    def test_it_lists_flagged_payments_and_stuck_refunds(self) -> None:
        self.paid()
        odd = start_top_up(telegram_id=self.bob.telegram_id, provider=Payment.Provider.STARS, amount="20")
        pay_telegram(odd, charge_id="odd-charge", total_amount=1)
        stuck = self.paid()
        # Held, and Telegram never answered.
        begin_stars_refund(actor=self.admin, payment_id=stuck.pk, reason="Asked")
        self.client.force_login(self.root)

        response = self.client.get(CHANGELIST, {"attention": "yes"})

        shown = [payment.pk for payment in response.context["cl"].result_list]
        self.assertEqual(shown, [stuck.pk, odd.pk])
