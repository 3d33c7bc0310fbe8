from flask import request, send_file
from flask.views import MethodView
from flask_jwt_extended import current_user
from marshmallow import RAISE

from app.blueprints.media import blp
from app.blueprints.media.schemas import MediaSchema, MediaUploadSchema, ProfileImageSchema, ProfileImagesSchema
from app.idempotency import idempotent
from app.openapi import file_responses
from app.security import login_required, per_user_limit
from app.services import media

CACHE_CONTROL = "private, max-age=3600"  # never in a shared cache: who may see a file is decided per person
UPLOAD_ENDPOINT = "media.MediaView"
# What a rendition can be: re-encoded images, and videos (kept in their container when ffmpeg is absent).
FILE_TYPES = ("image/jpeg", "image/png", "video/mp4", "video/webm", "video/x-m4v", "video/quicktime")


@blp.url_value_preprocessor
def allow_large_uploads(endpoint, _values):
    """An upload may be larger than the app's MAX_CONTENT_LENGTH (meant for JSON bodies). A URL value
    preprocessor runs before every before_request hook, so the limit is raised before the input guard reads the
    form."""
    if endpoint == UPLOAD_ENDPOINT and request.method == "POST":
        request.max_content_length = media.upload_request_limit()


@blp.route("/media/")
class MediaView(MethodView):
    decorators = [login_required]

    @per_user_limit("RATELIMIT_UPLOADS")
    @blp.arguments(MediaUploadSchema, location="files", unknown=RAISE)  # another file is refused, not dropped
    @blp.response(202, MediaSchema)
    @blp.alt_response(413, description="The file is too large (10 MiB for an image, 100 MiB for a video).")
    @blp.alt_response(415, description="The content is not an accepted image or video, whatever its name says.")
    @idempotent
    def post(self, data):
        """Upload an image or a video (multipart field `file`); poll its view until it is ready."""
        return media.media_detail(media.upload_media(current_user, data["file"]))


@blp.route("/media/<int:media_id>/")
class MediaByIdView(MethodView):
    decorators = [login_required]

    @blp.response(200, MediaSchema)
    def get(self, media_id):
        """Read an upload's status and the URLs of its renditions."""
        return media.media_detail(media.get_media_for(current_user, media_id))


@blp.route("/media/<int:media_id>/<string:rendition>")
class MediaFileView(MethodView):
    decorators = [login_required]

    @blp.doc(responses=file_responses("The file.", *FILE_TYPES))
    def get(self, media_id, rendition):
        """Download one rendition of an upload: display, thumb, poster or video."""
        file = media.media_file_for(current_user, media_id, rendition)
        response = send_file(file.stream, mimetype=file.content_type, conditional=True, etag=file.key)
        response.headers["Cache-Control"] = CACHE_CONTROL
        response.headers["X-Content-Type-Options"] = "nosniff"
        return response


@blp.route("/profile/avatar/")
class ProfileAvatarView(MethodView):
    decorators = [login_required]

    @blp.arguments(ProfileImageSchema)
    @blp.response(200, ProfileImagesSchema)
    def put(self, data):
        """Make one of your uploaded images your avatar."""
        return media.set_profile_image(current_user, "avatar", data["media_id"])

    @blp.response(204)
    def delete(self):
        """Remove your avatar."""
        media.clear_profile_image(current_user, "avatar")


@blp.route("/profile/background/")
class ProfileBackgroundView(MethodView):
    decorators = [login_required]

    @blp.arguments(ProfileImageSchema)
    @blp.response(200, ProfileImagesSchema)
    def put(self, data):
        """Make one of your uploaded images your profile background."""
        return media.set_profile_image(current_user, "background", data["media_id"])

    @blp.response(204)
    def delete(self):
        """Remove your profile background."""
        media.clear_profile_image(current_user, "background")
