"""Files sold as goods in the Mini App's history: a signed download of the shop's copy, or Send to chat."""

from __future__ import annotations

import tempfile
import time
from unittest import mock

from asgiref.sync import sync_to_async
from django.core import signing
from django.core.files.base import ContentFile
from django.test import override_settings

from accounts.models import AuditEntry
from catalog.models import Product, Purchase
from catalog.services import purchase_product
from catalog.services.delivery_files import FileSpec, add_file_stock, set_shared_file
from payments.models import PaymentNotice
from shopbot.test import make_product
from telegrambot.miniapp import present
from telegrambot.miniapp.tests.test_api import MiniAppTestCase
from telegrambot.miniapp.tests.test_faces import FacesTestCase
from telegrambot.notices import deliver_notices
from telegrambot.tests.test_file_delivery import sent_documents

Kind = Product.DeliveryKind


class FileGoods:
    def make_goods(self) -> None:
        """An e-book kept by Telegram (file ids) and a guide uploaded to MEDIA_ROOT, each bought by Alice."""
        self.enterContext(override_settings(MEDIA_ROOT=self.enterContext(tempfile.TemporaryDirectory())))
        self.ebook = make_product(self.games, "E-book", "3.00", delivery=Kind.FILE)
        add_file_stock(
            actor=self.owner, product_id=self.ebook.pk, files=[FileSpec("a.pdf", 2048, file_id="TG-A")]
        )
        self.guide = make_product(self.games, "Guide", "1.00", is_unlimited=True, delivery=Kind.SHARED_FILE)
        upload = FileSpec("Setup guide.pdf", 4, upload=ContentFile(b"%PDF"))
        set_shared_file(actor=self.owner, product_id=self.guide.pk, file=upload)
        self.ebook_sale = purchase_product(telegram_id=self.alice.telegram_id, product_id=self.ebook.pk)
        self.guide_sale = purchase_product(telegram_id=self.alice.telegram_id, product_id=self.guide.pk)


class HistoryFileTests(MiniAppTestCase, FileGoods):
    def setUp(self):
        self.make_goods()

    def items(self, app=None):
        return {item["id"]: item for item in (app or self.app()).get("purchases").json()["items"]}

    def test_history_names_each_file_with_its_size_and_way_to_get_it(self):
        items = self.items()

        ebook, guide = items[self.ebook_sale.pk]["file"], items[self.guide_sale.pk]["file"]
        self.assertEqual(
            (ebook["name"], ebook["size"], ebook["download"], ebook["send_to_chat"]),
            ("a.pdf", 2048, "", True),
        )
        self.assertEqual((guide["name"], guide["size"], guide["send_to_chat"]), ("Setup guide.pdf", 4, False))
        self.assertTrue(guide["download"].startswith("/app/file/"))

    def test_the_signed_link_streams_the_stored_file_under_its_original_name(self):
        link = self.items()[self.guide_sale.pk]["file"]["download"]

        response = self.client.get(link)

        self.assertEqual(response.status_code, 200)
        self.assertEqual(b"".join(response.streaming_content), b"%PDF")
        self.assertEqual(response["Content-Disposition"], 'attachment; filename="Setup guide.pdf"')
        self.assertEqual(response["Cache-Control"], "private, no-store")

    def test_an_expired_or_tampered_link_is_refused(self):
        link = self.items()[self.guide_sale.pk]["file"]["download"]
        later = time.time() + present.DOWNLOAD_SECONDS + 1

        with mock.patch("django.core.signing.time.time", return_value=later):
            expired = self.client.get(link)
        tampered = self.client.get(link[:-2] + ("xx" if not link.endswith("xx") else "yy"))
        # A valid long-value link is no file link: the salts differ.
        other_salt = present.download_link(self.guide_sale, telegram_id=self.alice.telegram_id)

        self.assertEqual((expired.status_code, tampered.status_code), (404, 404))
        self.assertEqual(self.client.get(other_salt.replace("/download/", "/file/")).status_code, 404)

    def test_a_link_naming_another_customers_purchase_is_not_found_and_audited(self):
        token = signing.TimestampSigner(salt=present.FILE_SALT).sign_object(
            {"p": self.guide_sale.pk, "u": self.bob.telegram_id}
        )

        response = self.client.get(f"/app/file/{token}")

        self.assertEqual(response.status_code, 404)
        self.assertEqual(AuditEntry.objects.get(action="miniapp_not_found").actor, self.bob)

    def test_a_purchase_with_a_telegram_file_only_has_no_download(self):
        token = signing.TimestampSigner(salt=present.FILE_SALT).sign_object(
            {"p": self.ebook_sale.pk, "u": self.alice.telegram_id}
        )

        self.assertEqual(self.client.get(f"/app/file/{token}").status_code, 404)

    def test_send_to_chat_writes_one_notice_however_often_it_is_pressed(self):
        app = self.app()

        first = app.post(f"purchases/{self.ebook_sale.pk}/send-file")
        second = app.post(f"purchases/{self.ebook_sale.pk}/send-file")

        self.assertEqual((first.json()["queued"], second.json()["queued"]), (True, False))
        [notice] = PaymentNotice.objects.all()
        self.assertEqual((notice.kind, notice.telegram_id), ("purchase_file", self.alice.telegram_id))
        self.assertEqual(notice.params, {"purchase": self.ebook_sale.pk})

    def test_send_to_chat_refuses_another_customers_forged_or_fileless_purchases(self):
        bob = self.app(self.bob.telegram_id)
        plain = purchase_product(telegram_id=self.alice.telegram_id, product_id=self.key.pk)

        self.assertEqual(bob.post(f"purchases/{self.ebook_sale.pk}/send-file").status_code, 404)
        self.assertEqual(AuditEntry.objects.get(action="miniapp_not_found").actor, self.bob)
        alice = self.app()
        self.assertEqual(alice.post(f"purchases/{plain.pk}/send-file").status_code, 404)
        self.assertEqual(alice.post("purchases/999999/send-file").status_code, 404)
        self.assertEqual(alice.post("purchases/abc/send-file").status_code, 404)
        self.assertEqual(PaymentNotice.objects.count(), 0)

    @override_settings(RATE_LIMITS=True, RATE_LIMIT_GLOBAL="", RATE_LIMIT_APP_FILE="2/10m")
    def test_send_to_chat_is_rate_limited(self):
        app = self.app()
        other = purchase_product(telegram_id=self.alice.telegram_id, product_id=self.guide.pk)

        answers = [
            app.post(f"purchases/{pk}/send-file").status_code
            for pk in (self.ebook_sale.pk, other.pk, other.pk)
        ]

        self.assertEqual(answers, [200, 200, 429])
        self.assertEqual(PaymentNotice.objects.count(), 2)


