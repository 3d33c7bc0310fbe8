import marshmallow as ma
from marshmallow import fields, validate

from app.blueprints.common import BAD_CURSOR, MAX_CURSOR_LENGTH, BaseSchema, Ranked, not_blank
from app.blueprints.shared import GroupSchema, PostSchema, UserCardSchema
from app.input_guard import NUL_MESSAGE, SURROGATE_MESSAGE
from app.models import User
from app.services.search import RANKED_POSTS

TYPES = ("users", "posts", "groups")
MAX_QUERY = 100
SEARCH_LIMIT = 20
SEARCH_MAX_LIMIT = 50

# Results past the first thousand are not worth ranking for anybody: deeper pages end the list (the posts
# ranked are the newest RANKED_POSTS matches).
RESULTS = Ranked("search", max_offset=RANKED_POSTS)


def text_only(value: str) -> None:
    """NUL and unpaired surrogates, which app/input_guard.py refuses in every request, refused wherever the schema
    is loaded: the words reach the database."""
    if "\x00" in value:
        raise ma.ValidationError(NUL_MESSAGE)
    if any("\ud800" <= char <= "\udfff" for char in value):
        raise ma.ValidationError(SURROGATE_MESSAGE)


class SearchArgsSchema(BaseSchema):
    """`?q=&type=` and the ranked list's `cursor` and `limit`."""

    q = fields.String(
        required=True,
        validate=[text_only, validate.Length(min=1, max=MAX_QUERY), not_blank],
        metadata={"description": "What to look for: words (people's and groups' names also match by their start)."},
    )
    type = fields.String(
        required=True,
        validate=validate.OneOf(TYPES),
        metadata={"description": "`users`, `posts` or `groups`.", "enum": list(TYPES)},
    )
    cursor = fields.String(
        validate=validate.Length(min=1, max=MAX_CURSOR_LENGTH, error=BAD_CURSOR),
        metadata={"description": "Opaque: the `next_cursor` of the previous page of the same search."},
    )
    limit = fields.Integer(
        load_default=SEARCH_LIMIT,
        validate=validate.Range(min=1, max=SEARCH_MAX_LIMIT),
        metadata={"description": f"Results per page (at most {SEARCH_MAX_LIMIT})."},
    )

    @ma.post_load
    def _open_cursor(self, data: dict, **kwargs) -> dict:
        data["q"] = data["q"].strip()
        data["scope"] = f"{data['type']}\n{data['q']}"
        data["offset"] = 0
        if "cursor" in data:
            try:
                data["offset"] = RESULTS.decode(data.pop("cursor"), data["scope"])
            except ma.ValidationError as error:
                raise ma.ValidationError(error.messages, "cursor") from None
        return data


class SearchResult(fields.Field):
    """One result: a person's card (`type=users`, a `User`), a post as the caller sees it (`type=posts`) or a group
    as the caller sees it (`type=groups`, a view with `members_count`)."""

    _card = UserCardSchema()
    _post = PostSchema()
    _group = GroupSchema()

    def __init__(self, **kwargs):
        one_of = [{"$ref": f"#/components/schemas/{name}"} for name in ("UserCard", "Post", "Group")]
        super().__init__(metadata={"oneOf": one_of}, **kwargs)

    def _serialize(self, value, attr, obj, **kwargs):
        if isinstance(value, User):
            return self._card.dump(value)
        return (self._group if "members_count" in value else self._post).dump(value)


class SearchPageSchema(ma.Schema):
    """Results, best first: people's cards for `type=users`, posts for `type=posts`, groups for `type=groups`."""

    items = fields.List(SearchResult())
    next_cursor = fields.String(
        allow_none=True,
        metadata={
            "description": "Pass back as `cursor` (with the same `q` and `type`) for the next page; null at the end."
        },
    )
