import marshmallow as ma
from marshmallow import fields, validate

from app.blueprints.common import BoundedDate, DateRangeSchema, Id
from app.models import FileStatus, ReportFormat

MAX_RANGE_DAYS = 366


class ReportSchema(ma.Schema):
    id = fields.Integer()
    status = fields.String(validate=validate.OneOf([str(s) for s in FileStatus]))
    format = fields.String()
    date_from = fields.Date()
    date_to = fields.Date()
    user_id = fields.Integer(metadata={"description": "Whose training the report is about."})
    requested_by_id = fields.Integer(metadata={"description": "Who asked for it (the subject, or their trainer)."})
    created_at = fields.AwareDateTime()
    error = fields.String(allow_none=True, metadata={"description": "Why it failed, once `status` is failed."})


class ReportCreateSchema(DateRangeSchema):
    max_days_after = MAX_RANGE_DAYS

    date_from = BoundedDate(required=True)
    date_to = BoundedDate(
        required=True, metadata={"description": f"On or after date_from, at most {MAX_RANGE_DAYS} days later."}
    )
    format = fields.String(required=True, validate=validate.OneOf([str(f) for f in ReportFormat]))
    user_id = Id(metadata={"description": "A client assigned to you (trainers); defaults to yourself."})
