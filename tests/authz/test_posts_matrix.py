"""The authorisation matrix of posts, comments, reactions, shares, media and moderation (tests/authz/conftest.py),
each named by id in its route.

alice owns every post (built anew for each caller through the services); bob is her friend, mallory another user,
coach her trainer, stranger a trainer without her, root an admin. SPEC §0: 404 for what the caller may not see,
403 for what they see but may not change (or a role they lack); anonymous callers get 401.

Who sees what (app/services/visibility.py): a public post is everyone's, a friends-only one alice's and bob's, a
private one alice's; admins see past privacy; a trainer is no friend of alice's for privacy (coaching is about
training data), but trainers and admins moderate: they see hidden content, and hide, unhide and resolve reports
of any post or comment that exists (the action answers its state, never its text: app/services/moderation.py).

The world: alice's `public_post`, `friends_post` and `private_post`, a `hidden_post` (public, hidden by root) and a
`group_post` in a private group of hers that bob is in, each with an image of hers (`public_media`, …); `loose_media`
is an upload of hers that no post uses. Every actor has a reaction on each post (on the group's: its members and
root), as if given while it was public before alice narrowed it, so each can try to remove their own. Comments:
alice's on each of her posts (`public_comment`, …), bob's on the public one (`bob_comment`, and `hidden_comment`,
hidden by root) and mallory's on the friends-only one (`mallory_comment`, written while it was public). Reports:
bob's of the public post (`flag`) and of the friends-only one (`friends_flag`), mallory's of alice's public comment
(`comment_flag`)."""

from io import BytesIO
from itertools import count

import pytest
from werkzeug.datastructures import FileStorage

from app.extensions import db
from app.models import FlagTarget, MediaStatus, Reaction, ReactionKind, User
from app.services import comments, groups, media, moderation, posts
from tests.authz.conftest import ACTORS, outcome
from tests.factories.media import jpeg_bytes

EVERYONE = outcome(default=200)
# Who sees each kind of post: public everyone; friends-only alice, bob and root; private alice and root; hidden
# alice and the moderators; a private group's post its members (alice, bob) and root.
SEE_PUBLIC = ("alice", "bob", "mallory", "coach", "stranger", "root")
SEE_FRIENDS = ("alice", "bob", "root")
SEE_PRIVATE = ("alice", "root")
SEE_HIDDEN = ("alice", "coach", "stranger", "root")
SEE_GROUP = ("alice", "bob", "root")
MODERATORS = ("coach", "stranger", "root")


def seen_by(viewers: tuple[str, ...], status: int, *, others: int = 404, **exceptions: int) -> dict[str, int]:
    """`status` for the viewers, `others` (404) for everyone else signed in, with per-actor exceptions."""
    return outcome(default=others, **(dict.fromkeys(viewers, status) | exceptions))


def alice_changes(viewers: tuple[str, ...], status: int) -> dict[str, int]:
    """Only alice changes it (`status`); the others who see it are refused (403), the rest find nothing (404)."""
    return seen_by(viewers, 403, alice=status)


MODERATOR_ACTS = outcome(default=403, **dict.fromkeys(MODERATORS, 200))
COMMENT = {"text": "Nice pace"}
LIKE = {"kind": "like"}

