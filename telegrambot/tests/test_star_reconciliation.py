"""The Stars reconciliation through the real bot and the fake Bot API's ``getStarTransactions``."""

from __future__ import annotations

from decimal import Decimal
from types import SimpleNamespace

from asgiref.sync import sync_to_async

from accounts.models import Customer, StaffNotice
from payments.models import LedgerEntry, Payment, PaymentNotice, StarReconciliation
from payments.services import start_top_up
from payments.services.star_reconciliation import MISSING, UNLISTED
from payments.tests.helpers import ALL_METHODS, pay_telegram, total_of
from telegrambot import callbacks
from telegrambot.handlers.payments import stars_reconcile_job
from telegrambot.providers import fetch_star_transactions
from telegrambot.simulator.fake_telegram import FakeTelegram
from telegrambot.testing.driver import ChatUser, Shop
from telegrambot.tests.admin_support import AdminTestCase

RECONCILE = "⭐ Reconcile Stars with Telegram"


def report_message(user: ChatUser):
    """The report screen (notices the run owed may arrive after it)."""
    return [message for message in user.messages if "Telegram's transactions:" in message.text][-1]


def report(user: ChatUser) -> str:
    return report_message(user).text


def report_labels(user: ChatUser) -> list[str]:
    return [button["text"] for row in report_message(user).buttons for button in row]


