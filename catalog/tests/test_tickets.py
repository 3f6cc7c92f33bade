"""Support tickets: writing to support, staff replies and closing, the notices owed, claims as tickets."""

from datetime import timedelta
from decimal import Decimal

from django.contrib.auth.models import Group, Permission
from django.test import override_settings
from django.utils.timezone import now

from accounts.models import AuditEntry
from catalog.models import Ticket, TicketMessage, TicketNotice
from catalog.services import open_claim, purchase_product
from catalog.services import tickets as services
from payments.models import Payment
from shopbot.errors import (
    InvalidInput,
    PaymentNotFound,
    PermissionDenied,
    TicketClosed,
    TicketLimit,
    TicketNotFound,
)
from shopbot.test import OWNER_ID, ShopTestCase, make_customer, make_staff


def stars_order(customer, *, charge_id: str = "stars-charge-1") -> Payment:
    return Payment.objects.create(
        provider=Payment.Provider.STARS,
        purpose=Payment.Purpose.ORDER,
        customer=customer,
        amount=Decimal("9.99"),
        provider_amount=Decimal("10"),
        provider_currency="XTR",
        status=Payment.Status.PAID,
        provider_charge_id=charge_id,
        external_id=charge_id,
        paid_at=now(),
        expires_at=now() + timedelta(hours=1),
    )


def recipients(message: TicketMessage) -> list[int]:
    return sorted(TicketNotice.objects.filter(message=message).values_list("telegram_id", flat=True))


class OpenTicketTests(ShopTestCase):
    def test_it_opens_a_general_ticket_and_owes_the_staff_the_message(self) -> None:
        message = services.open_ticket(telegram_id=self.alice.telegram_id, text="Where is my <b>key</b>?")

        ticket = message.ticket
        self.assertEqual((ticket.kind, ticket.status, ticket.customer_id), ("general", "open", self.alice.pk))
        self.assertEqual(message.text, "Where is my <b>key</b>?")
        self.assertFalse(message.from_staff)
        # The owner and Adam (the Admin role holds manage_support); never Alice herself.
        self.assertEqual(recipients(message), sorted([OWNER_ID, self.admin.telegram_id]))

    def test_it_adds_a_second_message_to_the_open_general_ticket(self) -> None:
        first = services.open_ticket(telegram_id=self.alice.telegram_id, text="one")
        second = services.open_ticket(telegram_id=self.alice.telegram_id, text="two")

        self.assertEqual(first.ticket_id, second.ticket_id)
        self.assertEqual(Ticket.objects.count(), 1)

    def test_it_refuses_empty_and_too_long_text(self) -> None:
        for text in ("", "   ", "x" * 4001, 42):
            with self.subTest(text=str(text)[:10]), self.assertRaises(InvalidInput):
                services.open_ticket(telegram_id=self.alice.telegram_id, text=text)
        self.assertEqual(Ticket.objects.count(), 0)

    def test_it_keeps_a_photo_by_its_file_id(self) -> None:
        photo = services.Attachment("photo", "photo-file-id")

        message = services.open_ticket(telegram_id=self.alice.telegram_id, text="look", attachment=photo)

        self.assertEqual((message.attachment_kind, message.attachment_id), ("photo", "photo-file-id"))

    def test_it_links_the_customers_own_stars_order(self) -> None:
        payment = stars_order(self.alice)

        message = services.open_ticket(
            telegram_id=self.alice.telegram_id, text="refund?", payment_id=payment.pk
        )

        self.assertEqual((message.ticket.kind, message.ticket.payment_id), ("payment", payment.pk))
        again = services.open_ticket(telegram_id=self.alice.telegram_id, text="hello?", payment_id=payment.pk)
        self.assertEqual(again.ticket_id, message.ticket_id)

    def test_it_refuses_and_audits_anothers_stars_order(self) -> None:
        payment = stars_order(self.bob)

        with self.assertRaises(PaymentNotFound):
            services.open_ticket(telegram_id=self.alice.telegram_id, text="mine?", payment_id=payment.pk)

        self.assertEqual(Ticket.objects.count(), 0)
        self.assertTrue(AuditEntry.objects.filter(action="open_ticket_refused", actor=self.alice).exists())

    def test_it_refuses_a_forged_payment_id(self) -> None:
        for forged in ("abc", -1, "1e3", 10**30):
            with self.subTest(forged=forged), self.assertRaises(PaymentNotFound):
                services.open_ticket(telegram_id=self.alice.telegram_id, text="x", payment_id=forged)

    @override_settings(RATE_LIMITS=True, RATE_LIMIT_TICKET="2/h")
    def test_it_limits_messages_per_customer(self) -> None:
        services.open_ticket(telegram_id=self.alice.telegram_id, text="one")
        services.open_ticket(telegram_id=self.alice.telegram_id, text="two")

        with self.assertRaises(TicketLimit):
            services.open_ticket(telegram_id=self.alice.telegram_id, text="three")
        self.assertEqual(TicketMessage.objects.count(), 2)
        # Another customer has their own allowance.
        services.open_ticket(telegram_id=self.bob.telegram_id, text="one")


