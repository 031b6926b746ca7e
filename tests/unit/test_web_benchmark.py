"""benchmarks.web: how "sustains a rate" is judged, and wrk paced by its Lua script."""

from __future__ import annotations

import shutil
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from benchmarks.web import PACE_LUA, Page, Run, Target, judge, wrk


def _run(rate: float, per_second: float, p95_ms: float, errors: int = 0) -> Run:
    return Run(rate, int(per_second * 6), per_second, errors, p95_ms / 2, p95_ms, p95_ms * 1.5)


def _judged(run: Run, target: Target, kb: float = 10.0) -> Page:
    healthz = Page("/healthz", "/healthz", "public", paced=_run(run.rate, run.rate, 4.0))
    static = Page("static file", "/static/css/app.css", "public", paced=_run(run.rate, 200, 2.0))
    page = Page("company agenda", "/agenda", "company", target, status=200, kb=kb, paced=run)
    judge(page, healthz, static)
    return page


def test_a_page_within_rate_p95_and_ratio_meets_its_target() -> None:
    page = _judged(_run(200, 198, 18.0), Target(200, 50, healthz_ratio=5))
    assert page.missed == []
    assert page.healthz_ratio == pytest.approx(4.5)
    assert page.static_ratio == pytest.approx(9.0)


@pytest.mark.parametrize(
    ("run", "target", "kb", "missed"),
    [
        (_run(200, 150, 10.0), Target(200, 50), 10.0, "150 of 200 req/s, 0 errors"),
        (_run(200, 200, 10.0, errors=3), Target(200, 50), 10.0, "200 of 200 req/s, 3 errors"),
        (_run(50, 50, 250.0), Target(50, 200), 10.0, "p95 250 >= 200 ms"),
        (_run(200, 200, 30.0), Target(200, 50, healthz_ratio=5), 10.0, "p95 7.5x /healthz > 5x"),
        (_run(20, 20, 100.0), Target(20, 300, max_kb=200), 250.0, "250 KB > 200 KB"),
        (_run(50, 0, 0.0), Target(50, 200), 10.0, "no request completed"),
    ],
    ids=["rate-not-sustained", "errors", "slow-p95", "over-healthz-ratio", "too-large", "none"],
)
def test_a_page_missing_a_target_names_it(run: Run, target: Target, kb: float, missed: str) -> None:
    assert _judged(run, target, kb).missed == [missed]


class _Ok(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, format: str, *args: object) -> None:
        pass


class _QuietServer(ThreadingHTTPServer):
    def handle_error(self, request: object, client_address: object) -> None:
        pass  # wrk drops its connections when its time is up


@pytest.fixture
def server() -> Iterator[str]:
    httpd = _QuietServer(("127.0.0.1", 0), _Ok)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/"
    httpd.shutdown()
    httpd.server_close()


@pytest.mark.skipif(shutil.which("wrk") is None, reason="wrk is not installed")
def test_wrk_sends_the_paced_rate_not_as_many_as_it_can(server: str, tmp_path: Path) -> None:
    script = tmp_path / "pace.lua"
    script.write_text(PACE_LUA)
    paced = wrk(server, None, 40, 2, script)
    closed = wrk(server, None, 0, 1, script)
    assert paced.errors == 0
    assert 34 <= paced.per_second <= 46
    assert closed.per_second > 4 * paced.per_second
    assert 0 < paced.p50_ms <= paced.p95_ms <= paced.p99_ms
