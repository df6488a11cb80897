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
    register_jobs(app)
    register_blueprints(app)
    register_domains(app)
    register_security(app)
    register_templates(app)
    register_errors(app)
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
    from club.i18n import select_locale, select_timezone

    database.configure(app)
    db.init_app(app)
    database.configure_engine(app)
    import club.model_index  # noqa: F401  (every table in the metadata)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"), render_as_batch=True, compare_type=True)
    login_manager.init_app(app)
    csrf.init_app(app)
    mail.init_app(app)
    babel.init_app(
        app,
        locale_selector=select_locale,
        timezone_selector=select_timezone,
    )
    limiter.init_app(app)


# (package holding a blueprint ``bp``, its routes in ``views`` and a ``hooks.register(app)``, URL prefix); one line per domain, in the
# order their hooks run (members before the modules that build on its organisations and contacts).
BLUEPRINTS = (
    ("club.core", ""),
    ("club.auth", "/auth"),
    ("club.admin", "/admin"),
    ("club.members", "/members"),
    ("club.incubator", "/incubator"),
    ("club.deals", "/deals"),
    ("club.missions", "/missions"),
    ("club.programmes", "/programmes"),
    ("club.activities", "/activities"),
    ("club.segments", "/segments"),
    ("club.mailings", "/mailings"),
    ("club.reports", "/reports"),
)


def register_jobs(app: Flask) -> None:
    from club.core.jobs import init_jobs

    init_jobs(app)


def register_blueprints(app: Flask) -> None:
    import importlib

    for module, prefix in BLUEPRINTS:
        importlib.import_module(f"{module}.views")  # the routes, on the package's ``bp``
        app.register_blueprint(importlib.import_module(module).bp, url_prefix=prefix or None)


def register_domains(app: Flask) -> None:
    """Each package's ``hooks.register(app)``, in ``BLUEPRINTS`` order: its navigation entries, home panels, page
    sections, search providers, demo part, audit labels, commands and jobs (ARCHITECTURE.md, "The contract")."""
    import importlib

    from club.core.registry import init_registry
    from club.demo import demo_command

    init_registry(app)
    for module, _ in BLUEPRINTS:
        importlib.import_module(f"{module}.hooks").register(app)
    app.cli.add_command(demo_command)


def register_security(app: Flask) -> None:
    from club.security import init_security

    init_security(app)


def register_templates(app: Flask) -> None:
    from club.filters import init_filters
    from club.forms import quicken_selects

    init_filters(app)
    quicken_selects()


def register_errors(app: Flask) -> None:
    from club.core.errors import init_errors

    init_errors(app)
