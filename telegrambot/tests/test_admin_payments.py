"""Payments in the admin menu: find, lists, refunds in Stars and by hand, re-checks with CryptoPay."""

from __future__ import annotations

from decimal import Decimal

import pytest
from asgiref.sync import sync_to_async
from django.db import transaction
from django.test import override_settings

from accounts.models import AuditEntry, Customer
from catalog.models import Purchase
from catalog.services.orders import start_product_order
from payments.models import LedgerEntry, Payment, PaymentNotice, ReferralReward
from payments.services import change_balance, start_top_up
from payments.testing.fake_cryptopay import FakeCryptoPay
from payments.tests.helpers import ALL_METHODS, pay_telegram
from payments.tests.test_admin_refunds import BotApiThread
from shopbot.test import ledger_matches_balance
from telegrambot import callbacks
from telegrambot.providers import open_crypto_top_up
from telegrambot.simulator.fake_telegram import FakeTelegram
from telegrambot.testing.driver import TOKEN, ChatUser
from telegrambot.tests.admin_support import AdminTestCase
from telegrambot.tests.helpers import change_customer


@pytest.fixture(scope="module")
def cryptopay_server():
    with FakeCryptoPay() as fake:
        yield fake


@ALL_METHODS
class PaymentsAdminTestCase(AdminTestCase):
    """The cast and the bot, with the fake Bot API also served over HTTP for ``refundStarPayment``."""

    @pytest.fixture(autouse=True)
    def use_fake_cryptopay(self, cryptopay_server, settings):
        cryptopay_server.reset()
        settings.CRYPTO_PAY_API_URL = cryptopay_server.url
        self.cryptopay = cryptopay_server

    def setUp(self) -> None:
        self.telegram = FakeTelegram()
        self.bot_api = BotApiThread(self.telegram).__enter__()
        self.addCleanup(self.bot_api.__exit__)
        settings = override_settings(TELEGRAM_API_URL=self.bot_api.url, TOKEN=TOKEN)
        settings.enable()
        self.addCleanup(settings.disable)

    async def chats(self, admin: Customer | None = None) -> tuple[ChatUser, ChatUser]:
        """Start the bot; return the admin (Adam unless told) in the payments section, and Bob."""
        shop = await self.start_shop(self.telegram)
        bob = await shop.user(self.bob.telegram_id, username="bob")
        await bob.send("/start")
        admin = admin or self.admin
        adam = await shop.user(admin.telegram_id, username=admin.username)
        await adam.send("/admin")
        await adam.press("💳 Payments")
        return adam, bob

    @sync_to_async
    def paid(self, provider: str = Payment.Provider.STARS, amount: str = "20", **changes: object) -> Payment:
        """Bob pays a top-up; Telegram knows the charge."""
        payment = start_top_up(telegram_id=self.bob.telegram_id, provider=provider, amount=amount)
        charge = f"charge-{payment.pk}"
        pay_telegram(payment, charge_id=charge, **changes)
        self.telegram.charges[charge] = {"user_id": self.bob.telegram_id, "refunded": False}
        payment.refresh_from_db()
        return payment

    @sync_to_async
    def spend(self, amount: str) -> None:
        change_balance(
            customer=Customer.objects.get(pk=self.bob.pk), amount=-Decimal(amount), kind="purchase"
        )

    @sync_to_async
    def state(self, payment: Payment) -> tuple[str, Decimal]:
        payment.refresh_from_db()
        self.bob.refresh_from_db()
        self.assertTrue(ledger_matches_balance(self.bob))
        return payment.status, self.bob.balance

    def refund_calls(self) -> int:
        return len(self.telegram.calls_to("refundStarPayment"))

    async def find(self, admin: ChatUser, query: str) -> None:
        """Type ``query`` into the look-up, from the section or from a card."""
        labels = admin.screen.labels
        await admin.press("🔎 Find a payment" if "🔎 Find a payment" in labels else "🔎 Find another payment")
        await admin.send(query)


