from flask.views import MethodView
from flask_jwt_extended import current_user

from app.blueprints.coaching import blp
from app.blueprints.coaching.schemas import (
    ClientAssignmentSchema,
    TrainerClientArgsSchema,
    TrainerClientCreateSchema,
    TrainerClientSchema,
)
from app.blueprints.common import SQLPage
from app.idempotency import idempotent
from app.models import Role
from app.security import login_required, role_required
from app.services import coaching

trainer_only = role_required(Role.TRAINER)
admin_only = role_required(Role.ADMIN)


@blp.route("/trainers/me/clients/")
class MyClientsView(MethodView):
    decorators = [trainer_only]

    @blp.response(200, ClientAssignmentSchema(many=True))
    @blp.paginate(SQLPage, max_page_size=100)
    def get(self):
        """List the clients assigned to you, with their details (trainers)."""
        return coaching.list_clients(current_user)


@blp.route("/trainers/me/clients/<int:client_id>/")
class MyClientView(MethodView):
    decorators = [trainer_only]

    @blp.response(200, ClientAssignmentSchema)
    @blp.alt_response(404, description="Not a live client of the caller.")
    def get(self, client_id):
        """Read one of your clients, with their details (trainers)."""
        return coaching.get_client_for(current_user, client_id)

    @blp.response(204)
    def delete(self, client_id):
        """Stop training a client (trainers)."""
        coaching.drop_client(current_user, client_id)


@blp.route("/clients/me/trainers/")
class MyTrainersView(MethodView):
    decorators = [login_required]

    @blp.response(200, TrainerClientSchema(many=True))
    @blp.paginate(SQLPage, max_page_size=100)
    def get(self):
        """List the trainers who train you."""
        return coaching.list_trainers(current_user)


@blp.route("/clients/me/trainers/<int:trainer_id>/")
class MyTrainerView(MethodView):
    decorators = [login_required]

    @blp.response(204)
    def delete(self, trainer_id):
        """Leave a trainer: they no longer see your training."""
        coaching.leave_trainer(current_user, trainer_id)


@blp.route("/admin/trainer-clients/")
class TrainerClientsView(MethodView):
    decorators = [admin_only]

    @blp.arguments(TrainerClientArgsSchema, location="query")
    @blp.response(200, ClientAssignmentSchema(many=True))
    @blp.paginate(SQLPage, max_page_size=100)
    def get(self, args):
        """List trainer–client assignments, newest first, by trainer, client and whether live (admins)."""
        return coaching.admin_list(
            trainer_id=args.get("trainer_id"), client_id=args.get("client_id"), active=args.get("active")
        )

    @blp.arguments(TrainerClientCreateSchema)
    @blp.response(201, ClientAssignmentSchema)
    @blp.alt_response(409, description="That trainer already trains that client.")
    @idempotent
    def post(self, data):
        """Assign a client to a trainer (admins)."""
        return coaching.assign(current_user, data["trainer_id"], data["client_id"])


@blp.route("/admin/trainer-clients/<int:assignment_id>/")
class TrainerClientByIdView(MethodView):
    decorators = [admin_only]

    @blp.response(204)
    @blp.alt_response(409, description="The assignment has already ended.")
    def delete(self, assignment_id):
        """End a trainer–client assignment (admins)."""
        coaching.end_assignment(current_user, assignment_id)
