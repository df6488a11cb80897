"""URL arguments of the mailings routes, from the demo world (tests/test_access.py)."""

SAMPLES: dict = {}