class MenuTests(PaymentsAdminTestCase):
    async def test_it_shows_payments_to_holders_of_the_refund_permission_only(self) -> None:
        shop = await self.start_shop(self.telegram)
        for customer, shown in ((self.owner, True), (self.admin, True), (self.carl, False)):
            user = await shop.user(customer.telegram_id)
            await user.send("/admin")
            self.assertIs("💳 Payments" in user.screen.labels, shown, customer)

    async def test_it_counts_and_lists_what_needs_review_and_what_waits(self) -> None:
        await self.paid(total_amount=1)  # a charge that does not match: flagged
        await self.paid()
        await sync_to_async(start_top_up)(telegram_id=self.bob.telegram_id, provider="telegram", amount="7")
        adam, _bob = await self.chats()
        self.assertIn("Needing review: 1", adam.screen.text)
        self.assertIn("Waiting to be paid: 1", adam.screen.text)

        await adam.press("⚠️ Needs review (1)")
        [flagged] = [label for label in adam.screen.labels if label.startswith("#")]
        self.assertIn("20.00 RUB · @bob · failed", flagged)
        await adam.press(flagged)
        self.assertIn("Needs review:", adam.screen.text)
        self.assertIn("↩️ Refund the Stars", adam.screen.labels)  # Telegram took the stars: give them back

        await adam.press("💳 Payments")
        await adam.press("⏳ Waiting to be paid (1)")
        self.assertIn("7.00 RUB · @bob · waiting to be paid", " ".join(adam.screen.labels))

    async def test_it_pages_a_long_list(self) -> None:
        for _ in range(12):
            await sync_to_async(start_top_up)(telegram_id=self.bob.telegram_id, provider="stars", amount="5")
        adam, _bob = await self.chats()

        await adam.press("⏳ Waiting to be paid (12)")
        self.assertEqual(len([label for label in adam.screen.labels if label.startswith("#")]), 10)
        await adam.press("▶️")
        self.assertEqual(len([label for label in adam.screen.labels if label.startswith("#")]), 2)
        self.assertIn("Page 2", adam.screen.labels)


class FindPaymentTests(PaymentsAdminTestCase):
    async def test_it_finds_a_payment_by_id_charge_id_or_invoice_id(self) -> None:
        stars = await self.paid()
        crypto = await open_crypto_top_up(telegram_id=self.bob.telegram_id, amount="25")
        adam, _bob = await self.chats()

        for query in (f"#{stars.pk}", f"  {stars.external_id} ", crypto.external_id):
            await self.find(adam, query)
            payment = crypto if query == crypto.external_id else stars
            self.assertIn(f"Payment #{payment.pk}", adam.screen.text, query)

        self.assertIn("Method: 🪙 CryptoPay", adam.screen.text)
        self.assertIn("Amount: 25.00 RUB · charged 25 RUB", adam.screen.text)
        self.assertIn(f"CryptoPay invoice: {crypto.external_id}", adam.screen.text)
        self.assertIn("🔄 Re-check with CryptoPay", adam.screen.labels)

    async def test_it_shows_the_card_in_both_units_with_the_times(self) -> None:
        payment = await self.paid()
        adam, _bob = await self.chats()

        await self.find(adam, str(payment.pk))

        for line in (
            "Customer: @bob (1002), balance 20.00 RUB",
            "Method: ⭐ Telegram Stars",
            "Amount: 20.00 RUB · charged 30 ⭐",
            "Status: paid",
            "Credited and still on the balance: 20.00 RUB",
            "Created: ",
            "Paid: ",
            f"Telegram charge: {payment.external_id}",
        ):
            self.assertIn(line, adam.screen.text)
        self.assertEqual(adam.screen.labels[:2], ["↩️ Refund the Stars", "👤 The customer"])

    async def test_it_lets_the_admin_choose_when_several_payments_match(self) -> None:
        stars = await self.paid()
        crypto = await open_crypto_top_up(telegram_id=self.bob.telegram_id, amount="25")
        adam, _bob = await self.chats()
        await Payment.objects.filter(pk=crypto.pk).aupdate(
            external_id=str(stars.pk)
        )  # invoice id == a payment id

        await self.find(adam, str(stars.pk))

        self.assertIn("Several payments match", adam.screen.text)
        await adam.press(f"#{crypto.pk} ")
        self.assertIn(f"Payment #{crypto.pk}", adam.screen.text)


