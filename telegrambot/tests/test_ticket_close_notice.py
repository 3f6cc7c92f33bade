"""Closing a ticket tells the customer once, in their language, from the bot's admin menu and the web admin."""

from asgiref.sync import sync_to_async
from django.urls import reverse

from accounts.models import Customer
from catalog.models import Ticket, TicketNotice
from catalog.services import tickets as services
from shopbot.test import make_staff
from telegrambot.tests.helpers import BotTestCase
from telegrambot.tests.test_tickets_handlers import staff_chats
from telegrambot.tests.test_waitlist_notices import run_job

CLOSED_EN = "Support closed ticket #"
CLOSED_RU = "Поддержка закрыла обращение #"
RU_WRITE = "✉️ Написать в поддержку"


def closing_messages(user, phrase: str) -> list[str]:
    return [message.text for message in user.messages if phrase in message.text]


class TicketCloseNoticeTests(BotTestCase):
    async def test_closing_from_the_admin_menu_tells_the_customer_once_in_russian(self) -> None:
        await Customer.objects.filter(pk=self.alice.pk).aupdate(language="ru")
        first = await sync_to_async(services.open_ticket)(telegram_id=self.alice.telegram_id, text="помогите")
        shop, alice = await self.start_chat()
        owner, _adam = await staff_chats(shop)
        await owner.send("/admin")
        await owner.press("💬 Support (1 open)")
        await owner.press(f"Ticket #{first.ticket_id} · Question")

        await owner.press("✅ Close")
        await run_job(shop, "ticket_notices")  # the job finds nothing more to send

        [told] = closing_messages(alice, CLOSED_RU)
        self.assertIn(f"#{first.ticket_id}", told)
        self.assertEqual(closing_messages(alice, CLOSED_EN), [])
        self.assertEqual(await TicketNotice.objects.filter(telegram_id=self.alice.telegram_id).acount(), 1)
        self.assertEqual(await TicketNotice.objects.filter(sent_at__isnull=True).acount(), 0)
        self.assertEqual(alice.screen.labels, [RU_WRITE])

    async def test_closing_in_the_web_admin_is_sent_by_the_job_once(self) -> None:
        first = await sync_to_async(services.open_ticket)(telegram_id=self.alice.telegram_id, text="help")
        shop, alice = await self.start_chat()
        web = await sync_to_async(make_staff)("desk", permissions=["accounts.manage_support"])
        await sync_to_async(self.client.force_login)(web)
        page = reverse("admin:catalog_ticket_change", args=[first.ticket_id])
        closed = await sync_to_async(self.client.post)(page, {"close_ticket": "1"}, follow=True)
        self.assertContains(closed, "The ticket is closed.")
        self.assertContains(closed, "Closed the ticket.")  # the conversation shows the close
        self.assertEqual(closing_messages(alice, CLOSED_EN), [])  # the bot sends it, not the web

        await run_job(shop, "ticket_notices")
        await run_job(shop, "ticket_notices")

        [told] = closing_messages(alice, CLOSED_EN)
        self.assertIn(f"#{first.ticket_id}", told)
        self.assertIn("✉️ Write to support", alice.screen.labels)
        ticket = await Ticket.objects.aget(pk=first.ticket_id)
        self.assertEqual((ticket.status, ticket.closed_by_label), ("closed", "web:desk"))

    async def test_closing_twice_tells_once(self) -> None:
        first = await sync_to_async(services.open_ticket)(telegram_id=self.alice.telegram_id, text="help")
        shop, alice = await self.start_chat()
        await sync_to_async(services.close_ticket)(actor=self.owner, ticket_id=first.ticket_id)
        with self.assertRaises(services.TicketClosed):
            await sync_to_async(services.close_ticket)(actor=self.owner, ticket_id=first.ticket_id)

        await run_job(shop, "ticket_notices")

        self.assertEqual(len(closing_messages(alice, CLOSED_EN)), 1)
        self.assertEqual(await TicketNotice.objects.filter(telegram_id=self.alice.telegram_id).acount(), 1)
