"""``make bench``: seed a scratch database at volume, serve it with gunicorn, measure pages.

Each domain adds ``bench/<domain>.py`` with:

- ``seed(scale: float) -> None`` — bulk-inserts its volume (inside an app context, committing);
- ``pages() -> list[BenchPage]`` — the pages to measure (after seeding; may look ids up).

The runner drives every page with ``wrk`` against ``gunicorn -w 2 -k sync`` and serves a minimal Flask hello
world the same way in the same run: it prints, for every page, the requests per second, the median and
99th-percentile latency and the ratio to hello (the ceiling), and checks it against the page's target.
"""

from dataclasses import dataclass


@dataclass
class BenchPage:
    name: str
    path: str
    login: str | None = "secretariat@club.example"
    # The target: at least 1/target of hello's requests per second, in the same run (issue 15's targets: 12 for the
    # register's list, 20/40 for search, 30 for a record's page, 40 for the heaviest pages, 25 for any other).
    target: float = 25
