"""Staff notifications through the real bot: the choices, each notice with its button, the digest."""

from decimal import Decimal

from asgiref.sync import sync_to_async
from django.test import override_settings

from accounts.models import AuditEntry, StaffEvent, StaffNotice
from accounts.services.staff_notices import notify_staff
from catalog.models import Claim
from catalog.services import open_claim, purchase_product
from shopbot.test import OWNER_ID
from telegrambot import callbacks
from telegrambot.tests.admin_support import AdminTestCase
from telegrambot.tests.test_waitlist_notices import run_job


@sync_to_async
def alice_claims(test: AdminTestCase) -> Claim:
    purchase = purchase_product(telegram_id=test.alice.telegram_id, product_id=test.key.pk)
    return open_claim(telegram_id=test.alice.telegram_id, purchase_id=purchase.pk, reason="not_working")


class NotificationChoiceTests(AdminTestCase):
    async def test_it_lists_what_the_role_allows_and_toggles_it(self) -> None:
        adam = await self.chat(self.admin)
        await adam.send("/admin")
        await adam.press("🔔 Notifications")
        for label in (
            "New claims",
            "Messages to support",
            "Large purchases",
            "Low stock",
            "Reconciliation reports",
        ):
            self.assertIn(f"✅ {label}", adam.screen.labels)

        await adam.press("✅ New claims")

        self.assertIn("▫️ New claims", adam.screen.labels)
        self.assertIn("✅ Low stock", adam.screen.labels)
        self.assertEqual(await AuditEntry.objects.filter(action="staff_notification").acount(), 1)
        carl = await self.chat(self.carl)  # stock only
        await carl.press_data(callbacks.ADMIN_NOTIFICATIONS.build())
        self.assertEqual(carl.screen.labels, ["✅ Low stock", "🛠 Admin menu"])

    async def test_it_refuses_forged_and_foreign_choices(self) -> None:
        carl = await self.chat(self.carl)
        await carl.press_data(callbacks.ADMIN_NOTIFICATION_SET.build("new_claim", "on"))
        self.assertIn("not allowed", carl.alert)
        await carl.press_data(callbacks.ADMIN_NOTIFICATION_SET.build("bogus", "on"))
        self.assertIn("Unknown notification", carl.alert)
        alice = await self.chat(self.alice)
        await alice.press_data(callbacks.ADMIN_NOTIFICATIONS.build())
        self.assertIn("not allowed", alice.alert)
        await alice.press_data(callbacks.ADMIN_NOTIFICATION_SET.build("low_stock", "off"))
        self.assertIn("not allowed", alice.alert)
        self.assertFalse(await AuditEntry.objects.filter(action="staff_notification").aexists())


