from flask.views import MethodView
from flask_jwt_extended import current_user

from app.blueprints.common import SQLPage
from app.blueprints.exports import blp
from app.blueprints.exports.schemas import ExportSchema
from app.idempotency import idempotent
from app.lib.file_jobs import send_download
from app.openapi import file_responses
from app.security import login_required
from app.services import exports


@blp.route("/export/")
class ExportsView(MethodView):
    decorators = [login_required]

    @blp.response(200, ExportSchema(many=True))
    @blp.paginate(SQLPage, max_page_size=100)
    def get(self):
        """List your data exports, newest first."""
        return exports.list_exports(current_user)

    @blp.response(202, ExportSchema)
    @idempotent
    def post(self):
        """Ask for a copy of all your data; poll it until done."""
        return exports.request_export(current_user)


@blp.route("/export/<int:export_id>/")
class ExportByIdView(MethodView):
    decorators = [login_required]

    @blp.response(200, ExportSchema)
    def get(self, export_id):
        """Read an export's status: queued, running, done or failed."""
        return exports.get_export_for(current_user, export_id)


@blp.route("/export/<int:export_id>/download")
class ExportDownloadView(MethodView):
    decorators = [login_required]

    @blp.doc(responses=file_responses("A zip of JSON and CSV files.", "application/zip"))
    @blp.alt_response(409, description="The export is not done yet.")
    def get(self, export_id):
        """Download a finished export as a zip."""
        return send_download(exports.export_file(current_user, export_id))
