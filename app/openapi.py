"""The OpenAPI document, made to tell the truth in one place.

flask-smorest documents what each route declares; `TruthPlugin` adds what follows from how the view is
guarded, so no route has to remember it: a stable `operationId`, `security: []` on routes without a login
guard, and the error answers every operation can give, each with the one `Error` schema.
"""

import re
from http import HTTPStatus

import marshmallow as ma
from apispec import BasePlugin
from flask import Flask
from flask_limiter import ExemptionScope, Limiter
from flask_smorest import Api

from app.pages import PAGINATION_HEADER

ERROR_REF = {"$ref": "#/components/schemas/Error"}
_METHODS = ("get", "put", "post", "patch", "delete")


class ErrorSchema(ma.Schema):
    """Every error answer: `{code, status, message, errors?}` (see app/errors.py)."""

    code = ma.fields.Integer(required=True, metadata={"description": "The HTTP status code.", "example": 404})
    status = ma.fields.String(
        required=True, metadata={"description": "The HTTP status phrase.", "example": "Not Found"}
    )
    message = ma.fields.String(required=True, metadata={"description": "What went wrong, for a person."})
    errors = ma.fields.Dict(
        keys=ma.fields.String(),
        metadata={"description": "Each bad field's messages, by location: `{json: {field: [message]}}`."},
    )


IDEMPOTENCY_PARAMETER = {
    "name": "Idempotency-Key",
    "in": "header",
    "required": False,
    "schema": {"type": "string", "minLength": 1, "maxLength": 255, "pattern": "^[\\x21-\\x7e]+$"},
    "description": "Any unique string of visible ASCII (a UUID). Sent again with the same body within 24 hours, "
    "the request creates nothing and gets the first answer again (with `Idempotent-Replayed: true`); with another "
    "body it is refused (422). Keys are the caller's own.",
}


def needs_no_services(view):
    """Mark a view that touches neither the database nor Redis: it is documented without a 503."""
    view.needs_no_services = True
    return view


def file_responses(description: str, *content_types: str) -> dict:
    """`@blp.doc(responses=...)` for a download: a 200 whose body is a file of one of `content_types`."""
    binary = {"schema": {"type": "string", "format": "binary"}}
    return {"200": {"description": description, "content": dict.fromkeys(content_types, binary)}}


def operation_id(endpoint: str, method: str) -> str:
    """`goals.GoalByIdView` + `get` → `goals_getGoalById`: stable, unique per route and method, readable."""
    blueprint, _, view = endpoint.rpartition(".")
    view = re.sub(r"Views?$", "", view) or view
    return f"{blueprint.replace('-', '_')}_{method}{view}"


