"""Message catalogues, one per domain: ``python -m club.i18n_tools extract [DOMAIN]|check``.

``club/translations`` holds the shared strings (layout, auth, admin, core); a domain with its own
``club/<domain>/translations`` owns the strings of ``club/<domain>/``, ``templates/<domain>/`` and
``templates/email/<domain>_*``. Flask-Babel merges them at run time. Source strings are English;
the French catalogue must translate every one of them (a test checks it).
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_file
from babel.messages.pofile import read_po, write_po

from club.config import ROOT

LOCALES = ("fr",)
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "lazy_gettext": None, "_l": None,
            "lazy_ngettext": (1, 2), "pgettext": ((1, "c"), 2), "lazy_pgettext": ((1, "c"), 2)}
JINJA_OPTIONS = {"extensions": "jinja2.ext.do", "trim_blocks": "True", "lstrip_blocks": "True"}


def domains() -> list[str]:
    return sorted(p.parent.name for p in (ROOT / "club").glob("*/translations") if p.is_dir())


def catalogue_dir(domain: str | None) -> Path:
    return ROOT / "club" / "translations" if domain is None else ROOT / "club" / domain / "translations"


def _owner(path: Path, owned: list[str]) -> str | None:
    rel = path.relative_to(ROOT).parts
    if rel[0] == "club" and len(rel) > 2 and rel[1] in owned:
        return rel[1]
    if rel[0] == "templates" and len(rel) > 2 and rel[1] in owned:
        return rel[1]
    if rel[0] == "templates" and rel[1] == "email":
        prefix = rel[-1].split("_", 1)[0]
        if prefix in owned:
            return prefix
    return None


def source_files() -> list[Path]:
    files = sorted((ROOT / "club").rglob("*.py")) + sorted((ROOT / "templates").rglob("*.html")) \
        + sorted((ROOT / "templates").rglob("*.txt"))
    return [f for f in files if "translations" not in f.parts and f.name != "i18n_tools.py"]


def extract() -> dict[str | None, Catalog]:
    owned = domains()
    catalogues: dict[str | None, Catalog] = {None: Catalog(), **{d: Catalog() for d in owned}}
    for path in source_files():
        method = "python" if path.suffix == ".py" else "jinja2"
        options = {} if method == "python" else JINJA_OPTIONS
        catalogue = catalogues[_owner(path, owned)]
        for lineno, message, comments, context in extract_from_file(method, str(path), keywords=KEYWORDS,
                                                                      options=options):
            catalogue.add(message, None, [(str(path.relative_to(ROOT)), lineno)], auto_comments=comments,
                          context=context)
    return catalogues


def po_path(domain: str | None, locale: str) -> Path:
    return catalogue_dir(domain) / locale / "LC_MESSAGES" / "messages.po"


def update(only: str | None = None) -> None:
    for domain, template in extract().items():
        if only is not None and (domain or "core") != only:
            continue
        for locale in LOCALES:
            path = po_path(domain, locale)
            if path.exists():
                with open(path, "rb") as fh:
                    catalogue = read_po(fh, locale=locale)
                catalogue.update(template, update_header_comment=False)
            else:
                catalogue = Catalog(locale=locale, fuzzy=False)
                catalogue.update(template)
            catalogue.project, catalogue.version, catalogue.fuzzy = "club", "1", False
            catalogue.obsolete.clear()
            path.parent.mkdir(parents=True, exist_ok=True)
            with open(path, "wb") as fh:
                write_po(fh, catalogue, width=100, omit_header=False, sort_output=True, include_previous=False)
            missing = sum(1 for m in catalogue if m.id and (not m.string or m.fuzzy or
                                                            (isinstance(m.string, tuple) and not all(m.string))))
            print(f"{path.relative_to(ROOT)}: {len(catalogue)} messages, {missing} to translate")


def conflicts() -> list[str]:
    """The same message (and context) translated differently by two catalogues.

    Flask-Babel merges the catalogues into one, so one of the two would silently win: give such a
    message a context (``pgettext``) or the same translation.
    """
    seen: dict[tuple, dict[str, str]] = {}
    for domain in [None, *domains()]:
        for locale in LOCALES:
            path = po_path(domain, locale)
            if not path.exists():
                continue
            with open(path, "rb") as fh:
                for message in read_po(fh, locale=locale):
                    if message.id:
                        key = (locale, message.context, message.id)
                        seen.setdefault(key, {})[domain or "core"] = str(message.string)
    return [f"{key[2]!r} ({key[1] or 'no context'}): {owners}" for key, owners in seen.items()
            if len(set(owners.values())) > 1]


PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")


def problems() -> list[str]:
    """Untranslated, fuzzy, stale or placeholder-mismatched messages, for the test suite."""
    found = []
    for domain, template in extract().items():
        for locale in LOCALES:
            path = po_path(domain, locale)
            if not path.exists():
                found.append(f"{path.relative_to(ROOT)} is missing")
                continue
            with open(path, "rb") as fh:
                catalogue = read_po(fh, locale=locale)
            for message in template:
                if not message.id:
                    continue
                translated = catalogue.get(message.id, context=message.context)
                label = message.id if isinstance(message.id, str) else message.id[0]
                if translated is None:
                    found.append(f"{path.relative_to(ROOT)}: not in the catalogue: {label!r}")
                    continue
                strings = translated.string if isinstance(translated.string, tuple) else (translated.string,)
                ids = message.id if isinstance(message.id, tuple) else (message.id,)
                if translated.fuzzy or not all(strings):
                    found.append(f"{path.relative_to(ROOT)}: not translated: {label!r}")
                    continue
                wanted = set(PLACEHOLDER.findall(" ".join(ids)))
                for s in strings:
                    if set(PLACEHOLDER.findall(s)) - wanted or (len(ids) == 1 and set(PLACEHOLDER.findall(s)) != wanted):
                        found.append(f"{path.relative_to(ROOT)}: placeholders differ: {label!r}")
                        break
    return found


if __name__ == "__main__":
    command = sys.argv[1] if len(sys.argv) > 1 else "extract"
    if command == "extract":
        update(sys.argv[2] if len(sys.argv) > 2 else None)
    elif command == "check":
        issues = problems()
        print("\n".join(issues) or "all messages translated")
        sys.exit(1 if issues else 0)
    else:
        sys.exit("usage: python -m club.i18n_tools extract|check")
