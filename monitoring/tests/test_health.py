"""/health: the database, the cache and the bot's heartbeat."""

from datetime import timedelta
from unittest import mock

from django.test import override_settings
from django.utils.timezone import now

from monitoring import stream
from monitoring.heartbeat import last_heartbeat, record_heartbeat
from monitoring.models import Heartbeat
from monitoring.tests.helpers import unreachable_database, unreachable_redis
from shopbot.test import ShopTestCase


@override_settings(TOKEN="123:abc", HEALTH_BOT_MAX_AGE=180)
class HealthTests(ShopTestCase):
    def test_it_is_healthy_with_everything_up(self) -> None:
        record_heartbeat()

        response = self.client.get("/health")

        self.assertEqual(response.status_code, 200)
        body = response.json()
        self.assertEqual(body["status"], "ok")
        self.assertIs(body["database"], True)
        self.assertIs(body["cache"], True)
        self.assertIs(body["bot"]["stale"], False)
        self.assertLessEqual(body["bot"]["age_seconds"], 5)

    def test_it_answers_503_when_the_database_is_unreachable(self) -> None:
        record_heartbeat()

        with mock.patch("monitoring.health.database_connection", return_value=unreachable_database()):
            response = self.client.get("/health")

        self.assertEqual(response.status_code, 503)
        self.assertEqual(response.json()["database"], False)
        self.assertEqual(response.json()["cache"], True)

    def test_it_answers_503_when_the_cache_is_unreachable(self) -> None:
        record_heartbeat()
        redis = unreachable_redis()

        with mock.patch("monitoring.health.cache", redis), mock.patch("monitoring.heartbeat.cache", redis):
            response = self.client.get("/health")

        self.assertEqual(response.status_code, 503)
        self.assertEqual(response.json()["cache"], False)
        # The heartbeat is still found in the database.
        self.assertIs(response.json()["bot"]["stale"], False)

    def test_it_answers_503_when_the_expected_bot_is_stale(self) -> None:
        record_heartbeat(now=now() - timedelta(minutes=10))

        response = self.client.get("/health")

        self.assertEqual(response.status_code, 503)
        bot = response.json()["bot"]
        self.assertIs(bot["expected"], True)
        self.assertIs(bot["stale"], True)
        self.assertGreaterEqual(bot["age_seconds"], 600)

    def test_it_counts_a_bot_that_never_reported_as_stale(self) -> None:
        response = self.client.get("/health")

        self.assertEqual(response.status_code, 503)
        self.assertEqual(response.json()["bot"]["last_heartbeat"], None)

    @override_settings(TOKEN="")
    def test_it_reports_but_ignores_a_stale_bot_when_none_is_configured(self) -> None:
        record_heartbeat(now=now() - timedelta(minutes=10))

        response = self.client.get("/health")

        self.assertEqual(response.status_code, 200)
        self.assertIs(response.json()["bot"]["expected"], False)
        self.assertIs(response.json()["bot"]["stale"], True)

    @override_settings(HEALTH_BOT_MAX_AGE=0)
    def test_it_leaves_the_bot_out_when_the_max_age_is_zero(self) -> None:
        response = self.client.get("/health")

        self.assertEqual(response.status_code, 200)

    @override_settings(ALLOWED_HOSTS=["shop.example.com"], SECURE_SSL_REDIRECT=True)
    def test_it_answers_internal_callers_on_any_host_over_http(self) -> None:
        record_heartbeat()

        health = self.client.get("/health", HTTP_HOST="127.0.0.1:8000")
        admin = self.client.get("/admin/", HTTP_HOST="127.0.0.1:8000")

        self.assertEqual(health.status_code, 200)
        self.assertEqual(admin.status_code, 400)

    def test_it_needs_no_session(self) -> None:
        record_heartbeat()

        response = self.client.get("/health")

        self.assertNotIn("sessionid", response.cookies)
        self.assertIn("no-cache", response["Cache-Control"])


class HeartbeatTests(ShopTestCase):
    def test_it_stores_the_heartbeat_in_the_cache_and_the_database(self) -> None:
        moment = now() - timedelta(seconds=5)

        record_heartbeat(now=moment)

        self.assertEqual(last_heartbeat(), moment)
        self.assertEqual(Heartbeat.objects.get(name="bot").updated, moment)

    def test_it_writes_the_database_at_most_every_30_seconds(self) -> None:
        first = now() - timedelta(seconds=20)
        record_heartbeat(now=first)

        record_heartbeat(now=first + timedelta(seconds=10))
        self.assertEqual(Heartbeat.objects.get(name="bot").updated, first)

        record_heartbeat(now=first + timedelta(seconds=31))
        self.assertEqual(Heartbeat.objects.get(name="bot").updated, first + timedelta(seconds=31))

    def test_it_reads_the_database_when_the_cache_lost_the_heartbeat(self) -> None:
        moment = now() - timedelta(seconds=5)
        record_heartbeat(now=moment)

        with mock.patch("monitoring.heartbeat.cache", unreachable_redis()):
            self.assertEqual(last_heartbeat(), moment)

    def test_it_never_raises_when_both_stores_are_down(self) -> None:
        with (
            mock.patch("monitoring.heartbeat.cache", unreachable_redis()),
            mock.patch(
                "monitoring.heartbeat.Heartbeat.objects.update_or_create", side_effect=_database_error
            ),
        ):
            record_heartbeat()

    def test_it_returns_none_before_the_first_heartbeat(self) -> None:
        self.assertIsNone(last_heartbeat())


def _database_error(*args: object, **kwargs: object) -> None:
    from django.db import OperationalError

    raise OperationalError("server closed the connection")


@override_settings(TOKEN="123:abc", HEALTH_BOT_MAX_AGE=180)
class StreamHealthTests(ShopTestCase):
    def setUp(self) -> None:
        if not stream.uses_redis():
            self.skipTest("the update stream lives in Redis")

    def test_it_shows_the_streams_length_pending_count_and_oldest_pending_age(self) -> None:
        record_heartbeat()
        client = stream.redis()
        for update_id in (1, 2, 3):
            client.xadd(stream.stream_key(), {"update": f'{{"update_id": {update_id}}}'})
        client.xgroup_create(stream.stream_key(), stream.GROUP, id="0")
        client.xreadgroup(stream.GROUP, "worker-1", {stream.stream_key(): ">"}, count=2)  # taken, not done

        body = self.client.get("/health").json()

        self.assertEqual(body["stream"]["length"], 3)
        self.assertEqual(body["stream"]["pending"], 2)
        self.assertGreaterEqual(body["stream"]["oldest_pending_seconds"], 0)
        self.assertEqual(body["status"], "ok")  # figures, not part of the verdict

    def test_it_shows_an_empty_stream_before_any_worker_started(self) -> None:
        stream.redis().xadd(stream.stream_key(), {"update": '{"update_id": 1}'})

        body = self.client.get("/health").json()

        self.assertEqual(body["stream"], {"length": 1, "pending": 0, "oldest_pending_seconds": None})
