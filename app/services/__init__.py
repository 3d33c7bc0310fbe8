"""Services: the use cases of one domain each, as plain functions (`create_goal(user, data)`).

The same service serves a route, a job, a socket handler and a CLI command, so it takes ids and plain data,
never a request, and refuses with the domain exceptions of `app.errors` (never `abort()`).

- **Fetch and authorise in one call**: `get_<thing>_for(user, id, *, to_change=False, lock=False)` returns the
  thing or raises. What the caller may not see does not exist (`NotFound`); what they see but may not change is
  `Forbidden` with `to_change=True`; `lock=True` holds the row until the commit (`with_for_update()`, and
  `app.transactions.lock_for_write` on SQLite) so changes of one thing take turns. A getter takes `to_change`
  only where reading and changing differ, and `lock` only where a use case takes turns on that row.
- **One commit per use case**, at its end: nothing is half-written when it refuses or fails.
- **Side effects after the commit**: `app.queueing.enqueue` waits for it; emits and messages go through
  `app.queueing.on_commit`, so nobody sees data that was rolled back.
"""
