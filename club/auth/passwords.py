"""Password rules (SECURITY.md §1): 12+ characters, any Unicode, not a common password; scrypt hashes."""

from __future__ import annotations

import unicodedata
from functools import lru_cache
from pathlib import Path

from flask import current_app, has_app_context
from werkzeug.security import check_password_hash, generate_password_hash

MIN_LENGTH = 12
MAX_LENGTH = 256


@lru_cache(maxsize=1)
def common_passwords() -> frozenset[str]:
    path = Path(__file__).with_name("common-passwords.txt")
    return frozenset(
        line.strip().casefold() for line in path.read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    )


def normalise(password: str) -> str:
    return unicodedata.normalize("NFKC", password)


def problem(password: str) -> str | None:
    """``None`` when acceptable, else a key: ``short``, ``long`` or ``common``."""
    password = normalise(password or "")
    if len(password) < MIN_LENGTH:
        return "short"
    if len(password) > MAX_LENGTH:
        return "long"
    folded = password.casefold()
    if folded in common_passwords() or len(set(folded)) <= 2:
        return "common"
    return None


def hash_password(password: str) -> str:
    """scrypt with werkzeug's cost by default; ``PASSWORD_HASH_METHOD`` can lower it where nobody's password is
    at stake (the test suite: ``scrypt:1024:8:1``). A hash keeps its own cost, so either verifies."""
    method = current_app.config.get("PASSWORD_HASH_METHOD", "scrypt") if has_app_context() else "scrypt"
    return generate_password_hash(normalise(password), method=method)


def verify(password_hash: str | None, password: str) -> bool:
    if not password_hash:
        # Spend the same time as a real check so timing does not tell which accounts exist.
        check_password_hash(_DUMMY_HASH, normalise(password or ""))
        return False
    return check_password_hash(password_hash, normalise(password or ""))


_DUMMY_HASH = generate_password_hash("not-a-real-password-for-timing", method="scrypt")
