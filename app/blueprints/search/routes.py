from flask.views import MethodView
from flask_jwt_extended import current_user

from app.blueprints.search import blp
from app.blueprints.search.schemas import RESULTS, SearchArgsSchema, SearchPageSchema
from app.security import login_required, per_user_limit
from app.services import search

REFUSED = "`q` or `type` is missing or unfit, or `cursor` is not this search's."


@blp.route("/search/")
class SearchView(MethodView):
    decorators = [login_required]

    @blp.arguments(SearchArgsSchema, location="query")
    @blp.response(200, SearchPageSchema)
    @blp.alt_response(422, description=REFUSED)
    @per_user_limit("RATELIMIT_SEARCH")
    def get(self, args):
        """Search people, posts or groups you may see, best match first."""
        return search.search(current_user, args["type"], args["q"], RESULTS.pager(args))
