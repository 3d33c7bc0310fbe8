"""Search (`GET /search/`): people, posts and groups the caller may see, best match first.

A read model over the full-text indexes the database keeps (app/models/fulltext.py); nothing else imports it.
Privacy is the lists' own: people as `visibility.listed_to` lists them (never a private profile, nobody blocked
either way, oneself always), live accounts only; posts as `posts.seen_by` shows them, never a hidden one; every
group, private ones too, as `groups.group_views` shows them (a private group's name and description are public,
its posts are not, and a result is the group, never its posts).

PostgreSQL ranks people by an exact username first, then a username or name that starts with the words, then
`ts_rank` over their names, location and bio, then trigram similarity, which also finds names with a typo ("jonh"
finds "john"); posts by `ts_rank` of `websearch_to_tsquery` (quotes, `or` and `-word` mean what they do in a web
search box), then newest, among the newest RANKED_POSTS matches (a social search favours what is recent, and the
ranking then costs the same at any size). SQLite (embedded mode) matches FTS5 tables ranked by `bm25()`: the
same tiers for people, without typo tolerance.

Groups are matched the same way in both databases: each word of `q` in the name or the description, any case
(`lower(name) ILIKE '%word%'`, which migration 0014's trigram index serves on PostgreSQL). An exact name comes first,
then names starting with `q`, then names holding every word, then the description's matches; newest first within
each.

Hostile text never reaches a query language raw: `websearch_to_tsquery` reads any text, and prefix queries and
FTS5 `MATCH` strings are built only from the words of `q` (runs of letters and digits), each one quoted; `LIKE`
patterns are escaped, so `%` and `_` in `q` are literal. A `q` without a word finds nothing.
"""

import re

from sqlalchemy import ColumnElement, Select, and_, case, column, func, literal, literal_column, select, table
from sqlalchemy.dialects import postgresql

from app.extensions import db
from app.lib.sql import is_postgresql
from app.models import Group, Post, User
from app.services import groups, posts, visibility
from app.services.users import FULL_NAME

# Posts: the newest this many matches are ranked (and paged: the list ends there).
RANKED_POSTS = 1000

WORD = re.compile(r"[^\W_]+")  # what both databases' tokenizers keep: letters and digits, `_` separates

# pg_trgm's thresholds for a typo: similarity("jonh", "john") is 0.25 (the default threshold, 0.3, misses it);
# word_similarity finds a misspelt first or last name inside a full name.
SIMILARITY = 0.2
WORD_SIMILARITY = 0.3

# Migration 0011's generated columns (its trigram index's expression is users.FULL_NAME).
POSTS_VECTOR = literal_column("posts.search_vector")
USERS_VECTOR = literal_column("users.search_vector")
POSTS_FTS = table("posts_fts", column("rowid"))
USERS_FTS = table("users_fts", column("rowid"))


def search(viewer: User, kind: str, q: str, paginate: posts.Paginate) -> dict:
    """`kind` (`users`, `posts` or `groups`) matching `q` that the viewer may see, best first, as `paginate` pages
    them."""
    words = WORD.findall(q.lower())
    if not words:
        return {"items": [], "next_cursor": None}
    if kind == "users":
        if is_postgresql():
            _forgive_typos()
        return paginate(_people(viewer, q, words))
    if kind == "groups":
        page = paginate(_groups(q, WORD.findall(q)))  # as typed: the database lowers both sides
        return page | {"items": groups.group_views(viewer, page["items"])}
    page = paginate(_posts(viewer, q, words))
    return page | {"items": posts.post_views(viewer, page["items"])}


# --- people -------------------------------------------------------------------------------------------------


def _people(viewer: User, q: str, words: list[str]) -> Select:
    query = select(User).where(User.is_active, visibility.listed_to(viewer))
    tiers = [_as_int(User.username == q.lower()), _as_int(_starts_with(q))]  # usernames are stored lower-cased
    if is_postgresql():
        return _people_postgresql(query, tiers, q, words)
    match = " ".join(f'"{word}"*' for word in words)
    query = query.join(USERS_FTS, USERS_FTS.c.rowid == User.id).where(
        literal_column("users_fts").bool_op("MATCH")(match)
    )
    return query.order_by(*(tier.desc() for tier in tiers), func.bm25(literal_column("users_fts")), User.id)


