"""Web load test (issue 16): a demo event in PostgreSQL, served by gunicorn, loaded by wrk.

    .venv/bin/python -m benchmarks.web [--size demo|large] [--database-url URL] [--reset]
                                       [--duration S] [--workers N] [--json FILE]
                                       [--pages NAME,...]

Seeds the event into an empty PostgreSQL database (``--reset`` empties a used one), serves it
with ``gunicorn -w 4`` on 127.0.0.1 in the production configuration, and loads each page, then
``/healthz`` and a static file at the same rates, with wrk. Prints per page: req/s, p50, p95
and p99, the p95 over those of ``/healthz`` and the static file, the response size and the
targets met or not; then the RSS of every gunicorn worker. Needs Redis on 127.0.0.1:6379.

Load tool: wrk (Debian package ``wrk``), an event-loop HTTP load generator in C whose LuaJIT
hooks give what the targets need: ``delay()`` paces requests to a fixed rate and ``done()``
reads p50/p95/p99 from wrk's own latency histogram. ab only runs a closed loop and has no
p95; wrk2 (fixed rate built in), hey and oha are not Debian packages.

"Sustains R req/s": wrk sends request k of each thread at start + k/R (at once when behind,
so a slow server cannot slow the schedule down), over enough connections that each waits
about 200 ms between requests. The page sustains R when wrk completed at least 95% of the
scheduled requests, with no socket error and no 4xx/5xx, and the p95 meets its bound. The
latency counts from when wrk wrote the request (wrk2's coordinated-omission correction is
not available); a server that falls behind shows as a missed rate instead. A short
closed-loop run (8 connections, no pacing) then gives the most req/s the page served, and
"alone" is the median of 8 GETs one after another before the load (the page's own time).
Between runs the benchmark waits until /healthz answers within 200 ms, so requests wrk left
queued in gunicorn's backlog do not count against the next URL. gunicorn's sync workers
close each connection after the response; wrk reconnects, as a browser behind no proxy would.

Configuration: ``MATCHMAKING_CONFIG=production``, a random ``SECRET_KEY``, rate limits kept on
and counted in Redis (``redis://127.0.0.1:6379/0``) as in production, but with the API token
limit (``API_TOKEN_RATE_LIMIT``, 600 per minute by default) and the login limit
(``AUTH_RATE_LIMIT``) raised through ``create_app`` overrides in gunicorn's app string, so
that only the benchmark's own pacing bounds the load.
"""

from __future__ import annotations

import argparse
import http.client
import json
import math
import os
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from types import FrameType
from urllib.parse import urlencode

import psycopg

from matchmaking.services.demo import DEMO_COMPANY, DEMO_ORGANISER

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
DEFAULT_DATABASE = os.environ.get(
    "MATCHMAKING_BENCH_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/bench_web"
)
REDIS_URL = "redis://127.0.0.1:6379/0"
APP = (
    "matchmaking:create_app('production', API_TOKEN_RATE_LIMIT='1000000 per minute',"
    " AUTH_RATE_LIMIT='1000 per minute')"
)
REPORTER = ("reporter@bench.example", "bench-reporter-password")
STATIC_FILE = "/static/css/app.css"
LARGE_MISSING = "large event: not available (seed-demo --size large missing)"
SUSTAIN_SHARE = 0.95  # of the scheduled requests wrk must complete
MAX_CONNECTIONS = 8  # the closed-loop run
ALONE_REQUESTS = 8  # one after another before the load: the page's time without queueing
MEMORY_TARGET_MB = 300.0
SIZE_TARGET_KB = 200.0