class RefundStarsTests(PaymentsAdminTestCase):
    async def test_it_refunds_with_a_reason_after_a_confirmation_and_tells_the_customer(self) -> None:
        payment = await self.paid()
        adam, bob = await self.chats()
        await self.find(adam, f"#{payment.pk}")

        await adam.press("↩️ Refund the Stars")
        self.assertIn("Send the reason", adam.screen.text)
        await adam.send("Key <b>never</b> arrived & so on")
        self.assertIn(
            "Telegram returns 30 ⭐ to @bob, and 20.00 RUB is taken from their balance", adam.screen.text
        )
        self.assertIn("Reason: Key &lt;b&gt;never&lt;/b&gt; arrived &amp; so on", adam.screen.html)
        self.assertEqual(self.refund_calls(), 0)
        await adam.press("✅ Yes, refund")

        self.assertIn("✅ Refunded. The customer has been told.", adam.screen.text)
        self.assertIn("Status: refunded", adam.screen.text)
        self.assertNotIn("↩️ Refund the Stars", adam.screen.labels)
        self.assertIn("Your payment was refunded", bob.screen.text)
        self.assertIs(self.telegram.charges[payment.external_id]["refunded"], True)
        self.assertEqual(await self.state(payment), (Payment.Status.REFUNDED, Decimal("0.00")))
        audit = await AuditEntry.objects.aget(action="refund_payment")
        self.assertEqual(
            (audit.actor_id, audit.details["reason"]), (self.admin.pk, "Key <b>never</b> arrived & so on")
        )

    async def test_it_says_before_confirming_that_a_delivered_order_stays_delivered(self) -> None:
        payment = await self.paid_order()
        adam, bob = await self.chats()
        await self.find(adam, f"#{payment.pk}")
        await adam.press("↩️ Refund the Stars")

        await adam.send("Changed my mind")

        [purchase] = [purchase async for purchase in Purchase.objects.filter(payment=payment)]
        self.assertIn("This order was delivered.", adam.screen.text)
        self.assertIn("does not take back what the customer received (1 items):", adam.screen.text)
        self.assertIn(f"#{purchase.order_number} · Game key", adam.screen.text)
        self.assertNotIn("referral reward", adam.screen.text)

    async def test_it_says_before_confirming_that_the_referral_reward_is_taken_back(self) -> None:
        await change_customer(self.bob.pk, referrer=self.alice)
        with override_settings(REFERRAL_PERCENT=Decimal("10")):
            payment = await self.paid()
        await self.reward_told(payment)
        adam, bob = await self.chats()
        await self.find(adam, f"#{payment.pk}")
        await adam.press("↩️ Refund the Stars")

        await adam.send("Fraud")

        self.assertIn(
            "The referral reward of 2.00 RUB paid for this top-up is taken back from @alice "
            "(balance 52.00 RUB).",
            adam.screen.text,
        )
        self.assertNotIn("This order was delivered.", adam.screen.text)
        await adam.press("✅ Yes, refund")

        reversal = await LedgerEntry.objects.aget(kind=LedgerEntry.Kind.REFERRAL_REVERSAL)
        self.assertEqual((reversal.customer_id, reversal.amount), (self.alice.pk, Decimal("-2.00")))
        self.assertTrue(await sync_to_async(ledger_matches_balance)(self.alice))
        self.assertEqual(await balance(self.alice), Decimal("50.00"))

    async def test_it_says_a_spent_referral_reward_is_recorded_as_owed(self) -> None:
        await change_customer(self.bob.pk, referrer=self.alice)
        with override_settings(REFERRAL_PERCENT=Decimal("10")):
            payment = await self.paid()
        await sync_to_async(spend_all)(self.alice)
        # Alice never opened the bot: her reward's notice is out of the way.
        await PaymentNotice.objects.filter(telegram_id=self.alice.telegram_id).aupdate(
            sent_at=payment.created
        )
        adam, bob = await self.chats()
        await self.find(adam, f"#{payment.pk}")
        await adam.press("↩️ Refund the Stars")

        await adam.send("Fraud")

        self.assertIn(
            "as far as their balance (0.00 RUB) allows; the rest is recorded as owed.", adam.screen.text
        )
        await adam.press("✅ Yes, refund")
        reward = await ReferralReward.objects.aget(payment=payment)
        self.assertEqual(reward.owed, Decimal("2.00"))
        self.assertIsNotNone(reward.reversed_at)
        self.assertTrue(await sync_to_async(ledger_matches_balance)(self.alice))

    async def reward_told(self, payment: Payment) -> None:
        """Alice never opened the bot: her reward's notice is out of the way."""
        await PaymentNotice.objects.filter(telegram_id=self.alice.telegram_id).aupdate(
            sent_at=payment.created
        )

    @sync_to_async
    def paid_order(self) -> Payment:
        """Bob pays a Stars order of one key; it is delivered."""
        payment = start_product_order(telegram_id=self.bob.telegram_id, product_id=self.key.pk)
        charge = f"charge-{payment.pk}"
        pay_telegram(payment, charge_id=charge)
        self.telegram.charges[charge] = {"user_id": self.bob.telegram_id, "refunded": False}
        return payment

    async def test_it_refuses_a_refund_larger_than_the_balance(self) -> None:
        payment = await self.paid()
        adam, bob = await self.chats()
        await self.find(adam, f"#{payment.pk}")
        await adam.press("↩️ Refund the Stars")
        await adam.send("Asked for it")
        await self.spend("15")  # Bob spends most of it meanwhile

        await adam.press("✅ Yes, refund")

        self.assertEqual(
            adam.alert,
            "This payment cannot be refunded: the balance (5.00 RUB) is smaller than the 20.00 RUB this payment credited.",
        )
        self.assertEqual(await self.state(payment), (Payment.Status.PAID, Decimal("5.00")))
        self.assertEqual(self.refund_calls(), 0)
        self.assertNotIn("refunded", bob.screen.text)

    async def test_it_refuses_a_second_refund(self) -> None:
        payment = await self.paid()
        adam, _bob = await self.chats()
        await self.find(adam, f"#{payment.pk}")
        await adam.press("↩️ Refund the Stars")
        await adam.send("Asked for it")
        await adam.press("✅ Yes, refund")

        await adam.press_data(callbacks.ADMIN_PAYMENT_REFUND.build(payment.pk, "stars"))
        self.assertEqual(adam.alert, "This payment cannot be refunded: it has already been refunded.")
        await adam.press_data(callbacks.ADMIN_PAYMENT_REFUND_YES.build(payment.pk))
        self.assertIn("This step is over", adam.alert)

        self.assertEqual(self.refund_calls(), 1)
        self.assertEqual(await LedgerEntry.objects.filter(kind="refund").acount(), 1)

    async def test_it_shows_telegrams_refusal_as_a_sentence_and_changes_nothing(self) -> None:
        payment = await self.paid()
        del self.telegram.charges[payment.external_id]
        adam, _bob = await self.chats()
        await self.find(adam, f"#{payment.pk}")
        await adam.press("↩️ Refund the Stars")
        await adam.send("Asked for it")

        with adam.allowing_rejections():  # Telegram's refusal of refundStarPayment is the point
            await adam.press("✅ Yes, refund")

        self.assertEqual(adam.alert, "This payment cannot be refunded: Telegram does not know this charge.")
        self.assertEqual(await self.state(payment), (Payment.Status.PAID, Decimal("20.00")))

    async def test_it_lets_the_admin_change_the_reason_or_cancel(self) -> None:
        payment = await self.paid()
        adam, _bob = await self.chats()
        await self.find(adam, f"#{payment.pk}")
        await adam.press("↩️ Refund the Stars")
        await adam.send("First reason")
        await adam.send("Second reason")
        self.assertIn("Reason: Second reason", adam.screen.text)

        await adam.press("✖️ Cancel")
        self.assertIn(f"Payment #{payment.pk}", adam.screen.text)
        await adam.press_data(callbacks.ADMIN_PAYMENT_REFUND_YES.build(payment.pk))
        self.assertIn("This step is over", adam.alert)
        self.assertEqual(await self.state(payment), (Payment.Status.PAID, Decimal("20.00")))


