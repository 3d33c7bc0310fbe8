"""One gate for hostile input, before the limiter, the token checks and webargs see the request.

A JSON body is parsed once here (as webargs parses it: UTF-8, `json.loads`) and refused with 400 when it is
malformed, nested deeper than MAX_JSON_DEPTH (Python's parser would hit its recursion limit → 500) or holds
a number no field can take (NaN, ±Infinity, 1e400). Every string in the body, its keys, the query, the path,
the headers and a form is refused with 422 naming the field when it holds NUL (PostgreSQL refuses it in text) or an
unpaired surrogate (it cannot be encoded as UTF-8). What passes here cannot crash a later parse: webargs
re-parses the same bytes with the same parser, and `request.get_json()` answers the value parsed here.
"""

import json
import math
from collections.abc import Iterator

from flask import Flask, request
from flask_smorest import abort
from webargs.core import is_json

MAX_JSON_DEPTH = 32
MAX_INT_DIGITS = 100  # far beyond any field (ids are 32-bit), far below Python's 4,300-digit parse limit

NUL_MESSAGE = "Must not contain the NUL character (U+0000)."
SURROGATE_MESSAGE = "Must not contain an unpaired surrogate (U+D800 to U+DFFF); send valid UTF-8 text."
KEY_MESSAGE = "Field names must not contain NUL or unpaired surrogates."


class _Refused(ValueError):
    """A JSON body the API will not read at all (answered 400)."""


def _refuse_constant(name: str):
    raise _Refused(f"{name} is not a JSON number.")


def _bounded_int(text: str) -> int:
    if len(text.lstrip("-")) > MAX_INT_DIGITS:  # int() of thousands of digits is slow, then refused
        raise _Refused(f"The number {text[:40]}… is out of range.")
    return int(text)


def _finite_float(text: str) -> float:
    value = float(text)
    if math.isinf(value):
        raise _Refused(f"The number {text[:40]} is out of range.")
    return value


def _bad_text(value: str) -> str | None:
    """The message for a string PostgreSQL or UTF-8 cannot take, or None."""
    if "\x00" in value:
        return NUL_MESSAGE
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return SURROGATE_MESSAGE
    return None


def _printable(key: str) -> str:
    """A field name fit for an error message, even when the name itself is the problem."""
    return key.encode("unicode_escape").decode("ascii") if _bad_text(key) else key


def parse_json_body(data: bytes):
    """The body as webargs would read it; `_Refused` (400) when it must not be read at all."""
    try:
        text = data.decode("utf-8")
        value = json.loads(text, parse_constant=_refuse_constant, parse_float=_finite_float, parse_int=_bounded_int)
    except RecursionError:
        raise _Refused(f"The JSON body is nested more than {MAX_JSON_DEPTH} levels deep.") from None
    except _Refused:
        raise
    except ValueError:  # JSONDecodeError, UnicodeDecodeError
        raise _Refused("Invalid JSON body.") from None
    if depth_exceeds(value, MAX_JSON_DEPTH):
        raise _Refused(f"The JSON body is nested more than {MAX_JSON_DEPTH} levels deep.")
    return value


def depth_exceeds(value, limit: int) -> bool:
    """Iterative, so checking depth cannot itself recurse too deep."""
    stack = [(value, 1)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, dict | list):
            if depth > limit:
                return True
            children = node.values() if isinstance(node, dict) else node
            stack.extend((child, depth + 1) for child in children if isinstance(child, dict | list))
    return False


def json_errors(value) -> dict | list | None:
    """Marshmallow-shaped errors for every bad string in a parsed body (keys too), or None."""
    if isinstance(value, str):
        message = _bad_text(value)
        return [message] if message else None
    errors: dict = {}
    items = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
    for key, child in items:
        if isinstance(key, str) and _bad_text(key):
            errors[_printable(key)] = [KEY_MESSAGE]
            continue
        found = json_errors(child)  # the depth is bounded by MAX_JSON_DEPTH already
        if found:
            errors[key] = found
    return errors or None


def _multidict_errors(pairs: Iterator[tuple[str, str]]) -> dict:
    errors: dict = {}
    for key, value in pairs:
        if _bad_text(key):
            errors[_printable(key)] = [KEY_MESSAGE]
        elif isinstance(value, str) and (message := _bad_text(value)):
            errors[key] = [message]
    return errors


def guard_request_input() -> None:
    """before_request: refuse a body that cannot be parsed safely, and text the database cannot store."""
    if request.routing_exception is not None:
        return  # 404/405 answer first; nothing reads this request's input
    errors: dict = {}
    if is_json(request.mimetype) and request.get_data(cache=True):
        try:
            body = parse_json_body(request.get_data(cache=True))
        except _Refused as exc:
            abort(400, message=str(exc), errors={"json": [str(exc)]})
        request._cached_json = (body, body)  # get_json() (limiter keys, JWT locations) reuses this parse
        if found := json_errors(body):
            errors["json"] = found
    if found := _multidict_errors(request.args.items(multi=True)):
        errors["query"] = found
    if found := _multidict_errors((request.view_args or {}).items()):
        errors["path"] = found
    if found := _multidict_errors(request.headers.items()):  # the User-Agent is stored with sessions and audits
        errors["headers"] = found
    if request.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data"):
        pairs = list(request.form.items(multi=True))
        pairs += [(key, file.filename or "") for key, file in request.files.items(multi=True)]
        if found := _multidict_errors(iter(pairs)):
            errors["form"] = found
    if errors:
        abort(422, errors=errors)


def register_input_guard(app: Flask) -> None:
    app.before_request(guard_request_input)