class FileNoticeTests(FacesTestCase, FileGoods):
    async def test_the_bot_sends_the_file_asked_for_once_through_telegram(self):
        await sync_to_async(self.make_goods)()
        shop = await self.start_shop(self.telegram)
        alice = await shop.user(self.alice.telegram_id)
        await alice.send("/start")
        before = len(alice.messages)
        app = await self.app(self.alice.telegram_id)

        for _ in range(2):
            response = await self.call(app, "POST", f"purchases/{self.ebook_sale.pk}/send-file")
            self.assertEqual(response.status_code, 200, response.content)
        await deliver_notices(shop.application.bot)
        await deliver_notices(shop.application.bot)

        text, document = alice.messages[before:]
        self.assertIn("Here is your file again.", text.text)
        self.assertIn(f"Order #{self.ebook_sale.order_number}", text.text)
        self.assertEqual(sent_documents(alice), ["TG-A"])
        self.assertEqual(len(self.telegram.calls_to("sendDocument")), 1)
        self.assertTrue(await PaymentNotice.objects.filter(sent_at__isnull=False).aexists())
        # Asking again after it was sent sends it again.
        await self.call(app, "POST", f"purchases/{self.ebook_sale.pk}/send-file")
        await deliver_notices(shop.application.bot)
        self.assertEqual(len(self.telegram.calls_to("sendDocument")), 2)

    async def test_a_stored_file_asked_for_in_the_chat_is_uploaded(self):
        await sync_to_async(self.make_goods)()
        shop = await self.start_shop(self.telegram)
        alice = await shop.user(self.alice.telegram_id)
        await alice.send("/start")
        app = await self.app(self.alice.telegram_id)

        await self.call(app, "POST", f"purchases/{self.guide_sale.pk}/send-file")
        await deliver_notices(shop.application.bot)

        [upload] = sent_documents(alice)
        self.assertEqual((upload["filename"], upload["content"]), ("Setup guide.pdf", b"%PDF"))
        self.assertTrue(await Purchase.objects.filter(pk=self.guide_sale.pk, file__file_id__gt="").aexists())

    async def test_a_file_bought_in_the_app_reaches_the_chat_with_its_receipt(self):
        await sync_to_async(self.make_goods)()
        shop = await self.start_shop(self.telegram)
        alice = await shop.user(self.alice.telegram_id)
        await alice.send("/start")
        app = await self.app(self.alice.telegram_id)
        await sync_to_async(add_file_stock)(
            actor=self.owner, product_id=self.ebook.pk, files=[FileSpec("c.pdf", 10, file_id="TG-C")]
        )

        quote = (await self.call(app, "POST", "buy/quote", {"product_id": self.ebook.pk})).json()["quote"]
        bought = await self.call(app, "POST", "buy", {"intent_id": quote["intent_id"]})
        self.assertEqual(bought.status_code, 200, bought.content)
        await deliver_notices(shop.application.bot)

        self.assertIn("Thank you for your purchase!", alice.messages[-2].text)
        self.assertEqual(sent_documents(alice), ["TG-C"])
