"""Support tickets in the web admin: the list with filters, the conversation, Reply and Close, the permission."""

from django.urls import reverse

from accounts.models import AuditEntry
from catalog.models import Ticket, TicketMessage, TicketNotice
from catalog.services import tickets as services
from shopbot.test import ShopTestCase, make_staff

CHANGELIST = reverse("admin:catalog_ticket_changelist")


class TicketAdminTests(ShopTestCase):
    def setUp(self) -> None:
        self.first = services.open_ticket(
            telegram_id=self.alice.telegram_id, text="My key <script>x</script>"
        )
        self.page = reverse("admin:catalog_ticket_change", args=[self.first.ticket_id])
        self.desk = make_staff("support-desk", permissions=["accounts.manage_support"])

    def test_it_lists_with_filters_and_shows_the_conversation_escaped(self) -> None:
        self.client.force_login(self.desk)

        listed = self.client.get(CHANGELIST, {"status__exact": "open", "kind__exact": "general"})
        closed = self.client.get(CHANGELIST, {"status__exact": "closed"})
        page = self.client.get(self.page)

        self.assertContains(listed, f">{self.first.ticket_id}<")
        self.assertNotContains(closed, f">{self.first.ticket_id}<")
        self.assertContains(page, "My key &lt;script&gt;x&lt;/script&gt;")
        self.assertNotContains(page, "<script>x</script>")
        self.assertContains(page, 'name="send_reply"')

    def test_it_replies_and_owes_the_customer_the_reply(self) -> None:
        self.client.force_login(self.desk)

        self.client.post(self.page, {"send_reply": "1", "reply": "Try again please"}, follow=True)

        reply = TicketMessage.objects.get(from_staff=True)
        self.assertEqual((reply.text, reply.author_label), ("Try again please", "web:support-desk"))
        self.assertTrue(
            TicketNotice.objects.filter(message=reply, telegram_id=self.alice.telegram_id).exists()
        )

    def test_it_refuses_an_empty_reply_with_a_message(self) -> None:
        self.client.force_login(self.desk)

        answer = self.client.post(self.page, {"send_reply": "1", "reply": "  "}, follow=True)

        self.assertContains(answer, "Write your message as text.")
        self.assertFalse(TicketMessage.objects.filter(from_staff=True).exists())

    def test_it_closes(self) -> None:
        self.client.force_login(self.desk)

        self.client.post(self.page, {"close_ticket": "1"}, follow=True)

        self.assertEqual(Ticket.objects.get().status, "closed")

    def test_staff_without_manage_support_can_neither_see_nor_reply(self) -> None:
        clerk = make_staff("claims-clerk", permissions=["accounts.manage_claims"])
        self.client.force_login(clerk)

        self.assertEqual(self.client.get(self.page).status_code, 403)
        self.client.post(self.page, {"send_reply": "1", "reply": "sneaky"})
        self.client.post(self.page, {"close_ticket": "1"})

        self.assertFalse(TicketMessage.objects.filter(from_staff=True).exists())
        self.assertEqual(Ticket.objects.get().status, "open")
        self.assertTrue(
            AuditEntry.objects.filter(action="permission_denied", actor_label="web:claims-clerk").exists()
        )
