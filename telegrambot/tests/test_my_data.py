"""/mydata: the customer's own data as one JSON file, in bounded queries, rate-limited, nobody else's."""

import json
from decimal import Decimal

from asgiref.sync import sync_to_async
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from catalog.models import Claim, Purchase, Review
from catalog.selectors.customer_data import export_customer_data
from catalog.services import purchase_product
from catalog.ticket_models import Ticket, TicketMessage
from telegrambot.tests.helpers import BotTestCase


def add_purchases(customer, product, count: int, prefix: str = "OLD") -> None:
    Purchase.objects.bulk_create(
        Purchase(
            buyer=customer,
            product=product,
            product_name=product.name,
            list_price=product.price,
            price=product.price,
            value=f"{prefix}-<b>{number}</b>",
        )
        for number in range(count)
    )


def queries_for(telegram_id: int) -> int:
    with CaptureQueriesContext(connection) as captured:
        export_customer_data(telegram_id=telegram_id)
    return len(captured)


class MyDataTests(BotTestCase):
    async def test_it_sends_a_thousand_purchases_with_values_the_ledger_and_claims_as_one_file(self):
        sold = await sync_to_async(purchase_product)(
            telegram_id=self.alice.telegram_id, product_id=self.key.pk
        )
        await sync_to_async(add_purchases)(self.alice, self.gift, 999)
        await sync_to_async(add_purchases)(self.bob, self.gift, 3, "BOB")  # somebody else's
        await Claim.objects.acreate(
            purchase=sold, customer=self.alice, reason="broken", text="<i>dead</i> key"
        )
        await Review.objects.acreate(product=self.key, customer=self.alice, rating=5, text="Great & fast")
        ticket = await Ticket.objects.acreate(customer=self.alice)
        await TicketMessage.objects.acreate(ticket=ticket, author=self.alice, text="Where is <my> key?")
        await TicketMessage.objects.acreate(
            ticket=ticket, from_staff=True, author_label="Adam", text="Sent again"
        )
        shop, alice = await self.start_chat()

        await alice.send("/mydata")

        document = alice.messages[-1]
        self.assertEqual(document.kind, "document")
        self.assertEqual(document.media["filename"], "mydata-1001.json")
        self.assertIn("Keep it private", document.text)
        content = document.media["content"]
        self.assertLess(len(content), 50 * 1024 * 1024)
        data = json.loads(content)
        self.assertEqual(data["profile"]["telegram_id"], 1001)
        self.assertEqual(data["profile"]["balance"], "40.01")
        self.assertEqual(len(data["purchases"]), 1000)
        self.assertEqual(data["purchases"][0]["value"], "AAA-111")
        self.assertEqual(data["purchases"][0]["price"], "9.99")
        self.assertEqual(data["purchases"][-1]["value"], "OLD-<b>998</b>")
        self.assertEqual([entry["amount"] for entry in data["ledger"]], ["50.00", "-9.99"])
        self.assertEqual(data["claims"][0]["text"], "<i>dead</i> key")
        self.assertEqual(data["reviews"][0]["text"], "Great & fast")
        self.assertEqual(
            [(message["from_staff"], message["text"]) for message in data["tickets"]],
            [(False, "Where is <my> key?"), (True, "Sent again")],
        )
        self.assertNotIn("Adam", content.decode())  # staff are not named
        self.assertNotIn("BOB-", content.decode())

    async def test_its_queries_do_not_grow_with_the_history(self):
        await sync_to_async(add_purchases)(self.alice, self.gift, 5)
        few = await sync_to_async(queries_for)(self.alice.telegram_id)
        await sync_to_async(add_purchases)(self.alice, self.gift, 1200)
        self.assertEqual(await sync_to_async(queries_for)(self.alice.telegram_id), few)

    @override_settings(RATE_LIMITS=True, RATE_LIMIT_GLOBAL="", RATE_LIMIT_MYDATA="3/h")
    async def test_it_is_rate_limited_and_ignores_what_follows_the_command(self):
        shop, alice = await self.start_chat()
        for text in ("/mydata", "/mydata <b>1002</b>", "/mydata " + "9" * 5000):
            await alice.send(text)
        documents = [message for message in alice.messages if message.kind == "document"]
        self.assertEqual(len(documents), 3)
        self.assertEqual(
            {json.loads(d.media["content"])["profile"]["telegram_id"] for d in documents}, {1001}
        )

        await alice.send("/mydata")
        self.assertIn("You asked for your data a few times already", alice.messages[-1].text)
        self.assertEqual(len([message for message in alice.messages if message.kind == "document"]), 3)
        self.assertEqual(
            Decimal(json.loads(documents[0].media["content"])["profile"]["balance"]), Decimal("50")
        )
