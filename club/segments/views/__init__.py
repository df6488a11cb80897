"""The routes of segments, one module per subject: tags, segments, bulk actions."""

from club.segments.views import bulk, segments, tags  # noqa: F401
