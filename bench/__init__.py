"""``make bench``: seed a scratch database at volume, serve it with gunicorn, measure pages.

Each domain adds ``bench/<domain>.py`` with:

- ``seed(scale: float) -> None`` — bulk-inserts its volume (inside an app context, committing);
- ``pages() -> list[BenchPage]`` — the pages to measure (after seeding; may look ids up).

The runner prints, for every page, the median and 95th-percentile latency and the throughput as a
ratio to ``/healthz`` on the same server, in one run.
"""

from dataclasses import dataclass


@dataclass
class BenchPage:
    name: str
    path: str
    login: str | None = "secretariat@club.example"
    min_ratio: float | None = None  # target: throughput at least this fraction of /healthz
    max_median_ms: float | None = None  # target: median latency for a single user
