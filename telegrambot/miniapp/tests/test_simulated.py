"""The Mini App in the chat simulator's panel: signed by the simulator's own secret, for superusers only."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from telegrambot.miniapp.tests.helpers import AppClient, signed_init_data
from telegrambot.simulator import runner
from telegrambot.simulator.runner import Simulator, install

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def simulator(settings: Any) -> Iterator[Simulator]:
    settings.TOKEN = ""
    settings.STARS_PER_VALUE = Decimal(1)
    simulator = Simulator()
    simulator.start()
    install(simulator)
    yield simulator
    install(None)
    simulator.stop()


@pytest.fixture
def staff_client(django_user_model: Any) -> Client:
    client = Client()
    client.force_login(django_user_model.objects.create_superuser(username="staff", email="", password="x"))
    return client


def persona_id(client: Client) -> int:
    page = client.get("/simulator/")
    return next(person["id"] for person in page.context["people"] if person["key"] == "new-1")


def test_it_signs_the_panel_in_as_the_simulated_user(simulator: Simulator, staff_client: Client) -> None:
    user = persona_id(staff_client)

    setup = staff_client.get("/app/", {"simulator": user}).context["simulated"]
    app = AppClient(Client())
    response = app.sign_in(setup["initData"])

    assert response.status_code == 200, response.content
    assert response.json()["me"]["id"] == user


def test_it_refuses_initdata_signed_with_the_simulators_published_token(simulator: Simulator) -> None:
    response = AppClient().sign_in(signed_init_data(2001, token=runner.TOKEN))

    assert response.status_code == 401


def test_it_gives_no_signed_user_to_anyone_but_a_superuser(
    simulator: Simulator, staff_client: Client, client: Client, django_user_model: Any
) -> None:
    user = persona_id(staff_client)
    clerk = Client()
    clerk.force_login(django_user_model.objects.create_user(username="clerk", password="x", is_staff=True))

    assert client.get("/app/", {"simulator": user}).context["simulated"] is None
    assert clerk.get("/app/", {"simulator": user}).context["simulated"] is None
    assert staff_client.get("/app/", {"simulator": "999"}).context["simulated"] is None


def test_it_refuses_every_initdata_without_a_token_or_a_simulator(settings: Any) -> None:
    settings.TOKEN = ""

    response = AppClient().sign_in(signed_init_data(2001, token=""))

    assert response.status_code == 401
    assert response.json()["reason"] == "no TOKEN: nothing to check the signature with"
