import marshmallow as ma
from flask_smorest.fields import Upload
from marshmallow import fields
from werkzeug.datastructures import FileStorage

from app.blueprints.common import BaseSchema, Id

MAX_FILENAME = 255


class OneUpload(Upload):
    """Exactly one file under this field: a second one is refused, not silently dropped. The file's name is
    never used (storage names are random); an absurd one is refused all the same."""

    is_multiple = True  # webargs hands over every file sent under the name, to be counted

    def _deserialize(self, value, attr, data, **kwargs):
        files = value if isinstance(value, list) else [value]
        if len(files) != 1:
            raise ma.ValidationError("Send exactly one file.")
        file = files[0]
        if not isinstance(file, FileStorage):
            raise ma.ValidationError("Must be a file (multipart/form-data).")
        if len(file.filename or "") > MAX_FILENAME:
            raise ma.ValidationError(f"The file name is longer than {MAX_FILENAME} characters.")
        return file


class MediaUploadSchema(BaseSchema):
    file = OneUpload(
        required=True,
        metadata={"description": "A JPEG, PNG, WebP or GIF image, or an MP4 or WebM video (judged by content)."},
    )


class MediaSchema(ma.Schema):
    """An upload: `urls` name each rendition that exists (`display`, `thumb` for images; `poster`, `thumb`,
    `video` for videos), once the background job has made them."""

    id = fields.Integer()
    kind = fields.String(metadata={"description": "image or video"})
    status = fields.String(
        metadata={"description": "processing, ready, no_preview (a video kept without poster) or failed"}
    )
    urls = fields.Dict(keys=fields.String(), values=fields.String())
    error = fields.String(allow_none=True, metadata={"description": "Why processing failed."})
    width = fields.Integer(allow_none=True)
    height = fields.Integer(allow_none=True)


class ProfileImageSchema(BaseSchema):
    media_id = Id(required=True, metadata={"description": "An image you uploaded (not one of a post's)."})


class ProfileImagesSchema(ma.Schema):
    """The caller's profile images: the URL of each one's display size, and the upload behind it."""

    avatar = fields.String(allow_none=True)
    avatar_id = fields.Integer(allow_none=True)
    background = fields.String(allow_none=True)
    background_id = fields.Integer(allow_none=True)