class TruthPlugin(BasePlugin):
    """Completes every operation from its view: operationId, security and documented error answers."""

    def __init__(self, app: Flask, limiter: Limiter | None):
        self.app = app
        self.limiter = limiter
        self.seen_ids: set[str] = set()

    def init_spec(self, spec):
        super().init_spec(spec)
        retry_after = {"Retry-After": {"description": "Seconds to wait.", "schema": {"type": "integer"}}}
        spec.components.response(
            "RateLimited",
            {
                "description": "Too many requests: wait `Retry-After` seconds.",
                "headers": retry_after,
                "content": {"application/json": {"schema": ERROR_REF}},
            },
        )
        spec.components.response(
            "Unavailable",
            {
                "description": "The database or Redis is unreachable: retry after `Retry-After` seconds.",
                "headers": retry_after,
                "content": {"application/json": {"schema": ERROR_REF}},
            },
        )

    def operation_helper(self, path=None, operations=None, **kwargs):
        rule = kwargs.get("rule")
        if rule is None or not operations:
            return
        view = self.app.view_functions[rule.endpoint]
        for method, operation in operations.items():
            if method not in _METHODS:
                continue
            handlers = [view, getattr(getattr(view, "view_class", None), method, None)]
            roles = [getattr(h, "required_role", None) for h in handlers if h is not None]
            roles = [r for r in roles if r is not None]
            self._operation_id(operation, rule.endpoint, method)
            if any(getattr(h, "idempotent", False) for h in handlers if h is not None):
                self._idempotency(operation)
            self._errors(operation, rule, roles, handlers)
            if not roles:
                operation["security"] = []  # no login guard: anyone may call it

    def _operation_id(self, operation: dict, endpoint: str, method: str) -> None:
        op_id = operation.setdefault("operationId", operation_id(endpoint, method))
        if op_id in self.seen_ids:
            raise ValueError(f"OpenAPI: operationId {op_id!r} is not unique ({endpoint} {method})")
        self.seen_ids.add(op_id)

    @staticmethod
    def _idempotency(operation: dict) -> None:
        """`@idempotent` views (app/idempotency.py): the header, and the answers it adds."""
        operation.setdefault("parameters", []).append(IDEMPOTENCY_PARAMETER)
        responses = operation.setdefault("responses", {})
        responses.setdefault("409", {"description": "The first request with this Idempotency-Key is still running."})
        responses.setdefault("422", "UNPROCESSABLE_ENTITY")

    def _errors(self, operation: dict, rule, roles: list, handlers: list) -> None:
        responses = {str(code): response for code, response in operation.get("responses", {}).items()}
        operation["responses"] = responses
        extra = {}
        if "requestBody" in operation:
            extra |= {400: "BAD_REQUEST", 413: "REQUEST_ENTITY_TOO_LARGE"}
        if roles:
            extra[401] = "UNAUTHORIZED"
        if any(str(role) != "user" for role in roles):
            extra[403] = "FORBIDDEN"
        if rule.arguments:
            extra[404] = "NOT_FOUND"
        if not self._exempt_from_limits(rule):
            extra[429] = "RateLimited"
        if not any(getattr(h, "needs_no_services", False) for h in handlers if h is not None):
            extra[503] = "Unavailable"
        for code, name in extra.items():
            responses.setdefault(str(code), name)
        for code, response in responses.items():
            if isinstance(response, dict) and "content" not in response and _is_error(code):
                response["content"] = {"application/json": {"schema": ERROR_REF}}

    def _exempt_from_limits(self, rule) -> bool:
        """Exempt from the default limit (whether or not limits are enabled in this configuration)."""
        if self.limiter is None:
            return True
        blueprint = rule.endpoint.rpartition(".")[0]
        return bool(
            self.limiter.limit_manager.exemption_scope(self.app, rule.endpoint, blueprint) & ExemptionScope.DEFAULT
        )


def _is_error(code) -> bool:
    return str(code).isdigit() and int(code) >= HTTPStatus.BAD_REQUEST


class StrideApi(Api):
    """flask-smorest's Api, documenting through `TruthPlugin` and answering errors in Stride's one shape."""

    ERROR_SCHEMA = ErrorSchema

    def __init__(self, *, limiter: Limiter | None = None, **kwargs):
        self.limiter = limiter  # its exemptions say which operations may answer 429
        super().__init__(**kwargs)

    def init_app(self, app: Flask, *, spec_kwargs: dict | None = None):
        spec_kwargs = dict(spec_kwargs or {})
        spec_kwargs["extra_plugins"] = [*spec_kwargs.get("extra_plugins", ()), TruthPlugin(app, self.limiter)]
        super().init_app(app, spec_kwargs=spec_kwargs)

    def _register_pagination_header(self):
        """`X-Pagination` as Stride's page lists fill it (`total_is_exact`)."""
        self.spec.components.header("PAGINATION", PAGINATION_HEADER, lazy=True)

    def handle_http_exception(self, error):
        """flask-smorest's documented hook for every HTTPException: Stride's shape, werkzeug's headers kept."""
        from app.errors import http_error_response  # app.errors needs the extensions, which need this module

        return http_error_response(error)
