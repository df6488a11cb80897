"""URL arguments of the activities routes, from the demo world (tests/test_access.py)."""

SAMPLES: dict = {}