# Paces each wrk thread to its share of the rate given as the script's first argument
# (0: no pacing) and prints wrk's figures as one JSON line.
PACE_LUA = r"""
local ffi = require("ffi")
ffi.cdef[[
typedef struct { long tv_sec; long tv_usec; } bench_timeval;
int gettimeofday(bench_timeval *tv, void *tz);
]]
local tv = ffi.new("bench_timeval")
local function now_ms()
  ffi.C.gettimeofday(tv, nil)
  return tonumber(tv.tv_sec) * 1000 + tonumber(tv.tv_usec) / 1000
end
local interval, next_at = 0, nil
function init(args)
  local rate, threads = tonumber(args[1]) or 0, tonumber(args[2]) or 1
  if rate > 0 then interval = 1000 * threads / rate end
end
function delay()
  if interval == 0 then return 0 end
  local now = now_ms()
  if next_at == nil then next_at = now end
  local at = next_at
  next_at = next_at + interval
  if at <= now then return 0 end
  return math.floor(at - now)
end
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'WRK_JSON {"requests": %d, "duration_us": %d, "bytes": %d, "connect": %d, "read": %d, ' ..
    '"write": %d, "status": %d, "timeout": %d, "p50_us": %d, "p95_us": %d, "p99_us": %d}\n',
    summary.requests, summary.duration, summary.bytes, e.connect, e.read, e.write, e.status,
    e.timeout, latency:percentile(50), latency:percentile(95), latency:percentile(99)))
end
"""


@dataclass(frozen=True, slots=True)
class Target:
    """What a page must do: sustain ``rate`` req/s with p95 under ``p95_ms``."""

    rate: float
    p95_ms: float
    healthz_ratio: float | None = None  # p95 at most this many times /healthz's
    max_kb: float | None = None


@dataclass(slots=True)
class Run:
    """wrk's figures for one URL at one rate (``rate`` 0: closed loop)."""

    rate: float
    requests: int
    per_second: float
    errors: int
    p50_ms: float
    p95_ms: float
    p99_ms: float

    @property
    def sustained(self) -> bool:
        return self.errors == 0 and self.per_second >= SUSTAIN_SHARE * self.rate


@dataclass(slots=True)
class Page:
    """One URL loaded as one role, with its figures and the targets it missed."""

    name: str
    path: str
    role: str
    target: Target | None = None
    status: int = 0
    kb: float = 0.0
    alone_ms: float | None = None
    paced: Run | None = None
    closed: Run | None = None
    healthz_ratio: float | None = None
    static_ratio: float | None = None
    missed: list[str] = field(default_factory=list)


