"""Leaderboards in Redis sorted sets: a read model the database can always rebuild.

One sorted set per open challenge (member: user id, score: the participant's value in the metric's smallest unit,
an exact integer) and one per ISO week (score: that week's workouts). The services write a person's *absolute*
value after each commit that changes it, so a write repeated or reordered converges on the database's state;
`flask challenges rebuild` (and a read that finds a set missing) writes a set afresh from the database.

A page is one round trip for the rows, the size and the caller's score, and one for the ranks: equal values share
a rank (1, 1, 3), the rank of a value being one more than how many are strictly greater (`ZCOUNT (score +inf`).
"""

from collections.abc import Iterable

from app.extensions import redis_store

CHALLENGE_KEY = "stride:leaderboard:challenge:{}"
WEEKLY_KEY = "stride:leaderboard:weekly:{}"  # the week's Monday, ISO
WEEKLY_TTL = 15 * 24 * 3600  # a week's board is read during the week, and the next for a look back
CHUNK = 5000


def challenge_key(challenge_id: int) -> str:
    return CHALLENGE_KEY.format(challenge_id)


def weekly_key(monday) -> str:
    return WEEKLY_KEY.format(monday.isoformat())


def set_scores(key: str, scores: Iterable[tuple[int, int]], *, keep_zero: bool = True, ttl: int | None = None) -> None:
    """Each `(user id, score)` written as is; a zero score removed unless `keep_zero` (a participant at zero is on
    a challenge's board; nobody is on a week's board without a workout)."""
    with redis_store.client.pipeline(transaction=False) as pipe:
        for user_id, score in scores:
            if score or keep_zero:
                pipe.zadd(key, {str(user_id): score})
            else:
                pipe.zrem(key, str(user_id))
        if ttl:
            pipe.expire(key, ttl)
        pipe.execute()


def remove(key: str, user_id: int) -> None:
    redis_store.client.zrem(key, str(user_id))


def drop(key: str) -> None:
    redis_store.client.delete(key)


def exists(key: str) -> bool:
    return bool(redis_store.client.exists(key))


def replace(key: str, scores: list[tuple[int, int]], *, ttl: int | None = None) -> None:
    """The set becomes exactly `scores`, atomically for readers: built under a temporary key, then renamed."""
    client = redis_store.client
    if not scores:
        client.delete(key)
        return
    building = f"{key}:building"
    client.delete(building)
    for start in range(0, len(scores), CHUNK):
        client.zadd(building, {str(user_id): score for user_id, score in scores[start : start + CHUNK]})
    with client.pipeline(transaction=True) as pipe:
        pipe.rename(building, key)
        if ttl:
            pipe.expire(key, ttl)
        pipe.execute()


def members(key: str) -> dict[int, int]:
    """The whole set, `{user id: score}` (for tests and rebuild checks)."""
    return {int(member): int(score) for member, score in redis_store.client.zrange(key, 0, -1, withscores=True)}


def page(key: str, *, offset: int, limit: int, user_id: int) -> dict:
    """`{rows: [(rank, user id, score)], total, me: (rank, score) | None}`: best first, from `offset`."""
    client = redis_store.client
    with client.pipeline(transaction=False) as pipe:
        if limit > 0:
            pipe.zrevrange(key, offset, offset + limit - 1, withscores=True)
        pipe.zcard(key)
        pipe.zscore(key, str(user_id))
        answers = pipe.execute()
    found, total, mine = answers if limit > 0 else ([], *answers)
    found = [(int(member), int(score)) for member, score in found]
    with client.pipeline(transaction=False) as pipe:
        if found:
            pipe.zcount(key, f"({found[0][1]}", "+inf")
        if mine is not None:
            pipe.zcount(key, f"({int(mine)}", "+inf")
        counts = pipe.execute()
    rows, rank = [], None
    for position, (member, score) in enumerate(found):
        if position == 0:
            rank = counts[0] + 1
        elif score != found[position - 1][1]:
            rank = offset + position + 1
        rows.append((rank, member, score))
    me = (counts[-1] + 1, int(mine)) if mine is not None else None
    return {"rows": rows, "total": total, "me": me}
