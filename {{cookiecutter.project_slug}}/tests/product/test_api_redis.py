"""The API's rate limits in a real Redis (the production cache), under concurrent requests to a
live server: the counters are atomic, carry the workspace's schema, and reset with their window;
the plan's limit a day holds as well.

Starts redis-server (Debian's package) on a free port; skipped only when it is not installed.
"""

import json
import math
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlsplit

import pytest
import redis
from django.conf import settings as django_settings

from pgschemas.routing.host_map import host_map
from shared_app.models import Client, Plan
from tenant_app.api.keys import create_key
from tenant_app.models import ApiKey

from ..conftest import host

REDIS_SERVER = shutil.which("redis-server") or ""
pytestmark = [
    pytest.mark.processes,
    pytest.mark.skipif(not REDIS_SERVER, reason="no redis-server: apt-get install redis-server"),
]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def redis_url() -> Iterator[str]:
    port = free_port()
    with tempfile.TemporaryDirectory() as folder:
        server = subprocess.Popen(
            [
                REDIS_SERVER,
                "--port",
                str(port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--dir",
                folder,
            ],
            stdout=subprocess.DEVNULL,
        )
        url = f"redis://127.0.0.1:{port}/0"
        try:
            deadline = time.monotonic() + 10
            while True:
                try:
                    redis.Redis.from_url(url).ping()
                    break
                except redis.ConnectionError:
                    if time.monotonic() > deadline:
                        raise
                    time.sleep(0.05)
            yield url
        finally:
            server.terminate()
            server.wait(timeout=10)


@pytest.fixture
def acme_key(committed_db) -> Iterator[str]:
    """A write key of acme, committed for the live server; removed with its usage after."""
    acme = Client.objects.get(schema_name="acme")
    with acme:
        key = create_key(acme, ApiKey(name="Redis test", scope="write"))
    yield key
    with acme:
        ApiKey.objects.filter(name="Redis test").delete()


@pytest.fixture
def api(live_server_url, redis_url, settings):
    """The live server with the project's Redis cache, and ``api(key)``: GET acme's projects."""
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": redis_url,
            "KEY_FUNCTION": "pgschemas.contrib.cache.make_key",
        }
    }

    def get(key: str) -> tuple[int, dict[str, str]]:
        request = urllib.request.Request(
            f"{live_server_url}/api/v1/projects/",
            headers={
                "Host": f"{host('acme')}:{urlsplit(live_server_url).port}",
                "Authorization": f"Bearer {key}",
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                json.loads(response.read())
                return response.status, dict(response.headers)
        except urllib.error.HTTPError as error:
            return error.code, dict(error.headers)

    return get


def set_rates(settings, **changed: str) -> None:
    rest = django_settings.REST_FRAMEWORK
    merged = {**rest["DEFAULT_THROTTLE_RATES"], **changed}
    settings.REST_FRAMEWORK = {**rest, "DEFAULT_THROTTLE_RATES": merged}


def test_concurrent_requests_never_pass_the_limit(api, acme_key, redis_url, settings):
    set_rates(settings, api_key="5/m")

    with ThreadPoolExecutor(max_workers=8) as pool:
        answers = list(pool.map(lambda _: api(acme_key), range(12)))

    statuses = sorted(status for status, _ in answers)
    assert statuses == [200] * 5 + [429] * 7
    assert all(1 <= int(h["Retry-After"]) <= 60 for status, h in answers if status == 429)
    counters = redis.Redis.from_url(redis_url).keys("acme:*api-rate:api_key:acme.*")
    assert len(counters) == 1  # one counter, under the workspace's schema


def test_a_limit_resets_with_its_window_in_redis(api, acme_key, settings):
    set_rates(settings, api_key="3/s")
    time.sleep(math.ceil(time.time()) - time.time() + 0.01)  # at the start of a second
    answers = [api(acme_key) for _ in range(4)]

    time.sleep(int(answers[3][1]["Retry-After"]))

    assert [status for status, _ in answers] == [200, 200, 200, 429]
    assert [h["X-RateLimit-Remaining"] for _, h in answers[:3]] == ["2", "1", "0"]
    assert api(acme_key)[0] == 200


@pytest.fixture
def five_a_day(committed_db) -> Iterator[None]:
    """acme on a committed plan of five API requests a day; back on its plan after."""
    acme = Client.objects.get(schema_name="acme")
    former = acme.plan
    acme.plan = Plan.objects.create(slug="five-a-day", name="Five", max_api_requests_per_day=5)
    acme.save()
    host_map().expire()
    yield
    acme.plan = former
    acme.save()
    Plan.objects.filter(slug="five-a-day").delete()


def test_concurrent_requests_never_pass_the_plan_s_limit_a_day(
    api, acme_key, five_a_day, redis_url
):
    started = time.time()
    with ThreadPoolExecutor(max_workers=8) as pool:
        answers = list(pool.map(lambda _: api(acme_key), range(12)))

    assert sorted(status for status, _ in answers) == [200] * 5 + [429] * 7
    midnight = (int(started) // 86400 + 1) * 86400
    refused = [headers for status, headers in answers if status == 429]
    assert all(h["X-RateLimit-Reset"] == str(midnight) for h in refused)
    # Until midnight, counted from when each answer was made (after ``started``).
    assert all(1 <= int(h["Retry-After"]) <= midnight - started + 1 for h in refused)
    counters = redis.Redis.from_url(redis_url).keys("acme:*api-rate:plan_day:acme:*")
    assert len(counters) == 1