class ConversationTests(ShopTestCase):
    def setUp(self) -> None:
        self.first = services.open_ticket(telegram_id=self.alice.telegram_id, text="help")
        self.ticket = self.first.ticket

    def test_it_owes_the_customer_a_staff_reply(self) -> None:
        reply = services.reply_to_ticket(actor=self.admin, ticket_id=self.ticket.pk, text="Try <i>again</i>")

        self.assertTrue(reply.from_staff)
        self.assertEqual(recipients(reply), [self.alice.telegram_id])
        self.assertTrue(AuditEntry.objects.filter(action="ticket_reply", actor=self.admin).exists())

    def test_it_takes_the_customers_later_message_in_their_ticket(self) -> None:
        later = services.add_customer_message(
            telegram_id=self.alice.telegram_id, ticket_id=self.ticket.pk, text="still broken"
        )

        self.assertEqual(later.ticket_id, self.ticket.pk)
        self.assertIn(OWNER_ID, recipients(later))

    def test_it_refuses_and_audits_a_message_in_anothers_ticket(self) -> None:
        with self.assertRaises(TicketNotFound):
            services.add_customer_message(
                telegram_id=self.bob.telegram_id, ticket_id=self.ticket.pk, text="hi"
            )

        self.assertEqual(TicketMessage.objects.count(), 1)
        self.assertTrue(AuditEntry.objects.filter(action="ticket_message_refused", actor=self.bob).exists())

    def test_it_closes_and_refuses_messages_in_a_closed_ticket(self) -> None:
        services.close_ticket(actor=self.owner, ticket_id=self.ticket.pk)

        # The customer was typing when it closed: the message opens a new ticket instead of being lost.
        late = services.add_customer_message(
            telegram_id=self.alice.telegram_id, ticket_id=self.ticket.pk, text="?"
        )
        self.assertNotEqual(late.ticket_id, self.ticket.pk)
        self.assertEqual((late.ticket.status, late.ticket.kind), ("open", "general"))
        self.assertIn(OWNER_ID, recipients(late))
        Ticket.objects.filter(pk=late.ticket_id).update(status="closed")
        with self.assertRaises(TicketClosed):
            services.reply_to_ticket(actor=self.owner, ticket_id=self.ticket.pk, text="late")
        # Writing to support again opens a new ticket.
        fresh = services.open_ticket(telegram_id=self.alice.telegram_id, text="new question")
        self.assertNotEqual(fresh.ticket_id, self.ticket.pk)

    def test_a_late_message_in_a_closed_payment_dispute_opens_one_about_the_same_order(self) -> None:
        payment = stars_order(self.alice, charge_id="charge-late")
        dispute = services.open_ticket(
            telegram_id=self.alice.telegram_id, text="refund?", payment_id=payment.pk
        )
        services.close_ticket(actor=self.owner, ticket_id=dispute.ticket_id)

        late = services.add_customer_message(
            telegram_id=self.alice.telegram_id, ticket_id=dispute.ticket_id, text="still no refund"
        )

        self.assertNotEqual(late.ticket_id, dispute.ticket_id)
        self.assertEqual((late.ticket.kind, late.ticket.payment_id), ("payment", payment.pk))

    def test_it_refuses_staff_without_manage_support_on_the_bot_and_the_web(self) -> None:
        helper = Group.objects.create(name="Claims only")
        helper.permissions.set(
            Permission.objects.filter(content_type__app_label="accounts", codename="manage_claims")
        )
        carol = make_customer(3001, username="carol", role=helper)
        web = make_staff("claims-clerk", permissions=["accounts.manage_claims"])

        for actor in (carol, web):
            with self.subTest(actor=str(actor)):
                with self.assertRaises(PermissionDenied):
                    services.reply_to_ticket(actor=actor, ticket_id=self.ticket.pk, text="hi")
                with self.assertRaises(PermissionDenied):
                    services.close_ticket(actor=actor, ticket_id=self.ticket.pk)
        self.assertEqual(TicketMessage.objects.count(), 1)
        self.assertNotIn(carol.telegram_id, recipients(self.first))

    def test_a_web_staff_member_with_manage_support_replies(self) -> None:
        web = make_staff("support-desk", permissions=["accounts.manage_support"])

        reply = services.reply_to_ticket(actor=web, ticket_id=self.ticket.pk, text="On it")

        self.assertEqual(reply.author_label, "web:support-desk")

    def test_it_claims_a_notice_once_until_marked_sent(self) -> None:
        reply = services.reply_to_ticket(actor=self.owner, ticket_id=self.ticket.pk, text="hello")

        [notice] = services.claim_ticket_notices(message_ids=[reply.pk])
        self.assertEqual((notice.telegram_id, notice.message.text), (self.alice.telegram_id, "hello"))
        self.assertEqual(services.claim_ticket_notices(message_ids=[reply.pk]), [])
        services.mark_ticket_notices_sent(notice_ids=[notice.id])
        self.assertIsNotNone(TicketNotice.objects.get(pk=notice.id).sent_at)


class ClaimTicketTests(ShopTestCase):
    def test_a_claim_opens_its_ticket_with_the_claims_text_first(self) -> None:
        purchase = purchase_product(telegram_id=self.alice.telegram_id, product_id=self.key.pk)

        claim = open_claim(
            telegram_id=self.alice.telegram_id,
            purchase_id=purchase.pk,
            reason="not_working",
            text="Invalid key",
        )

        ticket = Ticket.objects.get(claim=claim)
        self.assertEqual((ticket.kind, ticket.customer_id), ("claim", self.alice.pk))
        [first] = ticket.messages.all()
        self.assertEqual(first.text, "Invalid key")
        # Staff reply in the claim's conversation and the customer is owed it.
        reply = services.reply_to_ticket(actor=self.owner, ticket_id=ticket.pk, text="Checking")
        self.assertEqual(recipients(reply), [self.alice.telegram_id])
