"""Side effects that wait for the commit: a session whose `commit()` then runs the callbacks queued on it.

They run once the commit has fully finished (the session is usable again, so a callback may query),
and never when the transaction rolls back. `app.queueing.on_commit` queues them.
"""

import logging

from flask_sqlalchemy.session import Session as FlaskSQLAlchemySession
from sqlalchemy import event

log = logging.getLogger(__name__)

PENDING = "stride_on_commit"


class AfterCommitSession(FlaskSQLAlchemySession):
    def commit(self) -> None:
        super().commit()
        callbacks = self.info.pop(PENDING, [])
        for callback in callbacks:
            try:
                callback()
            except Exception:
                # The data is committed; a lost side effect is logged loudly rather than undoing the use case.
                log.exception("after-commit callback failed")


@event.listens_for(AfterCommitSession, "after_soft_rollback")
def _drop_on_rollback(session, previous_transaction) -> None:
    if not previous_transaction.nested:  # a savepoint's rollback leaves the outer transaction's callbacks
        session.info.pop(PENDING, None)
