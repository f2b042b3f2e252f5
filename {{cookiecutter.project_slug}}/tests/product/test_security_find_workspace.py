""" "Find my workspace" tells nobody whether an address has an account, by its answer or by its
time, and cannot be used to flood an inbox."""

import statistics
import time

import django
import pytest
from celery.signals import after_task_publish
from django.conf import settings
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend

from config.celery_app import app

from ..factories import UserFactory

pytestmark = pytest.mark.django_db
WWW = settings.DOMAIN_NAME
MAIL_PROVIDER_SECONDS = 0.05


class MailProviderBackend(EmailBackend):
    """The memory backend, taking the time of a call to a mail provider's API (anymail in
    production): sending inside the request is what made a known address slow."""

    def send_messages(self, messages):
        time.sleep(MAIL_PROVIDER_SECONDS)
        return super().send_messages(messages)


@pytest.fixture
def mail_provider(settings):
    backend = f"{__name__}.MailProviderBackend"
    if django.VERSION >= (6, 1):  # EMAIL_BACKEND is deprecated there in favour of MAILERS
        settings.MAILERS = {"default": {"BACKEND": backend}}
    else:
        settings.EMAIL_BACKEND = backend


@pytest.fixture
def broker():
    """Tasks go to a broker, as they go to Redis in production, instead of running inline: the
    project's Celery app on Celery's in-memory broker. Yields a function that says how many
    tasks were sent."""
    sent: list[str] = []

    def record(sender: str, **kwargs: object) -> None:
        sent.append(sender)

    saved = app.conf.task_always_eager, app.conf.broker_url
    app.close()  # its connections, made for the broker of the settings, are not reused
    app.conf.task_always_eager, app.conf.broker_url = False, "memory://"
    after_task_publish.connect(record, weak=False)
    try:
        yield lambda: len(sent)
    finally:
        after_task_publish.disconnect(record)
        app.close()
        app.conf.task_always_eager, app.conf.broker_url = saved


def find(client, email: str, address: str = "198.51.100.7"):
    return client.post(
        "/find-my-workspace/", {"email": email}, headers={"host": WWW}, REMOTE_ADDR=address
    )


NETWORKS = {"known": "192.0.2.", "unknown": "198.51.100."}


def test_a_known_and_an_unknown_address_take_the_same_time(client, acme, mail_provider, broker):
    """50 pairs of requests, a known and an unknown address one right after the other (each from
    a client address of its own: under the limits, and alike for the rate limits' cache), which
    one first in turn: the median of the pairs' ratios, so that a busy moment of the machine falls
    on both requests of a pair alike."""
    with acme:
        for number in range(51):
            UserFactory(email=f"known{number}@example.com")
    find(client, "known50@example.com", "192.0.2.250")  # warm-up
    times: dict[str, list[float]] = {"known": [], "unknown": []}
    for number in range(50):
        for kind in ("known", "unknown") if number % 2 else ("unknown", "known"):
            start = time.perf_counter()
            response = find(client, f"{kind}{number}@example.com", NETWORKS[kind] + str(number))
            times[kind].append(time.perf_counter() - start)
            assert response.status_code == 200

    ratios = [k / u for k, u in zip(times["known"], times["unknown"], strict=True)]
    ratio = statistics.median(ratios)
    known, unknown = (statistics.median(times[kind]) * 1000 for kind in times)
    print(f"find my workspace: known {known:.1f} ms, unknown {unknown:.1f} ms (medians of 50)")
    print(f"known / unknown: {ratio:.2f} (median of 50 pairs)")
    assert 1 / 1.2 < ratio < 1.2, sorted(ratios)
    assert mail.outbox == []  # nothing is sent inside the request
    assert broker() == 101  # one task per request, known address or not


def test_one_address_gets_at_most_3_messages_an_hour(client, acme):
    with acme:
        UserFactory(email="ann@example.com")

    responses = [find(client, "ann@example.com", f"198.51.100.{n}") for n in range(1, 6)]
    unknown = [find(client, "bob@example.com", f"203.0.113.{n}") for n in range(1, 5)]

    assert [response.status_code for response in responses] == [200, 200, 200, 429, 429]
    assert "Too many requests" in responses[-1].content.decode()
    assert len(mail.outbox) == 3
    # An unknown address is limited the same way: the refusal tells nothing either.
    assert [response.status_code for response in unknown] == [200, 200, 200, 429]
    assert responses[-1].context["form"].errors == unknown[-1].context["form"].errors


def test_one_client_address_asks_at_most_10_times_an_hour(client):
    responses = [find(client, f"user{n}@example.com") for n in range(11)]
    other_client = find(client, "user11@example.com", "203.0.113.1")

    assert [response.status_code for response in responses] == [200] * 10 + [429]
    assert other_client.status_code == 200
