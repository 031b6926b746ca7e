"""Rate limits on a shared store (in memory and on the real Redis server), keyed by client address.

The client address is the connecting peer's, or with ``TRUSTED_PROXIES = n`` the one the n-th
proxy from us reports in X-Forwarded-For; a header the client writes itself never counts.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest
import redis
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.engine import Connection

from matchmaking import create_app
from matchmaking.extensions import limiter
from tests.conftest import get_csrf

REDIS_URL = os.environ.get("MATCHMAKING_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
LIMIT = "3 per minute"


def _redis_or_skip() -> redis.Redis:
    """A client of the test Redis server; skipped when none answers, except in CI."""
    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2)
    try:
        client.ping()
    except redis.ConnectionError as exc:
        if os.environ.get("CI"):
            pytest.fail(f"no Redis server at {REDIS_URL}: {exc}", pytrace=False)
        pytest.skip(f"no Redis server at {REDIS_URL}")
    return client


@dataclass
class Storage:
    """Where the limiter counts, and (for Redis) the keys it wrote under this test's prefix."""

    name: str
    keys: Callable[[], list[bytes]] = list


@pytest.fixture(params=["memory", "redis"])
def storage(
    request: pytest.FixtureRequest, app: Flask, connection: Connection
) -> Iterator[Storage]:
    """The session app's limiter on the named storage, under a key prefix unique to this test."""
    if request.param == "memory":
        yield Storage("memory")
        return
    server = _redis_or_skip()
    prefix = f"matchmaking-test-{uuid.uuid4().hex}"
    saved_uri = app.config["RATELIMIT_STORAGE_URI"]
    app.config["RATELIMIT_STORAGE_URI"] = REDIS_URL
    app.config["RATELIMIT_STORAGE_OPTIONS"] = {"key_prefix": prefix}
    limiter.init_app(app)  # the same app again: swaps the storage, adds no second hook
    try:
        yield Storage("redis", keys=lambda: server.keys(f"{prefix}:*"))
    finally:
        limiter.reset()  # deletes this prefix's keys only
        leftover = server.keys(f"{prefix}:*")
        app.config["RATELIMIT_STORAGE_URI"] = saved_uri
        del app.config["RATELIMIT_STORAGE_OPTIONS"]
        limiter.init_app(app)
        server.close()
    assert leftover == [], "the test left keys in Redis"


def _login_status(client: FlaskClient, **headers: str) -> int:
    token = get_csrf(client, "/login")
    data = {"email": "nobody@example.kz", "password": "wrong-password-1", "csrf_token": token}
    return client.post("/login", data=data, headers=headers).status_code


def test_login_limit_holds_on_each_storage(app: Flask, client: FlaskClient, storage: Storage):
    app.config["AUTH_RATE_LIMIT"] = LIMIT
    try:
        codes = [_login_status(client) for _ in range(4)]
        other_client = app.test_client()
        other_client.environ_base["REMOTE_ADDR"] = "198.51.100.20"
        other = _login_status(other_client)
    finally:
        app.config["AUTH_RATE_LIMIT"] = "1000 per minute"
    assert codes == [422, 422, 422, 429]
    assert other == 422  # another address has its own allowance
    if storage.name == "redis":
        assert storage.keys(), "the limiter counted somewhere else than in Redis"


def _app_behind(app: Flask, proxies: int) -> Flask:
    """An app on the test database trusting ``proxies`` proxies in front of it."""
    return create_app(
        "testing",
        SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"],
        MAIL_OUTBOX_DIR=app.config["MAIL_OUTBOX_DIR"],
        AUTH_RATE_LIMIT=LIMIT,
        TRUSTED_PROXIES=proxies,
    )


def _statuses(app: Flask, forwarded_for: list[str]) -> list[int]:
    """Login statuses of requests from one proxy at 127.0.0.2, one X-Forwarded-For each."""
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = "127.0.0.2"
    return [_login_status(client, **{"X-Forwarded-For": value}) for value in forwarded_for]


@pytest.fixture
def restore_limiter(app: Flask) -> Iterator[None]:
    """Other apps re-initialise the shared limiter; give it back to the session app."""
    yield
    limiter.init_app(app)


def test_forwarded_for_is_ignored_without_trusted_proxies(
    app: Flask, connection: Connection, restore_limiter: None
):
    direct = _app_behind(app, 0)
    forged = [f"203.0.113.{i}" for i in range(1, 5)]
    assert _statuses(direct, forged) == [422, 422, 422, 429]


def test_forwarded_for_names_the_client_behind_one_trusted_proxy(
    app: Flask, connection: Connection, restore_limiter: None
):
    proxied = _app_behind(app, 1)
    distinct = [f"203.0.113.{i}" for i in range(1, 5)]
    assert _statuses(proxied, distinct) == [422, 422, 422, 422]
    # A client that writes its own X-Forwarded-For: the proxy appends the real address.
    forged = [f"192.0.2.{i}, 198.51.100.7" for i in range(1, 5)]
    assert _statuses(proxied, forged) == [422, 422, 422, 429]


@pytest.mark.parametrize("value", ["-1", "two", "1.5"])
def test_trusted_proxies_must_be_a_whole_number(value: str, restore_limiter: None):
    with pytest.raises(RuntimeError, match="TRUSTED_PROXIES"):
        create_app("testing", SQLALCHEMY_DATABASE_URI="sqlite://", TRUSTED_PROXIES=value)
