"""Payments in the admin menu refuse forged presses, lost permissions and hostile text, and change nothing."""

from __future__ import annotations

from decimal import Decimal

from asgiref.sync import sync_to_async
from django.contrib.auth.models import Group, Permission

from accounts.roles import ADMIN_ROLE, invalidate_role_cache
from payments.models import LedgerEntry, Payment, PaymentNotice
from telegrambot import callbacks
from telegrambot.models import DialogState
from telegrambot.providers import open_crypto_top_up
from telegrambot.testing.driver import ChatUser
from telegrambot.tests.test_admin_payments import (
    PaymentsAdminTestCase,
    cryptopay_server,  # noqa: F401 - the fixture it needs
)

HOSTILE_LOOKUPS = [
    "<script>alert(1)</script>",
    "1; DROP TABLE payments_payment",
    "x" * 5000,
    "💳",
    "#",
    "#-5",
    "-5",
    "1 OR 1=1",
    "%",
    "9" * 19,
    "abc\ndef",
    "\u200b42",
]


class ForgedPressTests(PaymentsAdminTestCase):
    async def routes(self, payment: Payment) -> list[str]:
        """Every payments route, aimed at ``payment``."""
        return [
            callbacks.ADMIN_PAYMENTS.build(),
            callbacks.ADMIN_PAYMENT_FIND.build(),
            callbacks.ADMIN_PAYMENT_LIST.build("review", 1),
            callbacks.ADMIN_PAYMENT_LIST.build("pending", 99999),
            callbacks.ADMIN_PAYMENT.build(payment.pk),
            callbacks.ADMIN_PAYMENT_REFUND.build(payment.pk, "stars"),
            callbacks.ADMIN_PAYMENT_REFUND.build(payment.pk, "manual"),
            callbacks.ADMIN_PAYMENT_REFUND_YES.build(payment.pk),
            callbacks.ADMIN_PAYMENT_RECHECK.build(payment.pk),
            callbacks.ADMIN_STARS_RECONCILE.build(),
        ]

    @sync_to_async
    def snapshot(self) -> dict[str, object]:
        return {
            "payments": list(Payment.objects.order_by("pk").values_list("status", flat=True)),
            "ledger": LedgerEntry.objects.count(),
            "notices": PaymentNotice.objects.count(),
            "refund_calls": self.refund_calls(),
        }

    async def test_it_refuses_and_audits_every_press_of_a_customer(self) -> None:
        payment = await self.paid()
        shop = await self.start_shop(self.telegram)
        alice = await shop.user(self.alice.telegram_id)
        await alice.send("/start")
        before = await self.snapshot()

        for data in await self.routes(payment):
            await self.refused(alice, data, self.alice)

        self.assertEqual(await self.snapshot(), before)

    async def test_it_refuses_and_audits_an_admin_without_the_refund_permission(self) -> None:
        payment = await self.paid()
        crypto = await open_crypto_top_up(telegram_id=self.bob.telegram_id, amount="25")
        self.cryptopay.mark_paid(int(crypto.external_id))
        carl = await self.chat(self.carl)  # stock only
        before = await self.snapshot()

        for data in [*await self.routes(payment), callbacks.ADMIN_PAYMENT_RECHECK.build(crypto.pk)]:
            await self.refused(carl, data, self.carl)

        self.assertEqual(await self.snapshot(), before)
        self.assertNotIn(
            callbacks.ADMIN_PAYMENTS.prefix, " ".join(" ".join(map(str, m.buttons)) for m in carl.messages)
        )

    async def test_it_refunds_only_the_payment_the_reason_was_typed_for(self) -> None:
        first, second = await self.paid(), await self.paid()
        adam, _bob = await self.chats()
        await adam.press_data(callbacks.ADMIN_PAYMENT_REFUND.build(first.pk, "stars"))
        await adam.send("Asked for it")
        before = await self.snapshot()

        await adam.press_data(callbacks.ADMIN_PAYMENT_REFUND_YES.build(second.pk))

        self.assertIn("This step is over", adam.alert)
        self.assertEqual(await self.snapshot(), before)
        await adam.press("✅ Yes, refund")  # the real button still refunds the first one
        self.assertEqual(await self.state(first), (Payment.Status.REFUNDED, Decimal("20.00")))
        self.assertEqual(await self.state(second), (Payment.Status.PAID, Decimal("20.00")))

    async def test_it_refuses_what_a_payment_does_not_allow(self) -> None:
        card = await self.paid(Payment.Provider.TELEGRAM)
        stars = await self.paid()
        pending = await open_crypto_top_up(telegram_id=self.bob.telegram_id, amount="25")
        adam, _bob = await self.chats()
        before = await self.snapshot()

        cases = [
            (callbacks.ADMIN_PAYMENT_REFUND.build(card.pk, "stars"), "record a manual refund"),
            (callbacks.ADMIN_PAYMENT_REFUND.build(pending.pk, "manual"), "it was never paid"),
            (callbacks.ADMIN_PAYMENT_RECHECK.build(stars.pk), "Only CryptoPay payments can be checked"),
            (callbacks.ADMIN_PAYMENT.build(999999), "This payment was not found."),
            (callbacks.ADMIN_PAYMENT_REFUND.build(999999, "stars"), "This payment was not found."),
        ]
        for data, refusal in cases:
            await adam.press_data(data)
            self.assertIn(refusal, adam.alert or "", data)

        self.assertEqual(await self.snapshot(), before)

    async def test_it_refuses_a_typed_reason_and_a_confirmation_once_the_permission_is_gone(self) -> None:
        payment = await self.paid()
        adam, _bob = await self.chats()
        await adam.press_data(callbacks.ADMIN_PAYMENT_REFUND.build(payment.pk, "stars"))
        await sync_to_async(self.without_refunds)()

        await adam.send("Asked for it")
        self.assertIn("not allowed", adam.screen.text)
        await sync_to_async(self.without_refunds)(restore=True)
        await adam.send("Asked for it")
        await sync_to_async(self.without_refunds)()
        await adam.press("✅ Yes, refund")

        self.assertIn("not allowed", adam.alert)
        self.assertEqual(await self.audits("permission_denied", self.admin), 2)
        self.assertEqual(await self.state(payment), (Payment.Status.PAID, Decimal("20.00")))
        self.assertEqual(self.refund_calls(), 0)

    def without_refunds(self, restore: bool = False) -> None:
        role = Group.objects.get(name=ADMIN_ROLE)
        permission = Permission.objects.get(codename="refund_payments")
        if restore:
            role.permissions.add(permission)
        else:
            role.permissions.remove(permission)
        invalidate_role_cache(role.pk)


