from flask.views import MethodView
from flask_jwt_extended import current_user

from app.blueprints.challenges import blp
from app.blueprints.challenges.schemas import (
    CHALLENGES,
    ChallengeCreateSchema,
    ChallengePageSchema,
    ChallengesArgsSchema,
    ChallengeSchema,
    ChallengeUpdateSchema,
    LeaderboardArgsSchema,
    LeaderboardSchema,
    WeeklyLeaderboardSchema,
)
from app.idempotency import idempotent
from app.security import login_required, per_user_limit
from app.services import challenges

NO_CHALLENGE = "No such challenge (a private group's are its members' only)."
NOT_YOURS = "Only its creator or an admin changes or deletes a challenge."
ENDED = "The challenge has ended."


@blp.route("/challenges/")
class ChallengesView(MethodView):
    decorators = [login_required]

    @blp.arguments(ChallengesArgsSchema, location="query")
    @blp.response(200, ChallengePageSchema)
    def get(self, args):
        """List the challenges you may see, newest first."""
        return challenges.list_challenges(
            current_user, CHALLENGES.pager(args), joined=args["joined"], status=args.get("status")
        )

    @blp.arguments(ChallengeCreateSchema)
    @blp.response(201, ChallengeSchema)
    @blp.alt_response(403, description="Only trainers and admins create challenges; a group's, only its members.")
    @per_user_limit("RATELIMIT_CHALLENGES")
    @idempotent
    def post(self, data):
        """Create a challenge (trainers and admins)."""
        return challenges.create_challenge(current_user, data)


@blp.route("/challenges/<int:challenge_id>/")
class ChallengeByIdView(MethodView):
    decorators = [login_required]

    @blp.response(200, ChallengeSchema)
    @blp.alt_response(404, description=NO_CHALLENGE)
    def get(self, challenge_id):
        """Read a challenge, with your own progress if you joined."""
        return challenges.read_challenge(current_user, challenge_id)

    @blp.arguments(ChallengeUpdateSchema)
    @blp.response(200, ChallengeSchema)
    @blp.alt_response(403, description=NOT_YOURS)
    @blp.alt_response(404, description=NO_CHALLENGE)
    def patch(self, data, challenge_id):
        """Change a challenge's title or description."""
        return challenges.update_challenge(current_user, challenge_id, data)

    @blp.response(204)
    @blp.alt_response(403, description=NOT_YOURS)
    @blp.alt_response(404, description=NO_CHALLENGE)
    def delete(self, challenge_id):
        """Delete a challenge with its participants."""
        challenges.delete_challenge(current_user, challenge_id)


@blp.route("/challenges/<int:challenge_id>/join/")
class JoinChallengeView(MethodView):
    decorators = [login_required]

    @blp.response(200, ChallengeSchema)
    @blp.alt_response(403, description="A group's challenge: only its members join.")
    @blp.alt_response(404, description=NO_CHALLENGE)
    @blp.alt_response(422, description=ENDED)
    def post(self, challenge_id):
        """Join a challenge (again changes nothing): your activity in its window counts at once."""
        return challenges.join_challenge(current_user, challenge_id)

    @blp.response(204)
    @blp.alt_response(404, description="No such challenge, or you have not joined it.")
    @blp.alt_response(422, description=ENDED)
    def delete(self, challenge_id):
        """Leave a challenge before it ends."""
        challenges.leave_challenge(current_user, challenge_id)


@blp.route("/challenges/<int:challenge_id>/leaderboard/")
class LeaderboardView(MethodView):
    decorators = [login_required]

    @blp.arguments(LeaderboardArgsSchema, location="query")
    @blp.response(200, LeaderboardSchema)
    @blp.alt_response(404, description=NO_CHALLENGE)
    def get(self, args, challenge_id):
        """A challenge's leaderboard, best first, with your own rank (scope=all or friends)."""
        return challenges.challenge_leaderboard(current_user, challenge_id, **args)


@blp.route("/leaderboards/weekly/")
class WeeklyLeaderboardView(MethodView):
    decorators = [login_required]

    @blp.arguments(LeaderboardArgsSchema, location="query")
    @blp.response(200, WeeklyLeaderboardSchema)
    def get(self, args):
        """This week's workouts leaderboard, best first, with your own rank (scope=all or friends)."""
        return challenges.weekly_leaderboard(current_user, **args)
