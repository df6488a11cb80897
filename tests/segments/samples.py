"""URL arguments of the segments routes, from the demo world (tests/test_access.py)."""

SAMPLES: dict = {}