def _forgive_typos() -> None:
    """pg_trgm's `%` and `<%` match at the thresholds above, for this transaction only (`set_config(..., true)`)."""
    db.session.execute(
        select(
            func.set_config("pg_trgm.similarity_threshold", str(SIMILARITY), True),
            func.set_config("pg_trgm.word_similarity_threshold", str(WORD_SIMILARITY), True),
        )
    )


def _people_postgresql(query: Select, tiers: list[ColumnElement], q: str, words: list[str]) -> Select:
    prefixes = postgresql.to_tsquery("simple", " & ".join(f"{word}:*" for word in words))
    matches = USERS_VECTOR.bool_op("@@")(prefixes)
    is_similar = User.username.bool_op("%")(q)  # trigram GIN indexes serve `%` and `<%`
    is_in_name = literal(q).bool_op("<%")(FULL_NAME)
    rank = func.ts_rank(USERS_VECTOR, postgresql.websearch_to_tsquery("simple", q))
    similarity = func.greatest(func.similarity(User.username, q), func.word_similarity(q, FULL_NAME))
    return query.where(matches | is_similar | is_in_name).order_by(
        *(tier.desc() for tier in tiers), rank.desc(), similarity.desc(), User.id
    )


def _starts_with(q: str) -> ColumnElement[bool]:
    """The username, first name, last name or full name starts with `q` (any case, wildcards literal)."""
    return (
        User.username.istartswith(q, autoescape=True)
        | User.first_name.istartswith(q, autoescape=True)
        | User.last_name.istartswith(q, autoescape=True)
        | FULL_NAME.startswith(q.lower(), autoescape=True)
    )


def _as_int(condition: ColumnElement[bool]) -> ColumnElement[int]:
    """1 or 0, never NULL (a NULL name would sort a NULL comparison first in a descending order)."""
    return case((condition, 1), else_=0)


# --- posts --------------------------------------------------------------------------------------------------


def _posts(viewer: User, q: str, words: list[str]) -> Select:
    query = select(Post).join(User, User.id == Post.author_id).where(Post.hidden_at.is_(None), posts.seen_by(viewer))
    newest = (Post.created_at.desc(), Post.id.desc())
    if is_postgresql():
        terms = postgresql.websearch_to_tsquery("english", q)
        # Rank the newest matches only: ranking every post with a common word ("run" is in half of them) reads
        # them all, seconds at a million posts; the newest RANKED_POSTS are found by walking the posts' time
        # index (common words) or the GIN index (rare ones), whichever the planner finds cheaper.
        window = query.where(POSTS_VECTOR.bool_op("@@")(terms)).with_only_columns(Post.id).order_by(*newest)
        window = window.limit(RANKED_POSTS).subquery()
        rank = func.ts_rank(POSTS_VECTOR, terms)
        return select(Post).join(window, window.c.id == Post.id).order_by(rank.desc(), *newest)
    match = " ".join(f'"{word}"' for word in words)
    query = query.join(POSTS_FTS, POSTS_FTS.c.rowid == Post.id).where(
        literal_column("posts_fts").bool_op("MATCH")(match)
    )
    return query.order_by(func.bm25(literal_column("posts_fts")), *newest)


# --- groups -------------------------------------------------------------------------------------------------


def _groups(q: str, words: list[str]) -> Select:
    """Every group holding each word in its name or description, private ones too (their name is public)."""
    in_name = [_holds(Group.name, word) for word in words]
    found = [has_word | _holds(Group.description, word) for has_word, word in zip(in_name, words, strict=True)]
    tiers = [
        _as_int(func.lower(Group.name) == func.lower(q)),
        _as_int(Group.name.istartswith(q, autoescape=True)),
        _as_int(and_(*in_name)),
    ]
    return select(Group).where(*found).order_by(*(tier.desc() for tier in tiers), Group.id.desc())


def _holds(text: ColumnElement[str], word: str) -> ColumnElement[bool]:
    """`lower(text) ILIKE '%word%'`, escaped: on a name, the expression migration 0014's trigram index is built on
    (a bare `name ILIKE` would not use it)."""
    return func.lower(text).icontains(word, autoescape=True)