class Client:
    """A bare HTTP client for set-up: keeps cookies (whatever their Secure flag), no redirects."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.cookies: dict[str, str] = {}

    def request(
        self, method: str, path: str, form: dict[str, str] | None = None
    ) -> tuple[int, bytes]:
        headers = {"Cookie": self.cookie_header()} if self.cookies else {}
        body = None
        if form is not None:
            body = urlencode(form).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            content = response.read()
            for value in response.headers.get_all("Set-Cookie") or []:
                name, _, rest = value.partition("=")
                self.cookies[name.strip()] = rest.split(";", 1)[0]
            return response.status, content
        finally:
            connection.close()

    def cookie_header(self) -> str:
        return "; ".join(f"{name}={value}" for name, value in self.cookies.items() if value)

    def login(self, email: str, password: str) -> None:
        """Log in through the form (CSRF token from /login); raise unless redirected."""
        _status, content = self.request("GET", "/login")
        token = re.search(rb'name="csrf_token" type="hidden" value="([^"]+)"', content)
        if token is None:
            raise RuntimeError("no CSRF token on /login")
        form = {"email": email, "password": password, "csrf_token": token.group(1).decode()}
        status, _content = self.request("POST", "/login", form)
        if status != 302:
            raise RuntimeError(f"login as {email} answered {status}")


def _environment(database_url: str, folder: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        MATCHMAKING_CONFIG="production",
        DATABASE_URL=database_url,
        SECRET_KEY=secrets.token_hex(32),
        RATELIMIT_STORAGE_URI=REDIS_URL,
        MAIL_OUTBOX_DIR=str(folder / "outbox"),
    )
    env.pop("MAIL_SERVER", None)
    return env


def _cli(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(
        [str(BIN / "matchmaking"), *args], env=env, cwd=ROOT, capture_output=True, text=True
    )
    if done.returncode != 0:
        raise RuntimeError(f"matchmaking {' '.join(args)}: {done.stderr.strip()}")
    return done.stdout


def _plain(url: str) -> str:
    return url.replace("postgresql+psycopg://", "postgresql://", 1)


def prepare_database(url: str, reset: bool) -> None:
    """Refuse a database that has tables unless ``reset``, which empties its public schema."""
    with psycopg.connect(_plain(url), autocommit=True) as connection:
        tables = connection.execute(
            "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'"
        ).fetchone()
        if tables and tables[0] and not reset:
            raise SystemExit(f"{url} has tables; pass --reset to empty it (everything is lost)")
        if reset:
            connection.execute("DROP SCHEMA public CASCADE")
            connection.execute("CREATE SCHEMA public")


def large_available(env: dict[str, str]) -> bool:
    return "--size" in _cli(env, "seed-demo", "--help")


def seed(env: dict[str, str], size: str) -> None:
    """Upgrade the schema, seed the event (with its schedule and outcomes), add a reporter."""
    _cli(env, "db", "upgrade")
    _cli(env, "seed-demo", "--force", *(["--size", "large"] if size == "large" else []))
    _cli(
        env, "create-user", "--email", REPORTER[0], "--name", "Benchmark Reporter",
        "--role", "reporter", "--password", REPORTER[1],
    )  # fmt: skip


def settle(url: str) -> None:
    """VACUUM ANALYZE the freshly seeded database, as a production one is long before its
    busy day: otherwise autovacuum starts on the new tables during the first measurements
    (seen: the agenda's p50 at 18 ms instead of 6 ms, and 60 ms alone, in one run of two)."""
    with psycopg.connect(_plain(url), autocommit=True) as connection:
        connection.execute("VACUUM ANALYZE")


def demo_event(url: str) -> tuple[str, int]:
    """The seeded event's slug and the number of its published schedule version."""
    with psycopg.connect(_plain(url)) as connection:
        row = connection.execute(
            "SELECT e.slug, v.number FROM events e JOIN schedule_versions v ON v.event_id = e.id"
            " WHERE e.is_demo AND v.status = 'published' ORDER BY e.id DESC LIMIT 1"
        ).fetchone()
    if row is None:
        raise RuntimeError("no demo event with a published schedule")
    return row[0], row[1]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Gunicorn:
    """gunicorn serving the app on a free port of 127.0.0.1; stopped on exit, also on Ctrl-C."""

    def __init__(self, env: dict[str, str], workers: int, folder: Path) -> None:
        self.port = _free_port()
        self.log = folder / "gunicorn.log"
        command = [str(BIN / "gunicorn"), "-w", str(workers), "-b", f"127.0.0.1:{self.port}", APP]
        with self.log.open("wb") as log:
            self.process = subprocess.Popen(
                command, env=env, cwd=ROOT, stdout=log, stderr=log, start_new_session=True
            )

    def wait_ready(self, seconds: float = 60.0) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                break
            try:
                if Client(self.port).request("GET", "/healthz")[0] == 200:
                    return
            except OSError:
                pass
            time.sleep(0.3)
        tail = self.log.read_text(errors="replace")[-2000:]
        raise RuntimeError(f"gunicorn did not become ready:\n{tail}")

    def worker_memory_mb(self) -> dict[int, float]:
        """VmRSS of each worker (the master's children), in MB."""
        pid = self.process.pid
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        memory = {}
        for child in children:
            status = Path(f"/proc/{child}/status").read_text()
            found = re.search(r"^VmRSS:\s+(\d+) kB", status, re.MULTILINE)
            if found:
                memory[int(child)] = int(found.group(1)) / 1024
        return memory

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()


def closed_seconds(seconds: int) -> int:
    return max(2, seconds // 2)


def wrk(url: str, header: str | None, rate: float, seconds: int, script: Path) -> Run:
    """Load ``url`` with wrk for ``seconds``, paced to ``rate`` req/s (0: closed loop)."""
    threads = 2
    connections = max(threads, math.ceil(rate / 5)) if rate else MAX_CONNECTIONS
    command = ["wrk", "-t", str(threads), "-c", str(connections), "-d", f"{seconds}s"]
    command += ["--timeout", "10s", "-s", str(script)]
    if header:
        command += ["-H", header]
    command += [url, "--", str(rate), str(threads)]
    done = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 60)
    line = next((x for x in done.stdout.splitlines() if x.startswith("WRK_JSON ")), None)
    if line is None:
        raise RuntimeError(f"wrk printed no figures: {done.stdout}{done.stderr}")
    figures = json.loads(line.removeprefix("WRK_JSON "))
    errors = sum(figures[k] for k in ("connect", "read", "write", "status", "timeout"))
    return Run(
        rate=rate,
        requests=figures["requests"],
        per_second=figures["requests"] / (figures["duration_us"] / 1e6),
        errors=errors,
        p50_ms=figures["p50_us"] / 1000,
        p95_ms=figures["p95_us"] / 1000,
        p99_ms=figures["p99_us"] / 1000,
    )


def pages_for(size: str, slug: str, version: int) -> list[Page]:
    """Every page of issue 16 with the role that loads it and its target for ``size``."""
    fast, page = Target(200, 50, healthz_ratio=5), Target(50, 200)
    if size == "large":
        fast = page = Target(20, 300, max_kb=SIZE_TARGET_KB)
    return [
        Page("company agenda", f"/company/events/{slug}/agenda", "company", fast),
        Page("totals API", f"/api/v1/events/{slug}/deals/totals", "reporter", fast),
        Page("directory", f"/events/{slug}/directory", "company", page),
        Page("company requests", f"/company/events/{slug}/requests", "company", page),
        Page("registrations", f"/organiser/events/{slug}/registrations", "organiser", page),
        Page("schedule grid", f"/organiser/events/{slug}/schedule/{version}", "organiser", page),
        Page("organiser console", "/organiser/", "organiser", page),
        Page("organiser requests", f"/organiser/events/{slug}/requests", "organiser", page),
        Page("outcomes", f"/deals/events/{slug}/outcomes", "organiser", page),
        Page("press page", f"/press/events/{slug}", "public", page),
    ]


def credentials(port: int) -> dict[str, str | None]:
    """The header each role sends: session cookies from the login form, a reporter API token."""
    headers: dict[str, str | None] = {"public": None}
    for role, (email, password) in (("organiser", DEMO_ORGANISER), ("company", DEMO_COMPANY)):
        client = Client(port)
        client.login(email, password)
        headers[role] = f"Cookie: {client.cookie_header()}"
    reporter = Client(port)
    reporter.login(*REPORTER)
    _status, content = reporter.request("GET", "/deals/tokens")
    csrf = re.search(rb'name="csrf_token" type="hidden" value="([^"]+)"', content)
    if csrf is None:
        raise RuntimeError("no CSRF token on /deals/tokens")
    form = {"name": "benchmark", "csrf_token": csrf.group(1).decode()}
    _status, content = reporter.request("POST", "/deals/tokens", form)
    token = re.search(rb'<code id="new-token">([^<]+)</code>', content)
    if token is None:
        raise RuntimeError("no API token shown after creating one")
    headers["reporter"] = f"Authorization: Bearer {token.group(1).decode()}"
    return headers


def _get(port: int, path: str, header: str | None) -> tuple[int, bytes, float]:
    """One GET sending ``header`` ("Name: value"): status, body and seconds taken."""
    headers = dict([header.split(": ", 1)]) if header else {}
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    try:
        start = time.perf_counter()
        connection.request("GET", path, headers=headers)
        response = connection.getresponse()
        content = response.read()
        return response.status, content, time.perf_counter() - start
    finally:
        connection.close()


def drain(port: int, seconds: float = 60.0) -> None:
    """Wait until /healthz answers quickly: requests wrk left queued in gunicorn are done."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and _get(port, "/healthz", None)[2] > 0.2:
        pass


def measure(
    page: Page, port: int, header: str | None, rate: float, seconds: int, script: Path
) -> None:
    """Fetch ``page`` alone (status, size, median time), then load it paced and closed-loop."""
    drain(port)
    times = []
    for _ in range(ALONE_REQUESTS):
        page.status, content, elapsed = _get(port, page.path, header)
        times.append(elapsed * 1000)
    page.kb = len(content) / 1024
    page.alone_ms = statistics.median(times)
    if page.status != 200:
        page.missed.append(f"answered {page.status}")
        return
    url = f"http://127.0.0.1:{port}{page.path}"
    page.paced = wrk(url, header, rate, seconds, script)
    drain(port)
    page.closed = wrk(url, header, 0, closed_seconds(seconds), script)


def judge(page: Page, healthz: Page, static: Page) -> None:
    """Fill the ratios to the references at the same rate and the targets the page missed."""
    run, target = page.paced, page.target
    if run is None or target is None:
        return
    if run.requests and healthz.paced and healthz.paced.p95_ms:
        page.healthz_ratio = run.p95_ms / healthz.paced.p95_ms
    if run.requests and static.paced and static.paced.p95_ms:
        page.static_ratio = run.p95_ms / static.paced.p95_ms
    if run.requests == 0:
        page.missed.append("no request completed")
        return
    if not run.sustained:
        page.missed.append(f"{run.per_second:.0f} of {target.rate:.0f} req/s, {run.errors} errors")
    if run.p95_ms >= target.p95_ms:
        page.missed.append(f"p95 {run.p95_ms:.0f} >= {target.p95_ms:.0f} ms")
    if target.healthz_ratio and (page.healthz_ratio or 0) > target.healthz_ratio:
        page.missed.append(f"p95 {page.healthz_ratio:.1f}x /healthz > {target.healthz_ratio:g}x")
    if target.max_kb and page.kb > target.max_kb:
        page.missed.append(f"{page.kb:.0f} KB > {target.max_kb:.0f} KB")


def _ms(value: float | None, digits: int = 1) -> str:
    return "—" if value is None else f"{value:.{digits}f}"


def print_table(rate: float, rows: list[Page]) -> None:
    print(
        f"\n{'page':20} {'target':>7} {'alone':>6} {'req/s':>6} {'max/s':>6} {'p50':>6} {'p95':>6} "
        f"{'p99':>6} {'xhealth':>7} {'xstatic':>7} {'KB':>6}  result"
    )
    for page in rows:
        paced, closed = page.paced, page.closed
        rates = [run.per_second if run else None for run in (paced, closed)]
        latencies: tuple[float | None, ...] = (None, None, None)
        if paced:
            latencies = (paced.p50_ms, paced.p95_ms, paced.p99_ms)
        target = f"{page.target.rate:.0f}/s" if page.target else f"{rate:.0f}/s"
        result = "" if page.target is None else ("met" if not page.missed else "not met")
        if page.missed:
            result = f"{result}: {'; '.join(page.missed)}".lstrip(": ")
        print(
            f"{page.name:20} {target:>7} {_ms(page.alone_ms):>6} "
            f"{_ms(rates[0], 0):>6} {_ms(rates[1], 0):>6} "
            + "".join(f"{_ms(ms):>6} " for ms in latencies)
            + f"{_ms(page.healthz_ratio):>7} {_ms(page.static_ratio):>7} {page.kb:>6.1f}  {result}"
        )


def run_benchmark(args: argparse.Namespace, folder: Path) -> dict[str, object]:
    """Seed, serve and load; returns the figures written by --json."""
    env = _environment(args.database_url, folder)
    size = args.size
    if size == "large" and not large_available(env):
        print(LARGE_MISSING)
        size = "demo"
    prepare_database(args.database_url, args.reset)
    print(f"seeding the {size} event into {args.database_url} ...", flush=True)
    seed(env, size)
    settle(args.database_url)
    slug, version = demo_event(args.database_url)
    script = folder / "pace.lua"
    script.write_text(PACE_LUA)
    load_before = os.getloadavg()[0]
    server = Gunicorn(env, args.workers, folder)
    try:
        server.wait_ready()
        headers = credentials(server.port)
        pages = pages_for(size, slug, version)
        if args.pages:
            wanted = [name.strip().lower() for name in args.pages.split(",") if name.strip()]
            pages = [p for p in pages if any(w in p.name.lower() for w in wanted)]
        references: dict[float, tuple[Page, Page]] = {}
        for rate in sorted({p.target.rate for p in pages if p.target}, reverse=True):
            healthz = Page("/healthz", "/healthz", "public")
            static = Page("static file", STATIC_FILE, "public")
            for reference in (healthz, static):
                print(f"loading {reference.name} at {rate:g} req/s ...", flush=True)
                measure(reference, server.port, None, rate, args.duration, script)
            references[rate] = healthz, static
        for page in pages:
            print(f"loading {page.name} ...", flush=True)
            rate = page.target.rate if page.target else 0.0
            measure(page, server.port, headers[page.role], rate, args.duration, script)
        memory = server.worker_memory_mb()
    finally:
        server.stop()
    load = (load_before, os.getloadavg()[0])
    print(
        f"\n{size} event, gunicorn {args.workers} sync workers, wrk 2 threads, "
        f"{args.duration} s paced + {closed_seconds(args.duration)} s closed loop per URL; "
        f"times in ms; load average {load[0]:.1f} before, {load[1]:.1f} after "
        f"on {os.cpu_count()} CPUs (wrk, gunicorn and PostgreSQL share them)"
    )
    for rate, (healthz, static) in references.items():
        group = [p for p in pages if p.target and p.target.rate == rate]
        for page in group:
            judge(page, healthz, static)
        print_table(rate, [healthz, static, *group])
    heaviest = max(memory.values(), default=0.0)
    memory_met = heaviest < MEMORY_TARGET_MB
    print(
        "\ngunicorn worker RSS after the run: "
        + ", ".join(f"{mb:.0f} MB" for mb in memory.values())
        + f" (target < {MEMORY_TARGET_MB:.0f} MB on 4,000 companies: "
        + ("met" if memory_met else "not met")
        + ")"
    )
    met = sum(not p.missed for p in pages)
    print(f"pages meeting every target: {met} of {len(pages)}")
    return {
        "size": size,
        "workers": args.workers,
        "duration_s": args.duration,
        "load_average": load,
        "references": {
            str(rate): {"healthz": asdict(h), "static": asdict(s)}
            for rate, (h, s) in references.items()
        },
        "pages": [asdict(p) | {"met": not p.missed} for p in pages],
        "worker_rss_mb": list(memory.values()),
        "memory_met": memory_met,
    }


def _interrupted(signum: int, _frame: FrameType | None) -> None:
    raise KeyboardInterrupt(f"signal {signum}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", choices=("demo", "large"), default="demo")
    parser.add_argument("--database-url", default=DEFAULT_DATABASE, help="a PostgreSQL database")
    parser.add_argument("--reset", action="store_true", help="empty the database first")
    parser.add_argument("--duration", type=int, default=6, help="seconds of paced load")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    parser.add_argument(
        "--pages", help="load only the pages whose name contains one of these (comma-separated)"
    )
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("wrk not found: apt-get install -y wrk")
    for signum in (signal.SIGINT, signal.SIGTERM):  # SIGINT too: a background job ignores it
        signal.signal(signum, _interrupted)
    with tempfile.TemporaryDirectory(prefix="bench-web-") as folder:
        try:
            figures = run_benchmark(args, Path(folder))
        except KeyboardInterrupt:
            raise SystemExit(130) from None
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2, default=str))


if __name__ == "__main__":
    main()
