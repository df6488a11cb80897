"""Run the benchmark: ``python -m bench [--db sqlite|postgres] [--scale 1.0] [--only members] [--reuse]``.

Every page is driven by ``wrk -t2 -c16 -d10s`` against ``gunicorn -w 2 -k sync``; a minimal Flask hello world
(``bench/hello.py``) is served the same way in the same run, measured before and after the pages: its better figure
is the ceiling every page's requests per second are divided by."""

from __future__ import annotations

import argparse
import hashlib
import importlib
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import sqlalchemy as sa

from bench import BenchPage

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench-results"
DOMAINS = sorted(p.stem for p in (ROOT / "bench").glob("*.py") if not p.stem.startswith("_") and p.stem != "hello")
WRK = ("-t2", "-c16")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def scratch_database(kind: str) -> str:
    RESULTS.mkdir(exist_ok=True)
    if kind == "sqlite":
        path = RESULTS / "bench.db"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        return f"sqlite:///{path}"
    base = os.environ.get("BENCH_DATABASE_URL") or os.environ.get("DATABASE_URL") \
        or "postgresql://postgres@127.0.0.1:5432/postgres"
    from club.config import normalise_database_url

    url = sa.engine.make_url(normalise_database_url(base))
    name = "club_bench_" + hashlib.sha1(str(ROOT).encode()).hexdigest()[:6]  # one per checkout
    admin = sa.create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    admin.dispose()
    return url.set(database=name).render_as_string(hide_password=False)


def sync_sequences(db) -> None:
    """Bulk loads may insert explicit ids: move each PostgreSQL sequence past them for the next module."""
    if db.engine.dialect.name != "postgresql":
        return
    with db.engine.begin() as conn:
        for table in db.metadata.sorted_tables:
            if "id" in table.c and table.c.id.autoincrement in (True, "auto") and table.c.id.primary_key:
                conn.exec_driver_sql(
                    f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "  # noqa: S608
                    f"GREATEST((SELECT MAX(id) FROM {table.name}), 1))")


def seed(database_url: str, scale: float, domains: list[str], *, load: bool = True) -> list[BenchPage]:
    """Migrates the database, loads the demo world and each domain's volume (unless ``load`` is false: a database
    seeded by an earlier run), then returns every domain's pages."""
    os.environ["DATABASE_URL"] = database_url
    from club import create_app
    from club.demo import load_demo
    from club.extensions import db

    app = create_app({"SQLALCHEMY_DATABASE_URI": __import__("club.config").config.normalise_database_url(database_url),
                      "MAIL_CONSOLE": True})
    pages: list[BenchPage] = []
    with app.app_context():
        from flask_migrate import upgrade

        def revision() -> str | None:
            with db.engine.connect() as conn:
                return conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalar() \
                    if sa.inspect(conn).has_table("alembic_version") else None

        before = revision()
        upgrade()
        migrated = not load and revision() != before
        for domain in domains if load else ():
            if domain == domains[0]:
                load_demo()
                db.session.commit()
            module = importlib.import_module(f"bench.{domain}")
            started = time.perf_counter()
            module.seed(scale)
            db.session.commit()
            sync_sequences(db)
            print(f"seeded {domain} in {time.perf_counter() - started:.1f}s", flush=True)
        if load or migrated:  # a seeded database a new migration changed gets its statistics refreshed too
            # What autovacuum does shortly after a bulk load, for every table: statistics for the planner and, on
            # PostgreSQL, the visibility map that lets a count read an index alone (a live database is vacuumed).
            postgres = db.engine.dialect.name == "postgresql"
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.exec_driver_sql("VACUUM ANALYZE" if postgres else "ANALYZE")
        for domain in domains:
            pages.extend(importlib.import_module(f"bench.{domain}").pages())
        db.session.remove()
        db.engine.dispose()
    return pages


class Server:
    """``gunicorn -w 2 -k sync`` serving ``app`` (Club's ``wsgi:app`` or the hello world) on a free port."""

    def __init__(self, app: str, env: dict | None = None, workers: int = 2):
        self.port = free_port()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-w", str(workers), "-k", "sync", "-b", f"127.0.0.1:{self.port}",
             # A page slower than 30 s is a failure: its worker is restarted rather than left to block the next page.
             "--timeout", "30", "--log-level", "warning", app],
            cwd=ROOT, env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1", **(env or {})}, start_new_session=True,
        )
        self.base = f"http://127.0.0.1:{self.port}"
        deadline = time.time() + 60
        while time.time() < deadline:
            try:
                urllib.request.urlopen(self.base + "/", timeout=2).read()
                return
            except urllib.error.HTTPError:  # an answer, whatever its status: the server is up
                return
            except OSError:  # refused, reset, or a read timeout while gunicorn boots on a busy machine
                time.sleep(0.3)
        self.stop()
        raise RuntimeError(f"gunicorn did not start {app}")

    def stop(self):
        try:
            os.killpg(self.process.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
        self.process.wait(timeout=20)


def club_server(database_url: str) -> Server:
    os.environ.pop("MAIL_SERVER", None)  # no mail is sent while pages are read
    return Server("wsgi:app", {"DATABASE_URL": database_url, "SECRET_KEY": "bench-secret", "CLUB_ENV": "development"})


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def login(base: str, email: str, password: str = "club-demo") -> str:
    """Sign in through the real form; returns the session cookie header."""
    opener = urllib.request.build_opener(NoRedirect)
    response = opener.open(base + "/auth/login", timeout=30)
    cookie = response.headers.get("Set-Cookie", "").split(";", 1)[0]
    html = response.read().decode()
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html) or \
        re.search(r'name="csrf_token" value="([^"]+)"', html)
    data = urllib.parse.urlencode({"csrf_token": token.group(1), "email": email, "password": password}).encode()
    request = urllib.request.Request(base + "/auth/login", data=data, headers={"Cookie": cookie})
    try:
        opener.open(request, timeout=30)
    except urllib.error.HTTPError as exc:
        if exc.code not in (302, 303):
            raise
        return exc.headers.get("Set-Cookie", "").split(";", 1)[0]
    raise RuntimeError(f"login of {email} failed")


