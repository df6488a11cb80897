"""Club: the CRM of the Oriental Offshoring Club (Club de l'Offshoring de l'Oriental)."""

from __future__ import annotations

import logging
from pathlib import Path

from flask import Flask

from club.config import ROOT, Defaults, check_secret_key, from_environment


def create_app(config: dict | None = None) -> Flask:
    app = Flask(
        __name__,
        template_folder=str(ROOT / "templates"),
        instance_path=str(ROOT / "instance"),
    )
    app.config.from_object(Defaults)
    app.config.update(from_environment())
    if config:
        app.config.update(config)
    check_secret_key(app.config)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)

    register_logging(app)
    register_converters(app)
    register_extensions(app)
    register_blueprints(app)
    register_jobs(app)
    register_security(app)
    register_templates(app)
    register_errors(app)
    register_commands(app)
    return app


def register_logging(app: Flask) -> None:
    if not logging.getLogger("club").handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        logging.getLogger("club").addHandler(handler)
    logging.getLogger("club").setLevel(logging.INFO)
    # A CSRF refusal is logged once, by club.security (Flask-WTF would add a second line of its own).
    logging.getLogger("flask_wtf.csrf").setLevel(logging.WARNING)


def register_converters(app: Flask) -> None:
    """``<int:...>`` accepts what a database integer holds: larger ids are simply not found (404)."""
    from werkzeug.routing import IntegerConverter

    class BoundedInt(IntegerConverter):
        def __init__(self, map, fixed_digits=0, min=None, max=2**31 - 1, signed=False):  # noqa: A002
            super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)

    app.url_map.converters["int"] = BoundedInt


def register_extensions(app: Flask) -> None:
    from club import database
    from club.extensions import babel, csrf, db, limiter, login_manager, mail, migrate
    from club.i18n import select_locale, select_timezone, translation_directories

    database.configure(app)
    db.init_app(app)
    import club.model_index  # noqa: F401  (every table in the metadata)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"), render_as_batch=True, compare_type=True)
    login_manager.init_app(app)
    csrf.init_app(app)
    mail.init_app(app)
    babel.init_app(
        app,
        locale_selector=select_locale,
        timezone_selector=select_timezone,
        default_translation_directories=";".join(translation_directories()),
    )
    limiter.init_app(app)


# (module holding a blueprint ``bp``, URL prefix); one line per domain.
BLUEPRINTS = (
    ("club.core", ""),
    ("club.auth", "/auth"),
    ("club.admin", "/admin"),
    ("club.members", "/members"),
    ("club.incubator", "/incubator"),
    ("club.deals", "/deals"),
    ("club.missions", "/missions"),
)


def register_blueprints(app: Flask) -> None:
    import importlib

    for module, prefix in BLUEPRINTS:
        app.register_blueprint(importlib.import_module(module).bp, url_prefix=prefix or None)


# Modules defining background jobs (periodic reminders), beside the core's own (``club.core.tasks``).
JOBS = ("club.members.jobs", "club.deals.jobs", "club.missions.jobs")


def register_jobs(app: Flask) -> None:
    import importlib

    from club.core.jobs import init_jobs

    init_jobs(app)
    for module in JOBS:
        importlib.import_module(module)


def register_security(app: Flask) -> None:
    from club.security import init_security

    init_security(app)


def register_templates(app: Flask) -> None:
    from club.filters import init_filters

    init_filters(app)


def register_errors(app: Flask) -> None:
    from club.core.errors import init_errors

    init_errors(app)


def register_commands(app: Flask) -> None:
    from club.core.cli import init_commands

    init_commands(app)
