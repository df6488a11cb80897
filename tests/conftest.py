"""The suite's fixtures live in ``tests/fixtures/`` (one module per concern), loaded here for every test; the
helpers tests import (``text``, ``live_request``…) are importable from here too."""

from __future__ import annotations

import pytest

pytest.register_assert_rewrite("tests.fixtures")
pytest_plugins = ["tests.fixtures.app", "tests.fixtures.live", "tests.fixtures.mail", "tests.fixtures.jobs"]

from tests.fixtures.app import (  # noqa: E402,F401  (what tests import from here)
    QueryCounter,
    _free_port,
    config_changed,
    fresh_database_url,
    make_test_config,
    text,
)
from tests.fixtures.live import LiveResponse, live_request, session_cookie  # noqa: E402,F401
from tests.fixtures.mail import SMTPRecorder  # noqa: E402,F401
