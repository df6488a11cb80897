"""Two requests writing the same row at once: the later one is refused (409), never a 500."""

from __future__ import annotations

import logging

import pytest
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from club import create_app
from club.permissions import public
from tests.conftest import make_test_config, text


class _Orig(Exception):
    def __init__(self, message, sqlstate=None):
        super().__init__(message)
        self.sqlstate = sqlstate


@pytest.fixture()
def racing_app(tmp_path):
    application = create_app(make_test_config(f"sqlite:///{tmp_path / 'race.db'}", tmp_path))
    application.config["PROPAGATE_EXCEPTIONS"] = False
    errors = {
        "stale": StaleDataError("UPDATE statement on table 'organizations' expected to update 1 row(s); 0 were matched."),
        "duplicate": IntegrityError("INSERT", {}, _Orig("duplicate key value violates unique constraint", "23505")),
        "sqlite-duplicate": IntegrityError("INSERT", {}, _Orig("UNIQUE constraint failed: dues.year")),
        "not-null": IntegrityError("INSERT", {}, _Orig("null value in column violates not-null constraint", "23502")),
    }

    @public
    def boom(kind):
        raise errors[kind]

    application.add_url_rule("/boom/<kind>", "boom", boom, methods=["POST"])
    return application


@pytest.mark.parametrize("kind", ["stale", "duplicate", "sqlite-duplicate"])
def test_a_concurrent_write_is_refused_with_a_409(racing_app, caplog, kind):
    with caplog.at_level(logging.WARNING):
        response = racing_app.test_client().post(f"/boom/{kind}")  # French, the default
    assert response.status_code == 409
    assert "Quelqu'un d'autre a modifié ceci au même moment" in text(response)
    assert [r.getMessage() for r in caplog.records if r.exc_info] == []  # one line, no traceback
    assert any("concurrent write refused on POST /boom/" in r.getMessage() for r in caplog.records)


def test_any_other_integrity_error_is_still_a_recorded_500(racing_app, caplog):
    with caplog.at_level(logging.WARNING):
        response = racing_app.test_client().post("/boom/not-null")
    assert response.status_code == 500
    assert any(r.exc_info for r in caplog.records)
