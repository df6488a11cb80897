"""Run the benchmark: ``python -m bench [--db sqlite|postgres] [--scale 1.0] [--only members]``."""

from __future__ import annotations

import argparse
import hashlib
import importlib
import json
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import sqlalchemy as sa

from bench import BenchPage

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench-results"
DOMAINS = sorted(p.stem for p in (ROOT / "bench").glob("*.py") if not p.stem.startswith("_"))


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


def seed(database_url: str, scale: float, domains: list[str]) -> list[BenchPage]:
    os.environ["DATABASE_URL"] = database_url
    from club import create_app
    from club.demo import load_demo
    from club.extensions import db

    app = create_app({"SQLALCHEMY_DATABASE_URI": __import__("club.config").config.normalise_database_url(database_url),
                      "MAIL_CONSOLE": True})
    pages: list[BenchPage] = []
    with app.app_context():
        from flask_migrate import upgrade

        upgrade()
        load_demo()
        db.session.commit()
        for domain in domains:
            module = importlib.import_module(f"bench.{domain}")
            started = time.perf_counter()
            module.seed(scale)
            db.session.commit()
            sync_sequences(db)
            print(f"seeded {domain} in {time.perf_counter() - started:.1f}s", flush=True)
        with db.engine.begin() as conn:
            conn.exec_driver_sql("ANALYZE")
        for domain in domains:
            pages.extend(importlib.import_module(f"bench.{domain}").pages())
        db.session.remove()
        db.engine.dispose()
    return pages


class Server:
    def __init__(self, database_url: str, workers: int = 2):
        self.port = free_port()
        env = {**os.environ, "DATABASE_URL": database_url, "SECRET_KEY": "bench-secret", "CLUB_ENV": "development",
               "MAIL_SERVER": "", "PYTHONDONTWRITEBYTECODE": "1"}
        env.pop("MAIL_SERVER")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-w", str(workers), "-b", f"127.0.0.1:{self.port}",
             "--log-level", "warning", "wsgi:app"],
            cwd=ROOT, env=env, start_new_session=True,
        )
        self.base = f"http://127.0.0.1:{self.port}"
        deadline = time.time() + 60
        while time.time() < deadline:
            try:
                urllib.request.urlopen(self.base + "/healthz", timeout=2).read()
                return
            except OSError:  # refused, reset, or a read timeout while gunicorn boots on a busy machine
                time.sleep(0.3)
        self.stop()
        raise RuntimeError("gunicorn did not start")

    def stop(self):
        try:
            os.killpg(self.process.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
        self.process.wait(timeout=20)


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def login(base: str, email: str, password: str = "club-demo") -> str:
    """Sign in through the real form; returns the session cookie header."""
    opener = urllib.request.build_opener(NoRedirect)
    response = opener.open(base + "/auth/login", timeout=10)
    cookie = response.headers.get("Set-Cookie", "").split(";", 1)[0]
    html = response.read().decode()
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html) or \
        re.search(r'name="csrf_token" value="([^"]+)"', html)
    data = urllib.parse.urlencode({"csrf_token": token.group(1), "email": email, "password": password}).encode()
    request = urllib.request.Request(base + "/auth/login", data=data, headers={"Cookie": cookie})
    try:
        opener.open(request, timeout=10)
    except urllib.error.HTTPError as exc:
        if exc.code not in (302, 303):
            raise
        return exc.headers.get("Set-Cookie", "").split(";", 1)[0]
    raise RuntimeError(f"login of {email} failed")


