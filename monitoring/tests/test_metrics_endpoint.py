"""/metrics: Prometheus text, open or behind a bearer token."""

from django.test import override_settings

from shopbot.test import ShopTestCase


class MetricsEndpointTests(ShopTestCase):
    def test_it_serves_the_shop_metrics_without_a_session(self) -> None:
        response = self.client.get("/metrics")

        self.assertEqual(response.status_code, 200)
        self.assertIn(b"shopbot_purchases_total", response.content)
        self.assertIn(b"django_http_requests", response.content)

    @override_settings(METRICS_TOKEN="s3cret-token")
    def test_it_refuses_a_scrape_without_the_token(self) -> None:
        response = self.client.get("/metrics")

        self.assertEqual(response.status_code, 401)
        self.assertEqual(response["WWW-Authenticate"], 'Bearer realm="metrics"')
        self.assertNotIn(b"shopbot_", response.content)

    @override_settings(METRICS_TOKEN="s3cret-token")
    def test_it_refuses_a_wrong_token(self) -> None:
        response = self.client.get("/metrics", HTTP_AUTHORIZATION="Bearer wrong")

        self.assertEqual(response.status_code, 401)

    @override_settings(METRICS_TOKEN="s3cret-token")
    def test_it_serves_a_scrape_with_the_token(self) -> None:
        response = self.client.get("/metrics", HTTP_AUTHORIZATION="Bearer s3cret-token")

        self.assertEqual(response.status_code, 200)
        self.assertIn(b"shopbot_purchases_total", response.content)

    @override_settings(METRICS_TOKEN="s3cret-token", ALLOWED_HOSTS=["shop.example.com"])
    def test_it_serves_prometheus_inside_the_network(self) -> None:
        response = self.client.get("/metrics", HTTP_HOST="web:8000", HTTP_AUTHORIZATION="Bearer s3cret-token")

        self.assertEqual(response.status_code, 200)


class MetricsWithoutTokenTests(ShopTestCase):
    """Without METRICS_TOKEN the revenue figures stay inside the machine and its private network."""

    def test_it_refuses_a_public_address(self) -> None:
        response = self.client.get("/metrics", REMOTE_ADDR="8.8.8.8")

        self.assertEqual(response.status_code, 401)
        self.assertNotIn(b"shopbot_", response.content)

    def test_it_serves_prometheus_on_a_private_network(self) -> None:
        response = self.client.get("/metrics", REMOTE_ADDR="172.18.0.5", HTTP_HOST="web:8000")

        self.assertEqual(response.status_code, 200)

    def test_it_refuses_a_visitor_relayed_by_a_local_proxy(self) -> None:
        # nginx on the same machine connects from 127.0.0.1 for every visitor.
        response = self.client.get("/metrics", HTTP_X_FORWARDED_FOR="8.8.8.8", HTTP_X_FORWARDED_PROTO="https")

        self.assertEqual(response.status_code, 401)

    @override_settings(TRUSTED_PROXIES=1)
    def test_it_judges_the_address_a_trusted_proxy_saw(self) -> None:
        public = self.client.get("/metrics", HTTP_X_FORWARDED_FOR="10.0.0.1, 8.8.8.8")
        private = self.client.get("/metrics", HTTP_X_FORWARDED_FOR="10.0.0.3")

        self.assertEqual((public.status_code, private.status_code), (401, 200))
