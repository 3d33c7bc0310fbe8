import re
from decimal import Decimal

import marshmallow as ma
from marshmallow import fields, validate

from app.blueprints.common import BaseSchema, Id
from app.models import AccessLevel, ClientStatus

ACCESS_LEVELS = validate.OneOf([str(level) for level in AccessLevel])
CLIENT_STATUSES = validate.OneOf([str(status) for status in ClientStatus])
MAX_PRICE = Decimal("1000000")


def validate_price(value: Decimal) -> None:
    if value < 0:
        raise ma.ValidationError("Must not be negative.")
    if value >= MAX_PRICE:
        raise ma.ValidationError(f"Must be less than {MAX_PRICE}.")
    if value.as_tuple().exponent < -2 and value != value.quantize(Decimal("0.01")):
        raise ma.ValidationError("At most two decimal places.")


def price_field(description: str = "Exact, as a decimal string: `19.99`.", **kwargs) -> fields.Decimal:
    """A price answered as a JSON string with two decimals (a float would not be exact), and documented so."""
    metadata = {"type": "string", "pattern": r"^[0-9]+\.[0-9]{2}$", "example": "19.99", "description": description}
    return fields.Decimal(as_string=True, places=2, metadata=metadata, **kwargs)


def validate_currency(value: str) -> None:
    if not re.fullmatch(r"[A-Z]{3}", value):
        raise ma.ValidationError("An ISO 4217 code: three capital letters, for example EUR.")


class TierSchema(ma.Schema):
    id = fields.Integer()
    access_level = fields.String()
    price = price_field()
    currency = fields.String(metadata={"description": "ISO 4217 code, e.g. `EUR`."})
    description = fields.String(allow_none=True)
    is_active = fields.Boolean(metadata={"description": "False once withdrawn: it can no longer be assigned."})
    created_at = fields.AwareDateTime()
    updated_at = fields.AwareDateTime()


class TierCreateSchema(BaseSchema):
    access_level = fields.String(required=True, validate=ACCESS_LEVELS)
    price = fields.Decimal(
        required=True,
        validate=validate_price,
        metadata={
            "type": "string",
            "pattern": r"^[0-9]+(\.[0-9]+)?$",
            "example": "19.99",
            "description": "A decimal string, ≥ 0 and < 1000000, at most two decimals (a JSON number is accepted too).",
        },
    )
    currency = fields.String(
        validate=validate_currency,
        metadata={"description": "ISO 4217 code; the server's DEFAULT_CURRENCY (EUR unless configured) if omitted."},
    )
    description = fields.String(allow_none=True, validate=validate.Length(max=2000))
    is_active = fields.Boolean()


class TierUpdateSchema(TierCreateSchema):
    """PATCH (used with partial=True): any of a tier's fields."""


class TierArgsSchema(BaseSchema):
    active = fields.Boolean()


class MembershipSchema(ma.Schema):
    user_id = fields.Integer()
    tier = fields.Nested(TierSchema, allow_none=True, metadata={"description": "None: no tier."})
    client_status = fields.String(metadata={"description": "active, inactive or on_hold (inactive if never set)."})
    updated_at = fields.AwareDateTime(allow_none=True)
    updated_by_id = fields.Integer(allow_none=True)


class MembershipUpdateSchema(BaseSchema):
    tier_id = Id(required=True, allow_none=True, metadata={"description": "null: none."})
    client_status = fields.String(required=True, validate=CLIENT_STATUSES)


class MembershipChangeSchema(ma.Schema):
    id = fields.Integer()
    user_id = fields.Integer()
    changed_by_id = fields.Integer(allow_none=True)
    changed_at = fields.AwareDateTime()
    from_tier_id = fields.Integer(allow_none=True)
    from_access_level = fields.String(allow_none=True)
    from_price = price_field(allow_none=True)
    from_currency = fields.String(allow_none=True)
    from_client_status = fields.String(allow_none=True)
    to_tier_id = fields.Integer(allow_none=True)
    to_access_level = fields.String(allow_none=True)
    to_price = price_field("The tier's price at the time, as a decimal string.", allow_none=True)
    to_currency = fields.String(allow_none=True)
    to_client_status = fields.String()
