from flask.views import MethodView
from flask_jwt_extended import current_user

from app.blueprints.feed import blp
from app.blueprints.feed.schemas import FOR_YOU, HOME, FeedArgsSchema, FeedPageSchema, ForYouArgsSchema
from app.security import login_required
from app.services import feed, for_you


@blp.route("/feed/")
class FeedView(MethodView):
    decorators = [login_required]

    @blp.arguments(FeedArgsSchema, location="query")
    @blp.response(200, FeedPageSchema)
    def get(self, args):
        """List your own and your friends' posts that you may see, newest first."""
        return feed.home_feed(current_user, HOME.pager(args))


@blp.route("/feed/for-you/")
class ForYouView(MethodView):
    decorators = [login_required]

    @blp.arguments(ForYouArgsSchema, location="query")
    @blp.response(200, FeedPageSchema)
    def get(self, args):
        """List recent posts you may see, ranked by freshness, engagement, friendship and shared interests."""
        return for_you.for_you_feed(current_user, args["limit"], args.get("cursor"), FOR_YOU.encode)