@ALL_METHODS
class StarReconciliationTests(AdminTestCase):
    def setUp(self) -> None:
        self.telegram = FakeTelegram()

    async def admin_chat(self) -> tuple[Shop, ChatUser]:
        shop = await self.start_shop(self.telegram)
        bob = await shop.user(self.bob.telegram_id, username="bob")
        await bob.send("/start")
        owner = await shop.user(9000)  # ALL_METHODS' owner, told of refunds outside the bot
        await owner.send("/start")
        adam = await shop.user(self.admin.telegram_id, username=self.admin.username)
        await adam.send("/admin")
        await adam.press("💳 Payments")
        return shop, adam

    @sync_to_async
    def invoice(self, amount: str = "20") -> Payment:
        return start_top_up(telegram_id=self.bob.telegram_id, provider=Payment.Provider.STARS, amount=amount)

    @sync_to_async
    def paid(self, amount: str = "20", *, listed: bool = True) -> Payment:
        """Bob pays a Stars top-up the bot heard of; Telegram lists the charge unless told."""
        payment = start_top_up(
            telegram_id=self.bob.telegram_id, provider=Payment.Provider.STARS, amount=amount
        )
        charge = f"charge-{payment.pk}"
        pay_telegram(payment, charge_id=charge)
        if listed:
            self.telegram.add_star_charge(
                charge, user_id=self.bob.telegram_id, amount=total_of(payment), payload=payment.payload
            )
        payment.refresh_from_db()
        return payment

    @sync_to_async
    def snapshot(self) -> dict[str, object]:
        return {
            "payments": list(
                Payment.objects.order_by("pk").values_list("status", "needs_review", "note", "external_id")
            ),
            "ledger": LedgerEntry.objects.count(),
            "payment_notices": PaymentNotice.objects.count(),
            "staff_notices": StaffNotice.objects.count(),
            "balance": Customer.objects.get(pk=self.bob.pk).balance,
        }

    async def refresh(self, payment: Payment) -> Payment:
        await payment.arefresh_from_db()
        return payment

    async def balance(self) -> Decimal:
        return (await Customer.objects.aget(pk=self.bob.pk)).balance

    async def test_it_matches_a_set_that_agrees_and_flags_nothing(self) -> None:
        first, second = await self.paid(), await self.paid("35")
        _shop, adam = await self.admin_chat()
        before = await self.snapshot()

        await adam.press(RECONCILE)

        text = report(adam)
        self.assertIn("Telegram's transactions: 2", text)
        self.assertIn("Matched: 2", text)
        self.assertIn("Flagged for review: 0", text)
        self.assertEqual(await self.snapshot(), before)  # no staff report for a run that found nothing
        run = await StarReconciliation.objects.aget()
        self.assertEqual(
            (run.trigger, run.actor_id, run.matched, run.flagged), ("staff", self.admin.pk, 2, [])
        )
        self.assertEqual(await self.audits("reconcile_stars", self.admin), 1)
        self.assertEqual(
            ((await self.refresh(first)).status, (await self.refresh(second)).status), ("paid", "paid")
        )

    async def test_it_credits_a_lost_charge_of_a_waiting_invoice_through_the_normal_path(self) -> None:
        payment = await self.invoice("20")
        self.telegram.add_star_charge(
            "lost-1", user_id=self.bob.telegram_id, amount=total_of(payment), payload=payment.payload
        )
        _shop, adam = await self.admin_chat()

        await adam.press(RECONCILE)

        self.assertIn("Credited now: 1", report(adam))
        payment = await self.refresh(payment)
        self.assertEqual((payment.status, payment.external_id), ("paid", "lost-1"))
        self.assertEqual(await self.balance(), Decimal("20.00"))
        credited = await PaymentNotice.objects.filter(payment=payment, kind="credited").acount()
        self.assertEqual(credited, 1)

    async def test_it_flags_a_charge_the_shop_has_no_invoice_for_and_never_credits_it(self) -> None:
        paid = await self.paid()
        self.telegram.add_star_charge("stranger-1", user_id=self.bob.telegram_id, amount=45, payload="forged")
        self.telegram.add_star_charge(
            "stranger-2", user_id=self.bob.telegram_id, amount=30, payload=paid.payload
        )
        _shop, adam = await self.admin_chat()

        await adam.press(RECONCILE)

        self.assertIn("Flagged for review: 2", report(adam))
        self.assertIn("stranger-1", report(adam))
        self.assertIn("⚠️ Needs review", report_labels(adam))
        for charge in ("stranger-1", "stranger-2"):
            kept = await Payment.objects.aget(external_id=charge)
            self.assertEqual((kept.status, kept.needs_review, kept.note), ("failed", True, MISSING))
        self.assertEqual(await self.balance(), Decimal("20.00"))  # only the first, real top-up
        notice = await StaffNotice.objects.aget(telegram_id=self.admin.telegram_id, event="reconciliation")
        self.assertEqual((notice.params["flagged"], notice.params["new_flags"]), (2, 2))

    async def test_it_flags_a_paid_charge_telegram_does_not_list_and_a_wrong_amount(self) -> None:
        extra = await self.paid(listed=False)
        wrong = await self.paid("20", listed=False)
        self.telegram.add_star_charge(
            wrong.external_id, user_id=self.bob.telegram_id, amount=total_of(wrong) + 5, payload=wrong.payload
        )
        _shop, adam = await self.admin_chat()

        await adam.press(RECONCILE)

        extra, wrong = await self.refresh(extra), await self.refresh(wrong)
        self.assertEqual((extra.status, extra.needs_review, extra.note), ("paid", True, UNLISTED))
        self.assertTrue(wrong.needs_review)
        self.assertIn(f"Telegram charged {total_of(wrong) + 5} XTR", wrong.note)
        self.assertIn("Flagged for review: 2", report(adam))
        self.assertEqual(await self.balance(), Decimal("40.00"))  # flagged, not taken back

    async def test_it_records_a_refund_made_outside_the_bot_as_refunded_payment_would(self) -> None:
        payment = await self.paid()
        self.telegram.refund_outside(payment.external_id)
        _shop, adam = await self.admin_chat()

        await adam.press(RECONCILE)

        self.assertIn("Refunds outside the bot recorded: 1", report(adam))
        payment = await self.refresh(payment)
        self.assertEqual(payment.status, Payment.Status.REFUNDED)
        self.assertEqual(await self.balance(), Decimal("0.00"))
        told = PaymentNotice.objects.filter(payment=payment, kind="refunded_outside")
        recipients = {notice.telegram_id async for notice in told}
        self.assertEqual(recipients, {9000, self.admin.telegram_id})  # everyone who refunds payments
        self.assertEqual(await self.audits("refund_payment_outside"), 1)

    async def test_replaying_the_reconciliation_changes_nothing(self) -> None:
        await self.paid()
        refunded = await self.paid("35")
        self.telegram.refund_outside(refunded.external_id)
        await self.paid(listed=False)
        waiting = await self.invoice("25")
        self.telegram.add_star_charge(
            "lost-2", user_id=self.bob.telegram_id, amount=total_of(waiting), payload=waiting.payload
        )
        self.telegram.add_star_charge("stranger-3", user_id=self.bob.telegram_id, amount=9, payload="")
        _shop, adam = await self.admin_chat()
        await adam.press(RECONCILE)
        first = report(adam)
        before = await self.snapshot()

        await adam.press_data(callbacks.ADMIN_STARS_RECONCILE.build())

        self.assertEqual(await self.snapshot(), before)
        self.assertIn("Credited now: 1", first)
        self.assertIn("Credited now: 0", report(adam))
        self.assertIn("Refunds outside the bot recorded: 0", report(adam))
        self.assertIn("Flagged for review: 2", report(adam))  # still listed, not flagged again
        self.assertEqual(await StarReconciliation.objects.acount(), 2)

    async def test_it_refuses_and_audits_a_staff_member_without_the_refund_permission(self) -> None:
        await self.paid(listed=False)
        carl = await self.chat(self.carl)  # stock only
        before = await self.snapshot()

        await self.refused(carl, callbacks.ADMIN_STARS_RECONCILE.build(), self.carl)
        bob = await carl.shop.user(self.bob.telegram_id)
        await bob.send("/start")
        await self.refused(bob, callbacks.ADMIN_STARS_RECONCILE.build(), self.bob)

        self.assertEqual(await self.snapshot(), before)
        self.assertEqual(carl.telegram.calls_to("getStarTransactions"), [])
        self.assertEqual(await StarReconciliation.objects.acount(), 0)

    async def test_it_shows_hostile_charge_ids_and_payloads_as_text_within_telegram_limits(self) -> None:
        for number in range(30):
            charge = f"<b>{number}</b>&%s{{0}}" + "x" * 120
            self.telegram.add_star_charge(
                charge, user_id=self.bob.telegram_id, amount=7, payload="<i>" * 2000
            )
        _shop, adam = await self.admin_chat()

        await adam.press(RECONCILE)  # the fake refuses malformed HTML and text over 4096 characters

        self.assertIn("Flagged for review: 30", report(adam))
        self.assertIn("<b>0</b>&%s{0}", report(adam))
        self.assertIn("…and 15 more in the list needing review.", report(adam))
        self.assertEqual(await self.balance(), Decimal("0.00"))
        self.assertEqual(await Payment.objects.filter(needs_review=True).acount(), 30)

    async def test_it_says_telegram_is_not_answering_and_records_nothing(self) -> None:
        await self.paid()
        _shop, adam = await self.admin_chat()
        self.telegram.fail_next("getStarTransactions")

        with adam.allowing_rejections():
            await adam.press(RECONCILE)

        self.assertIn("Telegram is not answering", adam.alert or "")
        self.assertEqual(await StarReconciliation.objects.acount(), 0)

    async def test_the_nightly_job_runs_once_a_night_and_reports_to_staff(self) -> None:
        await self.paid(listed=False)
        shop = await self.start_shop(self.telegram)
        context = SimpleNamespace(bot=shop.application.bot)

        await stars_reconcile_job(context)
        await stars_reconcile_job(context)

        run = await StarReconciliation.objects.aget()
        self.assertEqual((run.trigger, run.actor_id, len(run.flagged)), ("nightly", None, 1))
        self.assertEqual(len(self.telegram.calls_to("getStarTransactions")), 1)
        self.assertTrue(await StaffNotice.objects.filter(event="reconciliation").aexists())


