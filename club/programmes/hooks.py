"""What programmes add to the app: the navigation entries, the organisation page's sections (programmes led or
supported, awards), the secretariat's home panel, the global search's groups, how its events read, the demo."""

from __future__ import annotations

from flask import Flask
from flask_babel import lazy_gettext as _l

from club.core.registry import registry
from club.programmes import demo, history


def _programme_hooks(hooks) -> None:
    """Programmes: the organisation page's section, the secretariat's home panel, the search group."""


def _beneficiary_hooks(hooks) -> None:
    """Beneficiaries: nothing outside the programme's pages (personal data stays there)."""


def _award_hooks(hooks) -> None:
    """Awards: the navigation entry, the organisation page's section, the search group."""


def register(app: Flask) -> None:
    hooks = registry(app)
    hooks.nav("programmes.index", _l("Programmes"), order=50)
    _programme_hooks(hooks)
    _beneficiary_hooks(hooks)
    _award_hooks(hooks)
    hooks.demo("programmes", demo.load)
    history.register_labels(hooks)