def fetch(url: str, cookie: str | None) -> tuple[int, int]:
    """One request, as a browser would make it: its status and the size of its body."""
    request = urllib.request.Request(url, headers={"Cookie": cookie} if cookie else {})
    try:
        with urllib.request.build_opener(NoRedirect).open(request, timeout=60) as response:
            return response.status, len(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, len(exc.read())


UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


def milliseconds(text: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()
    return float(number) * UNITS[unit]


def wrk(url: str, cookie: str | None, duration: int) -> dict:
    """``wrk -t2 -c16 -d<duration>s --latency``: requests per second, median and 99th percentile, bad answers."""
    command = ["wrk", *WRK, f"-d{duration}s", "--latency", "--timeout", "60s", url]
    if cookie:
        command[1:1] = ["-H", f"Cookie: {cookie}"]
    out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    latency = dict(re.findall(r"^\s+(50|99)%\s+(\S+)\s*$", out, re.M))  # "1.20s " ends with a space
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    socket_errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
        "median_ms": milliseconds(latency["50"]) if "50" in latency else float("nan"),
        "p99_ms": milliseconds(latency["99"]) if "99" in latency else float("nan"),
        "requests": int(re.search(r"(\d+) requests in", out).group(1)),
        "errors": (int(bad.group(1)) if bad else 0) + (sum(map(int, socket_errors.groups())) if socket_errors else 0),
    }


def measure(base: str, path: str, cookie: str | None, duration: int) -> dict:
    try:
        status, size = fetch(base + path, cookie)
    except OSError:  # a page slower than the timeout: reported, the others measured
        status, size = "timeout", 0
    if status != 200:
        return {"rps": 0.0, "median_ms": float("nan"), "p99_ms": float("nan"), "requests": 0, "errors": 1,
                "status": status, "bytes": size}
    wrk(base + path, cookie, 1)  # warm up: both workers have answered this page before it is measured
    return {**wrk(base + path, cookie, duration), "status": status, "bytes": size}


def ensure_wrk() -> None:
    if shutil.which("wrk"):
        return
    sudo = [] if os.geteuid() == 0 else ["sudo"]
    subprocess.run([*sudo, "apt-get", "install", "-y", "-q", "wrk"], check=True,
                   env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"})


SEEDED = "seeded-{db}.json"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--db", choices=("sqlite", "postgres"), default=os.environ.get("BENCH_DB", "sqlite"))
    parser.add_argument("--scale", type=float, default=float(os.environ.get("BENCH_SCALE", "1.0")))
    parser.add_argument("--only", action="append", choices=DOMAINS)
    parser.add_argument("--duration", type=int, default=10, help="seconds of wrk per page (default 10)")
    parser.add_argument("--runs", type=int, default=1, choices=range(1, 6), metavar="N",
                        help="measure every page N times, each run with its own hello ceiling (default 1)")
    parser.add_argument("--reuse", action="store_true",
                        help="measure the database the last run seeded with the same scale and domains")
    parser.add_argument("--match", action="append", help="measure only the pages whose name holds this text "
                        "(repeated: any of them)")
    args = parser.parse_args(argv)
    ensure_wrk()
    domains = args.only or DOMAINS
    marker = RESULTS / SEEDED.format(db=args.db)
    seeded = json.loads(marker.read_text()) if args.reuse and marker.exists() else None
    if seeded and seeded["scale"] == args.scale and seeded["domains"] == domains:
        database_url = seeded["url"]
        print(f"database: {args.db} as the last run seeded it (scale {args.scale})", flush=True)
        pages = seed(database_url, args.scale, domains, load=False)
    else:
        marker.unlink(missing_ok=True)
        database_url = scratch_database(args.db)
        print(f"database: {args.db}, scale {args.scale}, domains: {', '.join(domains) or 'none'}", flush=True)
        pages = seed(database_url, args.scale, domains)
        marker.write_text(json.dumps({"scale": args.scale, "domains": domains, "url": database_url}))
    pages.insert(0, BenchPage("healthz, signed in", "/healthz", target=2))
    pages.insert(1, BenchPage("healthz", "/healthz", login=None, target=2))
    if args.match:
        pages = [page for page in pages if any(text in page.name for text in args.match)]
    hello, club = Server("bench.hello:app"), club_server(database_url)
    runs = []
    try:
        cookies: dict[str, str] = {}
        for number in range(1, args.runs + 1):
            if args.runs > 1:
                print(f"run {number} of {args.runs}", flush=True)
            runs.append(measure_pages(pages, hello, club, cookies, args.duration))
    finally:
        hello.stop()
        club.stop()
    return report(args, pages, runs)


def measure_pages(pages: list[BenchPage], hello: Server, club: Server, cookies: dict, duration: int) -> dict:
    """One run: hello, every page, hello again. Its ceiling is the better of the two hello figures."""
    ceiling = [wrk(hello.base + "/", None, duration)]
    print(f"hello world: {ceiling[0]['rps']:.0f} req/s", flush=True)
    results = []
    for page in pages:
        if page.login and page.login not in cookies:
            cookies[page.login] = login(club.base, page.login)
        result = measure(club.base, page.path, cookies.get(page.login) if page.login else None, duration)
        print(f"measured {page.name}: {result['rps']:.0f} req/s, median {result['median_ms']:.1f} ms, "
              f"p99 {result['p99_ms']:.1f} ms" + ("" if result["status"] == 200 else f" (HTTP {result['status']})"),
              flush=True)
        results.append(result)
    ceiling.append(wrk(hello.base + "/", None, duration))
    print(f"hello world again: {ceiling[1]['rps']:.0f} req/s", flush=True)
    return {"ceiling": ceiling, "best": max(c["rps"] for c in ceiling), "results": results}


def shown(ratio: float) -> str:
    return f"1/{1 / ratio:.0f}" if 0 < ratio < 0.5 else f"{ratio:.2f}"


def report(args, pages: list[BenchPage], runs: list[dict]) -> int:
    """The table: the first run's figures, each run's ratio to its own ceiling, the target and the verdict (a page
    meets its target when every run does). Written to ``bench-results/bench-<db>.json`` too."""
    print()
    print(f"wrk {' '.join(WRK)} -d{args.duration}s, gunicorn -w 2 -k sync, {args.db}, scale {args.scale}")
    for number, run in enumerate(runs, 1):
        before, after = (c["rps"] for c in run["ceiling"])
        print(f"ceiling{f' (run {number})' if len(runs) > 1 else ''}: Flask hello world {run['best']:.0f} req/s "
              f"(measured {before:.0f} before the pages, {after:.0f} after)")
    print()
    ratios = " ".join(f"{'ratio' if len(runs) == 1 else f'run {n}':>7}" for n in range(1, len(runs) + 1))
    header = f"{'page':48} {'req/s':>8} {'median':>9} {'p99':>9} {'KB':>6} {ratios} {'target':>7}"
    print(header)
    print("-" * len(header))
    rows, missed, broken = [], 0, 0
    for index, page in enumerate(pages):
        results = [run["results"][index] for run in runs]
        first = results[0]
        page_ratios = [r["rps"] / run["best"] for r, run in zip(results, runs, strict=True)]
        verdict = "ok" if all(ratio >= 1 / page.target for ratio in page_ratios) else "MISSED"
        bad = next((r for r in results if r["errors"]), None)
        if bad is not None:
            verdict = f"{bad['errors']} bad answers" if bad.get("status") == 200 else f"HTTP {bad.get('status')}"
            broken += 1
        missed += verdict == "MISSED"
        print(f"{page.name[:48]:48} {first['rps']:8.1f} {first['median_ms']:7.1f}ms {first['p99_ms']:7.1f}ms "
              f"{first['bytes'] / 1024:6.0f} {' '.join(f'{shown(r):>7}' for r in page_ratios)} "
              f"{'1/' + format(page.target, 'g'):>7}  {verdict}")
        rows.append({"page": page.name, "path": page.path, "login": page.login, "target": page.target,
                     "verdict": verdict, "runs": [{**r, "ratio": ratio}
                                                  for r, ratio in zip(results, page_ratios, strict=True)]})
    print()
    print(f"{len(rows) - missed - broken} of {len(rows)} pages meet their target"
          f"{' in every run' if len(runs) > 1 else ''}, {missed} missed, {broken} with bad answers")
    (RESULTS / f"bench-{args.db}.json").write_text(json.dumps(
        {"wrk": [*WRK, f"-d{args.duration}s"], "db": args.db, "scale": args.scale,
         "ceilings": [{"before": run["ceiling"][0], "after": run["ceiling"][1], "best": run["best"]} for run in runs],
         "pages": rows}, indent=2))
    return 1 if broken else 0


if __name__ == "__main__":
    sys.exit(main())
