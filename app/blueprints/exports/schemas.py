import marshmallow as ma
from marshmallow import fields


class ExportSchema(ma.Schema):
    id = fields.Integer()
    status = fields.String(metadata={"description": "queued, running, done or failed."})
    created_at = fields.AwareDateTime()
    error = fields.String(allow_none=True)
