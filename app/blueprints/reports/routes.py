from flask.views import MethodView
from flask_jwt_extended import current_user

from app.blueprints.common import SQLPage
from app.blueprints.reports import blp
from app.blueprints.reports.schemas import ReportCreateSchema, ReportSchema
from app.idempotency import idempotent
from app.lib.file_jobs import send_download
from app.openapi import file_responses
from app.security import login_required
from app.services import reports


@blp.route("/reports/")
class ReportsView(MethodView):
    decorators = [login_required]

    @blp.response(200, ReportSchema(many=True))
    @blp.paginate(SQLPage, max_page_size=100)
    def get(self):
        """List the reports you asked for or that are about you, newest first."""
        return reports.list_reports(current_user)

    @blp.arguments(ReportCreateSchema)
    @blp.response(202, ReportSchema)
    @idempotent
    def post(self, data):
        """Ask for a report on your training (or an assigned client's); poll it until done."""
        return reports.request_report(current_user, data)


@blp.route("/reports/<int:report_id>/")
class ReportByIdView(MethodView):
    decorators = [login_required]

    @blp.response(200, ReportSchema)
    def get(self, report_id):
        """Read a report's status: queued, running, done or failed (with `error`)."""
        return reports.get_report_for(current_user, report_id)


@blp.route("/reports/<int:report_id>/download")
class ReportDownloadView(MethodView):
    decorators = [login_required]

    @blp.doc(responses=file_responses("The report, in its format.", "text/csv", "text/html", "application/pdf"))
    @blp.alt_response(409, description="The report is not done yet.")
    def get(self, report_id):
        """Download a finished report as a file."""
        return send_download(reports.report_file(current_user, report_id))