# (method, path, body, expected status per actor)
MATRIX = [
    # --- posts ---
    ("GET", "/posts/{public_post}/", None, EVERYONE),
    ("GET", "/posts/{friends_post}/", None, seen_by(SEE_FRIENDS, 200)),
    ("GET", "/posts/{private_post}/", None, seen_by(SEE_PRIVATE, 200)),
    ("GET", "/posts/{hidden_post}/", None, seen_by(SEE_HIDDEN, 200)),
    ("GET", "/posts/{group_post}/", None, seen_by(SEE_GROUP, 200)),
    ("PATCH", "/posts/{public_post}/", {"text": "Edited"}, alice_changes(SEE_PUBLIC, 200)),
    ("PATCH", "/posts/{friends_post}/", {"text": "Edited"}, alice_changes(SEE_FRIENDS, 200)),
    ("PATCH", "/posts/{private_post}/", {"visibility": "public"}, alice_changes(SEE_PRIVATE, 200)),
    ("PATCH", "/posts/{hidden_post}/", {"text": "Edited"}, alice_changes(SEE_HIDDEN, 200)),
    ("DELETE", "/posts/{public_post}/", None, alice_changes(SEE_PUBLIC, 204)),
    ("DELETE", "/posts/{friends_post}/", None, alice_changes(SEE_FRIENDS, 204)),
    ("DELETE", "/posts/{private_post}/", None, alice_changes(SEE_PRIVATE, 204)),
    ("DELETE", "/posts/{group_post}/", None, alice_changes(SEE_GROUP, 204)),
    ("GET", "/users/{alice}/posts/", None, EVERYONE),  # a list: each sees the posts they may (filtered, not refused)
    # --- comments on posts ---
    ("GET", "/posts/{public_post}/comments/", None, EVERYONE),
    ("GET", "/posts/{friends_post}/comments/", None, seen_by(SEE_FRIENDS, 200)),
    ("GET", "/posts/{private_post}/comments/", None, seen_by(SEE_PRIVATE, 200)),
    ("GET", "/posts/{hidden_post}/comments/", None, seen_by(SEE_HIDDEN, 200)),
    ("GET", "/posts/{group_post}/comments/", None, seen_by(SEE_GROUP, 200)),
    ("POST", "/posts/{public_post}/comments/", COMMENT, outcome(default=201)),
    ("POST", "/posts/{friends_post}/comments/", COMMENT, seen_by(SEE_FRIENDS, 201)),
    ("POST", "/posts/{private_post}/comments/", COMMENT, seen_by(SEE_PRIVATE, 201)),
    ("POST", "/posts/{hidden_post}/comments/", COMMENT, seen_by(SEE_HIDDEN, 201)),
    ("POST", "/posts/{group_post}/comments/", COMMENT, seen_by(SEE_GROUP, 201)),
    # edited by its author only; deleted by its author or the post's author (not by staff: moderators hide)
    ("PATCH", "/comments/{public_comment}/", COMMENT, alice_changes(SEE_PUBLIC, 200)),
    ("PATCH", "/comments/{friends_comment}/", COMMENT, alice_changes(SEE_FRIENDS, 200)),
    ("PATCH", "/comments/{private_comment}/", COMMENT, alice_changes(SEE_PRIVATE, 200)),
    ("PATCH", "/comments/{bob_comment}/", COMMENT, outcome(default=403, bob=200)),
    # mallory wrote it, but the post is no longer hers to see: nor is her comment
    ("PATCH", "/comments/{mallory_comment}/", COMMENT, seen_by(SEE_FRIENDS, 403, alice=403)),
    # a hidden comment is its author's and the moderators' to see (not the post's author's)
    ("PATCH", "/comments/{hidden_comment}/", COMMENT, seen_by(("bob", *MODERATORS), 403, bob=200)),
    ("DELETE", "/comments/{public_comment}/", None, alice_changes(SEE_PUBLIC, 204)),
    ("DELETE", "/comments/{friends_comment}/", None, alice_changes(SEE_FRIENDS, 204)),
    ("DELETE", "/comments/{private_comment}/", None, alice_changes(SEE_PRIVATE, 204)),
    ("DELETE", "/comments/{bob_comment}/", None, outcome(default=403, alice=204, bob=204)),
    ("DELETE", "/comments/{mallory_comment}/", None, seen_by(SEE_FRIENDS, 403, alice=204)),
    ("DELETE", "/comments/{hidden_comment}/", None, seen_by(("bob", *MODERATORS), 403, bob=204)),
    # --- reactions: one's own, on a post one sees ---
    ("PUT", "/posts/{public_post}/reaction/", LIKE, EVERYONE),
    ("PUT", "/posts/{friends_post}/reaction/", LIKE, seen_by(SEE_FRIENDS, 200)),
    ("PUT", "/posts/{private_post}/reaction/", LIKE, seen_by(SEE_PRIVATE, 200)),
    ("PUT", "/posts/{hidden_post}/reaction/", LIKE, seen_by(SEE_HIDDEN, 200)),
    ("PUT", "/posts/{group_post}/reaction/", LIKE, seen_by(SEE_GROUP, 200)),
    ("DELETE", "/posts/{public_post}/reaction/", None, outcome(default=204)),
    ("DELETE", "/posts/{friends_post}/reaction/", None, seen_by(SEE_FRIENDS, 204)),
    ("DELETE", "/posts/{private_post}/reaction/", None, seen_by(SEE_PRIVATE, 204)),
    ("DELETE", "/posts/{hidden_post}/reaction/", None, seen_by(SEE_HIDDEN, 204)),
    ("DELETE", "/posts/{group_post}/reaction/", None, seen_by(SEE_GROUP, 204)),
    # --- shares: a post one sees, not a private or hidden one (422 to those who see it) ---
    ("POST", "/posts/{public_post}/share/", {"text": "Look", "visibility": "public"}, outcome(default=201)),
    ("POST", "/posts/{friends_post}/share/", {"text": "Look", "visibility": "friends"}, seen_by(SEE_FRIENDS, 201)),
    ("POST", "/posts/{private_post}/share/", {"text": "Look", "visibility": "private"}, seen_by(SEE_PRIVATE, 422)),
    ("POST", "/posts/{hidden_post}/share/", {"text": "Look", "visibility": "public"}, seen_by(SEE_HIDDEN, 422)),
    ("POST", "/posts/{group_post}/share/", {"text": "Look", "visibility": "private"}, seen_by(SEE_GROUP, 422)),
    # --- media: a post's to whoever sees the post, an unattached upload to its owner ---
    ("GET", "/media/{public_media}/", None, EVERYONE),
    ("GET", "/media/{friends_media}/", None, seen_by(SEE_FRIENDS, 200)),
    ("GET", "/media/{private_media}/", None, seen_by(SEE_PRIVATE, 200)),
    ("GET", "/media/{hidden_media}/", None, seen_by(SEE_HIDDEN, 200)),
    ("GET", "/media/{group_media}/", None, seen_by(SEE_GROUP, 200)),
    ("GET", "/media/{loose_media}/", None, seen_by(("alice",), 200)),
    ("GET", "/media/{public_media}/display", None, EVERYONE),
    ("GET", "/media/{friends_media}/thumb", None, seen_by(SEE_FRIENDS, 200)),
    ("GET", "/media/{private_media}/display", None, seen_by(SEE_PRIVATE, 200)),
    ("GET", "/media/{hidden_media}/display", None, seen_by(SEE_HIDDEN, 200)),
    ("GET", "/media/{group_media}/display", None, seen_by(SEE_GROUP, 200)),
    ("GET", "/media/{loose_media}/thumb", None, seen_by(("alice",), 200)),
    # --- moderation: trainers and admins, on any post or comment (403 for everyone else, alice included) ---
    ("POST", "/moderation/post/{public_post}/hide/", {"reason": "Spam"}, MODERATOR_ACTS),
    ("POST", "/moderation/post/{private_post}/hide/", None, MODERATOR_ACTS),
    ("POST", "/moderation/post/{hidden_post}/unhide/", None, MODERATOR_ACTS),
    ("POST", "/moderation/post/{public_post}/unhide/", None, MODERATOR_ACTS),  # a no-op, still the moderators'
    ("POST", "/moderation/comment/{public_comment}/hide/", {"reason": "Rude"}, MODERATOR_ACTS),
    ("POST", "/moderation/comment/{private_comment}/hide/", None, MODERATOR_ACTS),
    ("POST", "/moderation/comment/{hidden_comment}/unhide/", None, MODERATOR_ACTS),
    ("POST", "/moderation/flags/{flag}/resolve/", None, MODERATOR_ACTS),
    ("POST", "/moderation/flags/{friends_flag}/resolve/", {"hide": True}, MODERATOR_ACTS),
    ("POST", "/moderation/flags/{comment_flag}/resolve/", {"hide": True, "note": "Rude"}, MODERATOR_ACTS),
]


