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


def lock_for_write(session) -> None:
    """Before reading rows to change them under a row lock (`with_for_update()`), which SQLite ignores: there,
    take the database's write lock now (BEGIN IMMEDIATE), so writers wait for each other's commit exactly as a
    row lock makes them on PostgreSQL, and what is read next is the latest. A no-op on other databases, and
    when this transaction already writes (it then holds SQLite's write lock)."""
    connection = session.connection()
    if connection.dialect.name == "sqlite" and not connection.connection.dbapi_connection.in_transaction:
        connection.exec_driver_sql("BEGIN IMMEDIATE")
