"""Production counts rate limits in a store shared by all workers, named by the environment."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator

import pytest

from matchmaking import PROJECT_ROOT, create_app
from matchmaking.extensions import limiter

REDIS_URL = "redis://127.0.0.1:6379/0"


@pytest.fixture(autouse=True)
def _limiter_back_to_testing() -> Iterator[None]:
    """Each app re-initialises the shared limiter; leave it on a testing app's memory store."""
    yield
    create_app("testing", SQLALCHEMY_DATABASE_URI="sqlite://")
    assert type(limiter.storage).__name__ == "MemoryStorage"


@pytest.mark.parametrize("uri", [None, "", "memory://"], ids=["unset", "empty", "memory"])
def test_production_refuses_a_per_worker_rate_limit_store(uri: str | None):
    with pytest.raises(RuntimeError, match="RATELIMIT_STORAGE_URI"):
        create_app(
            "production",
            SQLALCHEMY_DATABASE_URI="sqlite://",
            SECRET_KEY="s" * 32,
            RATELIMIT_STORAGE_URI=uri,
        )


def _start_production(**env: str) -> subprocess.CompletedProcess[str]:
    """Build the production app in a fresh interpreter that sees only ``env`` besides PATH."""
    environment = {"PATH": os.environ.get("PATH", ""), "MATCHMAKING_CONFIG": "production"}
    environment.update(env)
    return subprocess.run(
        [sys.executable, "-c", "from matchmaking import create_app; create_app()"],
        cwd=PROJECT_ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_production_reads_the_rate_limit_store_from_the_environment():
    settings = {"DATABASE_URL": "sqlite://", "SECRET_KEY": "s" * 32}
    refused = _start_production(**settings)
    assert refused.returncode != 0
    assert "RuntimeError: RATELIMIT_STORAGE_URI must be set in production" in refused.stderr
    started = _start_production(**settings, RATELIMIT_STORAGE_URI=REDIS_URL)
    assert started.returncode == 0, started.stderr


def test_production_uses_the_configured_store():
    create_app(
        "production",
        SQLALCHEMY_DATABASE_URI="sqlite://",
        SECRET_KEY="s" * 32,
        RATELIMIT_STORAGE_URI=REDIS_URL,
    )
    assert type(limiter.storage).__name__ == "RedisStorage"