class HostileTextTests(PaymentsAdminTestCase):
    async def test_it_refuses_hostile_lookups_and_keeps_asking(self) -> None:
        payment = await self.paid()
        adam, _bob = await self.chats()
        await adam.press("🔎 Find a payment")

        for text in HOSTILE_LOOKUPS:
            await adam.send(text)
            self.assertTrue(adam.screen.text.startswith("⚠️"), text)
            self.assertRegex(adam.screen.text, "Send a payment id|This payment was not found", text)
        await adam.send("#999999")
        self.assertIn("This payment was not found.", adam.screen.text)

        await adam.send(f"#{payment.pk}")
        self.assertIn(f"Payment #{payment.pk}", adam.screen.text)

    async def test_it_refuses_hostile_reasons_and_escapes_the_accepted_one(self) -> None:
        payment = await self.paid()
        adam, _bob = await self.chats()
        await adam.press_data(callbacks.ADMIN_PAYMENT_REFUND.build(payment.pk, "stars"))

        for text in ("   ", "x" * 201, "\n\t\n"):
            await adam.send(text)
            self.assertIn("Give a reason of 1 to 200 characters.", adam.screen.text)
            self.assertEqual(await self.dialog(adam), "admin_refund_reason")
        await adam.send("<i>unclosed & <script>alert(1)</script>")

        self.assertIn("Reason: &lt;i&gt;unclosed &amp; &lt;script&gt;", adam.screen.html)
        self.assertEqual(await self.state(payment), (Payment.Status.PAID, Decimal("20.00")))

    async def test_it_shows_a_long_note_and_order_within_one_message(self) -> None:
        payment = await self.paid(total_amount=1)
        await Payment.objects.filter(pk=payment.pk).aupdate(
            note="<b>" * 60, order=[{"name": "<script>" * 40, "quantity": 1}] * 20
        )
        adam, _bob = await self.chats()

        await adam.press_data(callbacks.ADMIN_PAYMENT.build(payment.pk))

        self.assertIn("Needs review:", adam.screen.text)
        self.assertLess(len(adam.screen.text), 4096)

    async def dialog(self, user: ChatUser) -> str | None:
        row = await DialogState.objects.filter(telegram_id=user.id).afirst()
        return None if row is None else row.state