class ManualRefundTests(PaymentsAdminTestCase):
    async def test_it_records_a_card_refund_found_by_its_charge_id(self) -> None:
        payment = await self.paid(Payment.Provider.TELEGRAM)
        adam, bob = await self.chats()
        await self.find(adam, payment.external_id)
        self.assertNotIn("↩️ Refund the Stars", adam.screen.labels)

        await adam.press("📝 Record a manual refund")
        await adam.send("Returned by the bank")
        self.assertIn("You returned 20 RUB to @bob outside the shop", adam.screen.text)
        await adam.press("✅ Yes, refund")

        self.assertIn("Status: refunded", adam.screen.text)
        self.assertIn("Your payment was refunded", bob.screen.text)
        self.assertEqual(await self.state(payment), (Payment.Status.REFUNDED, Decimal("0.00")))
        self.assertEqual(self.refund_calls(), 0)

    async def test_it_sends_stars_to_telegram_instead(self) -> None:
        payment = await self.paid()
        adam, _bob = await self.chats()

        await adam.press_data(callbacks.ADMIN_PAYMENT_REFUND.build(payment.pk, "manual"))

        self.assertEqual(
            adam.alert, "This payment cannot be refunded: Stars payments are refunded through Telegram."
        )


class RecheckTests(PaymentsAdminTestCase):
    async def test_it_credits_an_invoice_cryptopay_says_was_paid_and_tells_the_customer(self) -> None:
        payment = await open_crypto_top_up(telegram_id=self.bob.telegram_id, amount="25")
        adam, bob = await self.chats()
        await self.find(adam, payment.external_id)

        await adam.press("🔄 Re-check with CryptoPay")
        self.assertIn("CryptoPay says it is not paid yet.", adam.screen.text)
        self.cryptopay.mark_paid(int(payment.external_id))
        await adam.press("🔄 Re-check with CryptoPay")

        self.assertIn("CryptoPay says it was paid: 25.00 RUB credited.", adam.screen.text)
        self.assertNotIn("🔄 Re-check with CryptoPay", adam.screen.labels)
        self.assertIn("Your balance was topped up by 25.00 RUB", bob.screen.text)
        self.assertEqual(await self.state(payment), (Payment.Status.PAID, Decimal("25.00")))
        self.assertEqual(await self.audits("recheck_payment", self.admin), 2)

    async def test_it_says_when_cryptopay_is_not_answering(self) -> None:
        payment = await open_crypto_top_up(telegram_id=self.bob.telegram_id, amount="25")
        adam, _bob = await self.chats()
        self.cryptopay.failing = True

        await adam.press_data(callbacks.ADMIN_PAYMENT_RECHECK.build(payment.pk))

        self.assertEqual(adam.alert, "CryptoPay is not answering, please try again shortly.")
        self.assertEqual(await self.state(payment), (Payment.Status.PENDING, Decimal("0.00")))


@sync_to_async
def balance(customer: Customer) -> Decimal:
    customer.refresh_from_db()
    return customer.balance


def spend_all(customer: Customer) -> None:
    """The customer spends their whole balance (a purchase elsewhere)."""
    with transaction.atomic():
        locked = Customer.objects.select_for_update().get(pk=customer.pk)
        change_balance(customer=locked, amount=-locked.balance, kind=LedgerEntry.Kind.PURCHASE)
