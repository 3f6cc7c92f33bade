"""Staff login lockout, and the deployment checks Django runs with DEBUG off."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

from django.test import override_settings

from monitoring.tests.helpers import make_staff
from shopbot.test import ShopTestCase

BASE_DIR = Path(__file__).resolve().parent.parent.parent
PASSWORD = "correct horse battery"


def run_manage(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    # A clean environment: only what the test names, as on a fresh server.
    keep = {"PATH", "HOME", "LANG", "PYTHONPATH", "VIRTUAL_ENV"}
    base = {key: value for key, value in os.environ.items() if key in keep}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        check=False,
        cwd=BASE_DIR,
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


@override_settings(LOGIN_FAILURE_LIMIT=5, LOGIN_LOCKOUT_MINUTES=15)
class LoginLockoutTests(ShopTestCase):
    def setUp(self) -> None:
        self.staff = make_staff("sam", password=PASSWORD)

    def log_in(self, password: str, address: str = "10.0.0.1") -> bool:
        response = self.client.post(
            "/admin/login/", {"username": "sam", "password": password}, REMOTE_ADDR=address
        )
        return response.status_code == 302

    def test_it_locks_the_username_after_five_failures(self) -> None:
        for _ in range(5):
            self.assertIs(self.log_in("wrong"), False)

        self.assertIs(self.log_in(PASSWORD), False)

    def test_it_lets_the_same_username_in_from_another_address(self) -> None:
        for _ in range(5):
            self.log_in("wrong")

        self.assertIs(self.log_in(PASSWORD, address="10.0.0.2"), True)

    def test_it_allows_fewer_failures_than_the_limit(self) -> None:
        for _ in range(4):
            self.log_in("wrong")

        self.assertIs(self.log_in(PASSWORD), True)

    def test_it_starts_counting_again_after_a_successful_login(self) -> None:
        for _ in range(4):
            self.log_in("wrong")
        self.assertIs(self.log_in(PASSWORD), True)
        self.client.logout()

        for _ in range(4):
            self.log_in("wrong")

        self.assertIs(self.log_in(PASSWORD), True)

    def test_it_treats_the_username_case_insensitively(self) -> None:
        for _ in range(5):
            self.client.post("/admin/login/", {"username": "SAM", "password": "x"}, REMOTE_ADDR="10.0.0.1")

        self.assertIs(self.log_in(PASSWORD), False)


def test_it_passes_the_deployment_checks_with_production_settings():
    result = run_manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(40)[:50],
        ALLOWED_HOSTS="shop.example.com",
        SITE_URL="https://shop.example.com",
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_it_keeps_plain_http_working_on_localhost_with_debug_off():
    code = (
        "from django.conf import settings as s; "
        "print(s.SECURE_SSL_REDIRECT, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_HSTS_SECONDS)"
    )

    result = run_manage("shell", "-v", "0", "-c", code, DEBUG="0", ALLOWED_HOSTS="127.0.0.1,localhost")

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False", "False", "False", "0"]


def test_it_lets_each_security_setting_be_forced():
    code = "from django.conf import settings as s; print(s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS)"

    result = run_manage(
        "shell",
        "-v",
        "0",
        "-c",
        code,
        DEBUG="0",
        ALLOWED_HOSTS="shop.example.com",
        SECURE_SSL_REDIRECT="0",
        SECURE_HSTS_SECONDS="3600",
    )

    assert result.stdout.split() == ["False", "3600"], result.stderr
