"""Import every model so the metadata (migrations, tests) knows every table."""

from club.auth.models import User  # noqa: F401
from club.core.models import AuditEvent, OutboxMessage  # noqa: F401
from club.core.storage import StoredFile  # noqa: F401
from club.members.models import Organization  # noqa: F401
