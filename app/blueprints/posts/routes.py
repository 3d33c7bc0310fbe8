from flask.views import MethodView
from flask_jwt_extended import current_user

from app.blueprints.posts import blp
from app.blueprints.posts.schemas import (
    COMMENTS,
    USER_POSTS,
    CommentPageSchema,
    CommentsArgsSchema,
    CommentSchema,
    CommentWriteSchema,
    PostCreateSchema,
    PostPageSchema,
    PostSchema,
    PostUpdateSchema,
    ReactionSchema,
    ShareCreateSchema,
    UserPostsArgsSchema,
)
from app.idempotency import idempotent
from app.security import login_required, per_user_limit
from app.services import comments, posts, reactions

NO_POST = "No such post, or not one you may see."


@blp.route("/posts/")
class PostsView(MethodView):
    decorators = [login_required]

    @blp.arguments(PostCreateSchema)
    @blp.response(201, PostSchema)
    @blp.alt_response(404, description="No such upload of yours among `media_ids`.")
    @per_user_limit("RATELIMIT_POSTS")
    @idempotent
    def post(self, data):
        """Create a post of text and up to 10 images or one video."""
        return posts.create_post(current_user, data)


@blp.route("/posts/<int:post_id>/")
class PostByIdView(MethodView):
    decorators = [login_required]

    @blp.response(200, PostSchema)
    @blp.alt_response(404, description=NO_POST)
    def get(self, post_id):
        """Read a post as the caller may see it."""
        return posts.read_post(current_user, post_id)

    @blp.arguments(PostUpdateSchema)
    @blp.response(200, PostSchema)
    @blp.alt_response(403, description="Not your post.")
    @blp.alt_response(404, description=NO_POST)
    def patch(self, data, post_id):
        """Edit your post's text or visibility (its media cannot change)."""
        return posts.edit_post(current_user, post_id, data)

    @blp.response(204)
    @blp.alt_response(403, description="Not your post.")
    @blp.alt_response(404, description=NO_POST)
    def delete(self, post_id):
        """Delete your post; its shares then show a tombstone."""
        posts.delete_post(current_user, post_id)


@blp.route("/users/<int:user_id>/posts/")
class UserPostsView(MethodView):
    decorators = [login_required]

    @blp.arguments(UserPostsArgsSchema, location="query")
    @blp.response(200, PostPageSchema)
    @blp.alt_response(404, description="No such active user.")
    def get(self, args, user_id):
        """List a person's posts that the caller may see, newest first."""
        return posts.list_user_posts(current_user, user_id, USER_POSTS.pager(args, is_descending=True))


@blp.route("/posts/<int:post_id>/share/")
class ShareView(MethodView):
    decorators = [login_required]

    @blp.arguments(ShareCreateSchema)
    @blp.response(201, PostSchema)
    @blp.alt_response(404, description=NO_POST)
    @per_user_limit("RATELIMIT_POSTS")
    @idempotent
    def post(self, data, post_id):
        """Share a post (of a share: its original) with your own text."""
        return posts.share_post(current_user, post_id, data)


@blp.route("/posts/<int:post_id>/reaction/")
class ReactionView(MethodView):
    decorators = [login_required]

    @blp.arguments(ReactionSchema)
    @blp.response(200, PostSchema)
    @blp.alt_response(404, description=NO_POST)
    @per_user_limit("RATELIMIT_REACTIONS")
    def put(self, data, post_id):
        """Set or change your reaction to a post; answers the post."""
        return reactions.set_reaction(current_user, post_id, data["kind"])

    @blp.response(204)
    @blp.alt_response(404, description="No such post, or no reaction of yours on it.")
    def delete(self, post_id):
        """Remove your reaction to a post."""
        reactions.remove_reaction(current_user, post_id)


@blp.route("/posts/<int:post_id>/comments/")
class CommentsView(MethodView):
    decorators = [login_required]

    @blp.arguments(CommentsArgsSchema, location="query")
    @blp.response(200, CommentPageSchema)
    @blp.alt_response(404, description=NO_POST)
    def get(self, args, post_id):
        """List a post's comments that the caller may see, oldest first."""
        return comments.list_comments(current_user, post_id, COMMENTS.pager(args, is_descending=False))

    @blp.arguments(CommentWriteSchema)
    @blp.response(201, CommentSchema)
    @blp.alt_response(404, description=NO_POST)
    @per_user_limit("RATELIMIT_COMMENTS")
    @idempotent
    def post(self, data, post_id):
        """Comment on a post."""
        return comments.add_comment(current_user, post_id, data)


@blp.route("/comments/<int:comment_id>/")
class CommentByIdView(MethodView):
    decorators = [login_required]

    @blp.arguments(CommentWriteSchema)
    @blp.response(200, CommentSchema)
    @blp.alt_response(403, description="Not your comment.")
    @blp.alt_response(404, description="No such comment, or not one you may see.")
    def patch(self, data, comment_id):
        """Edit your comment."""
        return comments.edit_comment(current_user, comment_id, data)

    @blp.response(204)
    @blp.alt_response(403, description="Neither your comment nor on your post.")
    @blp.alt_response(404, description="No such comment, or not one you may see.")
    def delete(self, comment_id):
        """Delete your comment, or a comment on your post."""
        comments.delete_comment(current_user, comment_id)