class FetchStarTransactionsTests(AdminTestCase):
    async def test_it_pages_through_every_transaction_oldest_first(self) -> None:
        telegram = FakeTelegram()
        for number in range(150):
            telegram.add_star_charge(
                f"c{number}", user_id=5, amount=number + 1, payload=f"p{number}", date=1000 + number
            )
        telegram.refund_outside("c3", date=5000)
        shop = await self.start_shop(telegram)

        found = await fetch_star_transactions(shop.application.bot)

        self.assertEqual(len(found), 151)
        offsets = [
            (call.params.get("offset"), call.params.get("limit"))
            for call in telegram.calls_to("getStarTransactions")
        ]
        self.assertEqual(offsets, [(0, 100), (100, 100)])
        self.assertEqual(
            (found[0].id, found[0].amount, found[0].payload, found[0].incoming), ("c0", 1, "p0", True)
        )
        refund = found[-1]
        self.assertEqual((refund.id, refund.incoming, refund.telegram_id, refund.amount), ("c3", False, 5, 4))

    def test_the_fake_refuses_a_limit_out_of_range(self) -> None:
        telegram = FakeTelegram()
        self.assertEqual(telegram.handle("getStarTransactions", {"limit": 101})[0], 400)
        self.assertEqual(telegram.handle("getStarTransactions", {"offset": -1})[0], 400)
        self.assertEqual(telegram.handle("getStarTransactions", {})[1]["result"], {"transactions": []})