class NotificationSendingTests(AdminTestCase):
    async def staff_chats(self):  # type: ignore[no-untyped-def]
        shop, olga = await self.start_chat(OWNER_ID)
        adam = await shop.user(self.admin.telegram_id)
        await adam.send("/start")
        return shop, olga, adam

    async def test_a_new_claim_reaches_who_chose_it_with_a_button_to_the_card(self) -> None:
        shop, olga, adam = await self.staff_chats()
        await adam.send("/admin")
        await adam.press("🔔 Notifications")
        await adam.press("✅ New claims")  # Adam opts out
        adam_before = len(adam.messages)
        claim = await alice_claims(self)

        await run_job(shop, "staff_notices")

        self.assertIn(f"New claim #{claim.pk}: Game key", olga.screen.text)
        self.assertEqual(len(adam.messages), adam_before)
        await olga.press("🛠 Open the claim")
        self.assertIn(f"Claim #{claim.pk}", olga.screen.text)
        self.assertFalse(await StaffNotice.objects.filter(sent_at__isnull=True).aexists())
        await run_job(shop, "staff_notices")  # sent once
        sent = [call for call in shop.telegram.calls_to("sendMessage") if "New claim" in call.params["text"]]
        self.assertEqual([call.params["chat_id"] for call in sent], [OWNER_ID])

    async def test_more_than_twenty_in_a_minute_come_as_one_digest(self) -> None:
        shop, olga, adam = await self.staff_chats()
        before = len(olga.messages)

        @sync_to_async
        def burst() -> None:
            for number in range(25):
                notify_staff(
                    event=StaffEvent.NEW_CLAIM, params={"claim": number, "order": "X", "product": "<b>P</b>"}
                )
            notify_staff(
                event=StaffEvent.LOW_STOCK,
                params={"product": self.key.pk, "name": "Game key", "left": 1, "threshold": 2},
            )

        await burst()
        await run_job(shop, "staff_notices")

        new = olga.messages[before:]
        self.assertEqual(len(new), 1)
        self.assertIn("26 notifications in the last minute", new[0].text)
        self.assertIn("New claims: 25", new[0].text)
        self.assertIn("Low stock: 1", new[0].text)
        self.assertEqual(len(adam.messages), 2)  # /start's menu and the same one digest
        self.assertFalse(await StaffNotice.objects.filter(sent_at__isnull=True).aexists())
        self.assertIn("📦 Stock", olga.screen.labels)
        await olga.press("New claims")
        self.assertIn(
            "No claim waits for a decision", olga.screen.text
        )  # the section; these claims are not real

    async def test_a_few_come_one_by_one_with_html_escaped(self) -> None:
        shop, olga, _adam = await self.staff_chats()
        before = len(olga.messages)

        @sync_to_async
        def few() -> None:
            for number in range(3):
                notify_staff(
                    event=StaffEvent.NEW_CLAIM,
                    params={"claim": number + 1, "order": "X", "product": "<b>P</b>"},
                )

        await few()
        await run_job(shop, "staff_notices")

        new = olga.messages[before:]
        self.assertEqual(len(new), 3)
        self.assertIn("&lt;b&gt;P&lt;/b&gt;", new[0].html)

    @override_settings(STAFF_NOTIFY_LARGE_PURCHASE=Decimal("5"))
    async def test_a_large_purchase_is_told_with_the_customer_button(self) -> None:
        shop, olga, _adam = await self.staff_chats()

        await sync_to_async(purchase_product)(telegram_id=self.alice.telegram_id, product_id=self.key.pk)
        await run_job(shop, "staff_notices")

        self.assertIn("Large purchase: 9.99", olga.screen.text)
        await olga.press("👤 Open the customer")
        self.assertIn("ID: 1001", olga.screen.text)


class NotificationRuleTests(AdminTestCase):
    """Who is owed what: the other events, and a choice turned off."""

    def test_a_payment_flagged_for_review_and_a_reconciliation_report_are_owed(self) -> None:
        from payments.models import Payment
        from payments.reconciliation import ReconcileReport, report_to_staff
        from payments.services.notices import owe_review_notices
        from payments.services.top_ups import start_top_up

        with override_settings(STARS_PER_VALUE=Decimal("1")):
            payment = start_top_up(
                telegram_id=self.alice.telegram_id, provider=Payment.Provider.STARS, amount="100"
            )
        owe_review_notices(payment=payment, customer=self.alice, problem="amount <mismatch>")
        self.assertEqual(report_to_staff(report=ReconcileReport()), [])  # nothing found: no report
        report_to_staff(report=ReconcileReport(checked=3, expired=2))

        reviews = StaffNotice.objects.filter(event=StaffEvent.PAYMENT_REVIEW)
        self.assertEqual(
            set(reviews.values_list("telegram_id", flat=True)), {OWNER_ID, self.admin.telegram_id}
        )
        self.assertEqual(reviews.first().params["payment"], payment.pk)
        self.assertEqual(StaffNotice.objects.filter(event=StaffEvent.RECONCILIATION).count(), 2)
        self.assertFalse(StaffNotice.objects.filter(telegram_id=self.carl.telegram_id).exists())  # stock only

    def test_support_messages_skip_who_turned_them_off(self) -> None:
        from accounts.services.staff_notices import set_staff_notification
        from catalog.services.tickets import staff_recipients

        self.assertIn(self.admin.telegram_id, staff_recipients())
        set_staff_notification(actor=self.admin, event="ticket_message", on=False)

        self.assertNotIn(self.admin.telegram_id, staff_recipients())
        self.assertIn(OWNER_ID, staff_recipients())
