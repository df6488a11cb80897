"""URL argument samples for the access walk (tests/test_access.py): a message in the outbox."""

import sqlalchemy as sa

from club.extensions import db


def _message_id():
    from club.core.models import OutboxMessage

    existing = db.session.scalar(sa.select(OutboxMessage.id).order_by(OutboxMessage.id).limit(1))
    if existing is not None:
        return existing
    message = OutboxMessage(recipient="walk@example.org", subject="Walk", body_text="Walk", template="walk")
    db.session.add(message)
    db.session.commit()
    return message.id


SAMPLES = {"message_id": _message_id}