def measure(base: str, path: str, cookie: str | None, requests: int, concurrency: int) -> dict:
    latencies: list[float] = []
    errors = []
    lock = threading.Lock()
    counter = iter(range(requests))

    def worker():
        headers = {"Cookie": cookie} if cookie else {}
        while True:
            with lock:
                if next(counter, None) is None:
                    return
            started = time.perf_counter()
            try:
                with urllib.request.urlopen(urllib.request.Request(base + path, headers=headers), timeout=30) as r:
                    r.read()
                    status = r.status
            except urllib.error.HTTPError as exc:
                status = exc.code
            elapsed = time.perf_counter() - started
            with lock:
                latencies.append(elapsed)
                if status != 200:
                    errors.append(status)

    for _ in range(min(5, requests)):  # warm up
        urllib.request.urlopen(urllib.request.Request(base + path, headers={"Cookie": cookie} if cookie else {}),
                               timeout=30).read()
    started = time.perf_counter()
    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - started
    latencies.sort()
    return {
        "median_ms": statistics.median(latencies) * 1000,
        "p95_ms": latencies[max(0, int(len(latencies) * 0.95) - 1)] * 1000,
        "throughput": len(latencies) / wall,
        "errors": len(errors),
    }


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--db", choices=("sqlite", "postgres"), default=os.environ.get("BENCH_DB", "sqlite"))
    parser.add_argument("--scale", type=float, default=float(os.environ.get("BENCH_SCALE", "1.0")))
    parser.add_argument("--only", action="append", choices=DOMAINS)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--concurrency", type=int, default=4)
    args = parser.parse_args(argv)
    domains = args.only or DOMAINS
    database_url = scratch_database(args.db)
    print(f"database: {args.db}, scale {args.scale}, domains: {', '.join(domains) or 'none'}", flush=True)
    pages = seed(database_url, args.scale, domains)
    server = Server(database_url)
    try:
        cookies: dict[str, str] = {}
        health = measure(server.base, "/healthz", None, args.requests, args.concurrency)
        rows = [("healthz", "/healthz", health, None)]
        for page in pages:
            if page.login and page.login not in cookies:
                cookies[page.login] = login(server.base, page.login)
            cookie = cookies.get(page.login) if page.login else None
            try:
                result = measure(server.base, page.path, cookie, args.requests, args.concurrency)
                single = measure(server.base, page.path, cookie, max(20, args.requests // 5), 1)
            except OSError as exc:  # a page too slow to answer: report it, measure the others
                print(f"{page.name}: failed ({exc})", flush=True)
                result = {"median_ms": float("nan"), "p95_ms": float("nan"), "throughput": 0.0, "errors": 1}
                single = {"median_ms": float("nan")}
            result["single_median_ms"] = single["median_ms"]
            print(f"measured {page.name}: median {result['median_ms']:.1f} ms, 1-user {single['median_ms']:.1f} ms",
                  flush=True)
            rows.append((page.name, page.path, result, page))
    finally:
        server.stop()
    print()
    print(f"{'page':34} {'median':>9} {'p95':>9} {'1-user':>9} {'req/s':>8} {'ratio':>7}  target")
    failed = False
    report = []
    for name, path, r, page in rows:
        ratio = r["throughput"] / health["throughput"]
        target = ""
        if page is not None:
            checks = []
            if page.min_ratio is not None:
                ok = ratio >= page.min_ratio
                checks.append(f"ratio ≥ 1/{round(1 / page.min_ratio)} {'ok' if ok else 'MISSED'}")
                failed |= not ok
            if page.max_median_ms is not None:
                ok = r.get("single_median_ms", r["median_ms"]) <= page.max_median_ms
                checks.append(f"median ≤ {page.max_median_ms:.0f} ms {'ok' if ok else 'MISSED'}")
                failed |= not ok
            target = ", ".join(checks)
        if r["errors"]:
            target += f" ({r['errors']} non-200 answers)"
            failed = True
        single = r.get("single_median_ms")
        print(f"{name:34} {r['median_ms']:8.1f}ms {r['p95_ms']:8.1f}ms "
              f"{(f'{single:8.1f}ms' if single else '        -'):>9} {r['throughput']:8.1f} {ratio:7.3f}  {target}")
        report.append({"page": name, "path": path, **r, "ratio": ratio})
    (RESULTS / f"bench-{args.db}.json").write_text(json.dumps(report, indent=2))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
