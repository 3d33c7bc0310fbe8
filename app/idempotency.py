"""The `Idempotency-Key` header on creating POSTs (SPEC §0): `@idempotent` on a view claims the caller's key
before the use case runs, or answers the first answer again; an after-request hook keeps the answer (or frees the
key when the request failed). The rules and the storage are `app/services/idempotency.py`."""

import contextlib
import hashlib
import json
import logging
import re
import time
from collections.abc import Callable
from functools import wraps

from flask import Flask, Response, g, request
from flask_jwt_extended import get_current_user
from sqlalchemy.exc import OperationalError, SQLAlchemyError

from app.errors import RuleViolation
from app.extensions import db
from app.services import idempotency
from app.services.idempotency import HEADER, Answer, Claim

log = logging.getLogger(__name__)

REPLAYED_HEADER = "Idempotent-Replayed"
KEPT_HEADERS = ("Content-Type", "Location", "Set-Cookie")  # what a replay must carry besides the body
_KEY = re.compile(r"^[\x21-\x7e]{1,255}$")
KEEP_ATTEMPTS, KEEP_PAUSE = 6, 0.5  # a database restart takes about a second
BAD_KEY = "Must be 1 to 255 visible ASCII characters (a UUID is a good key)."


def idempotent(view: Callable) -> Callable:
    """Decorate a creating POST (below `blp.arguments` and `blp.response`, so bad input is refused first)."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        key = request.headers.get(HEADER)
        if key is None:
            return view(*args, **kwargs)
        if not _KEY.match(key):
            raise RuleViolation(f"The {HEADER} header is not valid.", {"headers": {HEADER: [BAD_KEY]}})
        claim = Claim(_scope(), key, _fingerprint())
        answer = idempotency.claim(claim)
        if answer is not None:
            return _replay(answer)
        g.idempotency_claim = claim
        return view(*args, **kwargs)

    wrapper.idempotent = True  # read by app/openapi.py: the operation documents the header
    return wrapper


def keep_answer(response: Response) -> Response:
    """After a claimed request: keep a 2xx answer for retries; free the key of a refused one (4xx)."""
    claim = g.pop("idempotency_claim", None)
    if claim is None:
        return response
    for attempt in range(KEEP_ATTEMPTS):
        try:
            if 200 <= response.status_code < 300:
                headers = [(name, value) for name, value in response.headers.items() if name in KEPT_HEADERS]
                idempotency.keep(claim, Answer(response.status_code, headers, response.get_data()))
            elif response.status_code < 500:
                idempotency.release(claim)
            # A 5xx (the database went away, maybe during the commit) leaves the claim alone: it exists only if the
            # use case's transaction committed, and then a retry must not do it again.
            return response
        except OperationalError as error:  # the database went away after the use case's commit: wait for it
            with contextlib.suppress(SQLAlchemyError):
                db.session.rollback()
            log.warning(
                "could not keep the answer to Idempotency-Key %r (attempt %d): %s", claim.key, attempt + 1, error
            )
            time.sleep(KEEP_PAUSE)
        except SQLAlchemyError:
            break
    # The use case's own commit stands; a retry then finds its key still claimed (409), never a second thing.
    log.error("gave up keeping the answer to Idempotency-Key %r: its retries will be told 409", claim.key)
    return response


def register_idempotency(app: Flask) -> None:
    """Before the cookie hooks (app/security.py): after-request hooks run last-registered first, so the answer is
    kept with the cookies a registration sets."""
    app.after_request(keep_answer)


def _scope() -> str:
    try:
        user = get_current_user()
    except RuntimeError:  # no token was verified on this route (registration)
        user = None
    return f"user:{user.id}" if user is not None else "anonymous"


def _fingerprint() -> str:
    """The request's content in a form a retry reproduces: JSON canonically (key order and spacing do not matter),
    a multipart form by its fields and each file's name, type and SHA-256 (its boundary is random), else the bytes."""
    if request.mimetype == "multipart/form-data":
        parts = [json.dumps(sorted(request.form.items(multi=True))).encode()]
        for name, upload in sorted(request.files.items(multi=True), key=lambda item: item[0]):
            content = hashlib.sha256(upload.stream.read()).hexdigest()
            upload.stream.seek(0)
            parts.append(json.dumps([name, upload.filename, upload.mimetype, content]).encode())
    elif request.is_json and request.content_length:
        body = request.get_json(silent=True)
        parts = [json.dumps(body, sort_keys=True, separators=(",", ":")).encode()]
    else:
        parts = [request.get_data(cache=True)]
    return idempotency.fingerprint(request.method, request.full_path, parts)


def _replay(answer: Answer) -> Response:
    response = Response(answer.body, status=answer.status)
    response.headers.clear()
    for name, value in answer.headers:
        response.headers.add(name, value)
    response.headers[REPLAYED_HEADER] = "true"
    return response