@pytest.fixture
def app(app_factory, tmp_path):
    """Jobs run at once (the testing default): an upload is processed when it is stored, under a temporary folder."""
    return app_factory(MEDIA_STORAGE_URL=str(tmp_path / "media"))


def _upload(owner: User) -> int:
    """An image of the owner's, uploaded and (inline) processed into its `display` and `thumb` renditions."""
    upload = FileStorage(stream=BytesIO(jpeg_bytes()), filename="run.jpg", content_type="image/jpeg")
    return media.upload_media(owner, upload).id


def _private_group(alice: User, bob: User, n: int) -> int:
    """A group alice creates public, bob joins at once, then she makes it private."""
    group_id = groups.create_group(alice, {"name": f"Track club {n}", "visibility": "public"})["id"]
    assert groups.join_group(bob, group_id) == "member"
    groups.update_group(alice, group_id, {"visibility": "private"})
    return group_id


@pytest.fixture
def world(app, actors):
    """A builder of alice's posts and what hangs on them, anew on each call (one caller's DELETE or hide leaves the
    next one's world whole); see the module's docstring for who is who. Returns the actors' and objects' ids."""
    numbers = count(1)

    def build() -> dict:
        n = next(numbers)
        with app.app_context():
            people = {name: db.session.get(User, actors[name]) for name in ACTORS if name != "anonymous"}
            alice, bob, mallory, root = (people[name] for name in ("alice", "bob", "mallory", "root"))
            uploads = {name: _upload(alice) for name in ("public", "friends", "private", "hidden", "group", "loose")}

            def post(name: str, **fields) -> int:
                body = {"text": f"A {name} run {n}", "visibility": "public", "media_ids": [uploads[name]]}
                return posts.create_post(alice, body | fields)["id"]

            ids = {name: post(name) for name in ("public", "friends", "private", "hidden")}
            ids["group"] = post("group", group_id=_private_group(alice, bob, n))
            # Everyone's reaction, as if given while the posts were public (the group's: its members' and root's), as
            # rows in one commit (through the service, a commit each, they were half of a world's time).
            db.session.add_all(
                Reaction(post_id=post_id, user_id=person.id, kind=ReactionKind.LIKE)
                for name, post_id in ids.items()
                for person in ((alice, bob, root) if name == "group" else people.values())
            )
            db.session.commit()
            mallory_comment = comments.add_comment(mallory, ids["friends"], {"text": "Where was this?"})["id"]
            for name in ("friends", "private"):
                posts.edit_post(alice, ids[name], {"visibility": name})
            own_comments = {
                f"{name}_comment": comments.add_comment(alice, ids[name], {"text": f"My {name} split"})["id"]
                for name in ("public", "friends", "private")
            }
            bob_comment = comments.add_comment(bob, ids["public"], {"text": "Well run"})["id"]
            hidden_comment = comments.add_comment(bob, ids["public"], {"text": "Off topic"})["id"]
            moderation.hide_content(root, FlagTarget.POST, ids["hidden"])
            moderation.hide_content(root, FlagTarget.COMMENT, hidden_comment)
            report = {"target_type": FlagTarget.POST, "reason": "Spam"}
            flag = moderation.create_flag(bob, report | {"target_id": ids["public"]}).id
            friends_flag = moderation.create_flag(bob, report | {"target_id": ids["friends"]}).id
            comment_report = {"target_type": FlagTarget.COMMENT, "target_id": own_comments["public_comment"]}
            comment_flag = moderation.create_flag(mallory, comment_report | {"reason": "Rude"}).id
            for media_id in uploads.values():  # the inline job ran at the upload's commit
                asset = media.get_media_for(alice, media_id)
                assert asset.status == MediaStatus.READY and {"display", "thumb"} <= set(asset.renditions), asset
            return {
                **actors,
                **{f"{name}_post": post_id for name, post_id in ids.items()},
                **{f"{name}_media": media_id for name, media_id in uploads.items()},
                **own_comments,
                "bob_comment": bob_comment,
                "mallory_comment": mallory_comment,
                "hidden_comment": hidden_comment,
                "flag": flag,
                "friends_flag": friends_flag,
                "comment_flag": comment_flag,
            }

    return build


@pytest.mark.parametrize(
    ("method", "path", "body", "expected"), MATRIX, ids=[f"{m} {p} {i}" for i, (m, p, *_) in enumerate(MATRIX)]
)
def test_posts_matrix(check_row, world, method, path, body, expected):
    check_row(world, method, path, body, expected)
