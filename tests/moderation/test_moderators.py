"""What moderators (trainers and admins) do: list reports, hide and unhide content, resolve reports; each action
audited, the author told when their content is hidden."""

import pytest

from app.extensions import db
from app.models import Comment, Flag, Post
from app.models.base import utcnow
from tests.factories.moderation import FlagFactory
from tests.factories.posts import CommentFactory
from tests.moderation.conftest import API, audit_events, notifications_of

MODERATORS = ("coach", "stranger", "root")


def stored(app, model, row_id):
    with app.app_context():
        row = db.session.get(model, row_id)
        db.session.expunge(row)
        return row


# --- the list of reports ------------------------------------------------------------------------------------


@pytest.mark.parametrize(("username", "status"), [("alice", 403), ("mallory", 403), *((m, 200) for m in MODERATORS)])
def test_only_trainers_and_admins_list_reports(cast, client, headers_of, username, status):
    assert client.get(f"{API}/flags/", headers=headers_of(username)).status_code == status


def test_the_list_shows_each_open_report_with_its_reporter_and_target(
    app, cast, client, headers_of, make_post, make_comment, report
):
    post = make_post(cast["alice"], text="Buy my protein " * 30)
    comment = make_comment(post, cast["mallory"], text="Rude words")
    report("mallory", post, reason="Advertising")
    report("alice", comment, target_type="comment", reason="Rude")

    response = client.get(f"{API}/flags/", headers=headers_of("coach"))

    assert response.status_code == 200
    first, second = response.json
    assert (first["reason"], second["reason"]) == ("Advertising", "Rude")  # a queue: oldest first
    assert first["reporter"] == {"id": cast["mallory"], "username": "mallory", "avatar": None}
    assert first["target"] == {
        "type": "post",
        "id": post,
        "post_id": None,
        "author": {"id": cast["alice"], "username": "alice", "avatar": None},
        "excerpt": ("Buy my protein " * 30)[:200],
        "is_hidden": False,
    }
    assert second["target"]["type"] == "comment" and second["target"]["post_id"] == post
    assert second["target"]["author"]["username"] == "mallory"
    assert second["target"]["excerpt"] == "Rude words"
    assert response.headers["X-Pagination"]


def test_moderators_read_hidden_content_through_the_list(app, cast, client, headers_of, make_post):
    post = make_post(cast["alice"], text="Hidden words", hidden_at=utcnow(), visibility="private")
    with app.app_context():
        FlagFactory(reporter_id=cast["mallory"], target_id=post)

    (item,) = client.get(f"{API}/flags/", headers=headers_of("stranger")).json

    assert item["target"]["excerpt"] == "Hidden words"
    assert item["target"]["is_hidden"] is True


def test_a_report_whose_target_was_deleted_shows_no_target(app, cast, client, headers_of, make_post, report):
    post = make_post(cast["alice"])
    report("mallory", post)
    with app.app_context():
        db.session.delete(db.session.get(Post, post))
        db.session.commit()

    (item,) = client.get(f"{API}/flags/", headers=headers_of("coach")).json

    assert item["target_id"] == post and item["target"] is None


def test_resolved_reports_are_listed_apart_newest_first(app, cast, client, headers_of, make_post):
    with app.app_context():
        older = FlagFactory(reporter_id=cast["mallory"], status="resolved").id
        newer = FlagFactory(reporter_id=cast["mallory"], status="resolved").id
        still_open = FlagFactory(reporter_id=cast["mallory"]).id
    headers = headers_of("root")

    resolved = client.get(f"{API}/flags/?status=resolved", headers=headers).json
    opened = client.get(f"{API}/flags/?status=open", headers=headers).json

    assert [f["id"] for f in resolved] == [newer, older]
    assert [f["id"] for f in opened] == [still_open]
    assert client.get(f"{API}/flags/?status=closed", headers=headers).status_code == 422


def test_the_list_costs_the_same_queries_for_one_report_as_for_many(app, cast, client, headers_of, count_queries):
    headers = headers_of("coach")

    def seed(n: int) -> None:
        with app.app_context():
            for _ in range(n):
                FlagFactory(reporter_id=cast["mallory"])
                comment = CommentFactory(author_id=cast["alice"]).id
                FlagFactory(reporter_id=cast["mallory"], target_type="comment", target_id=comment)

    def listed() -> tuple[int, int]:
        with count_queries() as counter:
            response = client.get(f"{API}/flags/?page_size=100", headers=headers)
        assert response.status_code == 200
        assert all(item["target"] for item in response.json)
        return len(response.json), counter.count

    seed(1)
    listed()
    few, few_queries = listed()
    seed(10)
    many, many_queries = listed()

    assert (few, many) == (2, 22)
    assert many_queries <= few_queries


# --- hiding and unhiding ------------------------------------------------------------------------------------


@pytest.mark.parametrize("username", ["alice", "mallory"])
@pytest.mark.parametrize("action", ["hide", "unhide"])
def test_users_may_not_hide_or_unhide(cast, make_post, act, username, action):
    post = make_post(cast["alice"])

    assert act(username, action, "post", post).status_code == 403


@pytest.mark.parametrize("action", ["hide", "unhide"])
def test_acting_on_missing_content_is_a_404(cast, act, action):
    assert act("coach", action, "post", 999_999).status_code == 404
    assert act("coach", action, "comment", 999_999).status_code == 404
    assert act("coach", action, "user", 1).status_code == 404  # not a kind of content
    assert act("coach", action, "post", 2**31).status_code == 404
    assert act("coach", action, "post", -1).status_code == 404
    assert act("coach", action, "post", "one").status_code == 404


@pytest.mark.parametrize("moderator", MODERATORS)
def test_hiding_a_post_stores_who_and_when_and_tells_the_author(app, cast, make_post, act, emitted, moderator):
    post = make_post(cast["alice"], visibility="private")

    response = act(moderator, "hide", "post", post, json={"reason": "Advertising"})

    assert response.status_code == 200, response.json
    assert response.json | {"hidden_at": None} == {
        "target_type": "post",
        "target_id": post,
        "author_id": cast["alice"],
        "is_hidden": True,
        "hidden_at": None,
    }
    row = stored(app, Post, post)
    assert row.hidden_at is not None and row.hidden_by_id == cast[moderator]
    (notice,) = notifications_of(app, cast["alice"])
    assert notice == {
        "type": "system",
        "message": "A moderator hid your post: Advertising",
        "data": {"event": "content_hidden", "target_type": "post", "target_id": post, "reason": "Advertising"},
        "target": ("post", post),
        "actor": None,  # the author is not told which moderator
    }
    assert [(user, name) for user, name, _ in emitted if name == "notification"] == [(cast["alice"], "notification")]
    (event,) = audit_events(app, "content_hidden")
    assert event["user_id"] == cast["alice"] and event["actor_id"] == cast[moderator]
    assert event["details"] == {
        "actor": {"id": cast[moderator], "username": moderator},
        "target_type": "post",
        "target_id": post,
        "reason": "Advertising",
    }


def test_hiding_without_a_body_or_a_reason_works(app, cast, make_post, make_comment, client, headers_of):
    post = make_post(cast["mallory"])
    comment = make_comment(post, cast["alice"])

    response = client.post(f"{API}/comment/{comment}/hide/", headers=headers_of("coach"))

    assert response.status_code == 200, response.json
    assert stored(app, Comment, comment).hidden_by_id == cast["coach"]
    (notice,) = notifications_of(app, cast["alice"])
    assert notice["message"] == "A moderator hid your comment."
    assert notice["data"] == {
        "event": "content_hidden",
        "target_type": "comment",
        "target_id": comment,
        "post_id": post,
    }
    assert "reason" not in audit_events(app, "content_hidden")[0]["details"]


def test_hiding_twice_changes_nothing_the_second_time(app, cast, make_post, act):
    post = make_post(cast["alice"])
    first = act("coach", "hide", "post", post).json

    second = act("stranger", "hide", "post", post)

    assert second.status_code == 200 and second.json == first
    assert stored(app, Post, post).hidden_by_id == cast["coach"]
    assert len(notifications_of(app, cast["alice"])) == 1
    assert len(audit_events(app, "content_hidden")) == 1


def test_a_moderator_hiding_their_own_post_is_not_notified(app, cast, make_post, act):
    post = make_post(cast["coach"])

    assert act("coach", "hide", "post", post).status_code == 200
    assert notifications_of(app, cast["coach"]) == []


@pytest.mark.parametrize("reason", ["", "  ", "x" * 501, "bad\x00"])
def test_a_bad_hide_reason_is_a_422_naming_it(cast, make_post, act, reason):
    response = act("coach", "hide", "post", make_post(cast["alice"]), json={"reason": reason})

    assert response.status_code == 422
    assert "reason" in response.json["errors"]["json"]


def test_hiding_resolves_the_targets_open_reports(app, cast, make_post, report, act):
    post = make_post(cast["alice"])
    other = make_post(cast["alice"])
    flags = [report(name, post).json["id"] for name in ("mallory", "stranger")]
    untouched = report("mallory", other).json["id"]

    act("coach", "hide", "post", post)

    for flag_id in flags:
        flag = stored(app, Flag, flag_id)
        assert (flag.status, flag.resolved_by_id) == ("resolved", cast["coach"]) and flag.resolved_at
    assert stored(app, Flag, untouched).status == "open"
    events = audit_events(app, "flag_resolved")
    assert sorted(e["details"]["flag_id"] for e in events) == sorted(flags)
    assert all(e["details"]["hidden"] is True and e["actor_id"] == cast["coach"] for e in events)


def test_unhiding_clears_the_mark_and_is_audited(app, cast, make_post, make_comment, act):
    comment = make_comment(make_post(cast["mallory"]), cast["alice"])
    act("coach", "hide", "comment", comment)

    response = act("root", "unhide", "comment", comment)

    assert response.status_code == 200
    assert response.json["is_hidden"] is False and response.json["hidden_at"] is None
    row = stored(app, Comment, comment)
    assert (row.hidden_at, row.hidden_by_id) == (None, None)
    (event,) = audit_events(app, "content_unhidden")
    assert event["actor_id"] == cast["root"] and event["user_id"] == cast["alice"]
    assert event["details"]["target_type"] == "comment" and event["details"]["target_id"] == comment


def test_unhiding_visible_content_changes_nothing(app, cast, make_post, act):
    post = make_post(cast["alice"])

    response = act("coach", "unhide", "post", post)

    assert response.status_code == 200 and response.json["is_hidden"] is False
    assert audit_events(app, "content_unhidden") == []


def test_nothing_is_stored_or_pushed_when_hiding_fails_after_the_notice(
    app, cast, make_post, act, emitted, monkeypatch, headers_of
):
    from app.services import moderation

    post = make_post(cast["alice"])
    headers_of("coach")  # logged in before the failure is planted
    notify = moderation.notifications.notify

    def notify_then_fail(*args, **kwargs):
        notify(*args, **kwargs)
        raise RuntimeError("something after the notice failed")

    monkeypatch.setattr(moderation.notifications, "notify", notify_then_fail)
    app.config["PROPAGATE_EXCEPTIONS"] = False

    assert act("coach", "hide", "post", post).status_code == 500
    assert emitted == [] and notifications_of(app, cast["alice"]) == []
    assert stored(app, Post, post).hidden_at is None
    assert audit_events(app, "content_hidden") == []


# --- resolving reports --------------------------------------------------------------------------------------


def resolve(client, headers_of, username, flag_id, **body):
    return client.post(f"{API}/flags/{flag_id}/resolve/", json=body, headers=headers_of(username))


@pytest.mark.parametrize(("username", "status"), [("alice", 403), ("mallory", 403), *((m, 200) for m in MODERATORS)])
def test_only_moderators_resolve_reports(cast, client, headers_of, make_post, report, username, status):
    flag = report("mallory", make_post(cast["alice"])).json["id"]

    assert resolve(client, headers_of, username, flag).status_code == status


def test_resolving_closes_the_report_and_is_audited_with_the_note(app, cast, client, headers_of, make_post, report):
    post = make_post(cast["alice"])
    flag = report("mallory", post).json["id"]

    response = resolve(client, headers_of, "coach", flag, note="Not spam, just enthusiastic")

    assert response.status_code == 200
    assert response.json["status"] == "resolved" and response.json["resolved_by_id"] == cast["coach"]
    assert response.json["resolved_at"]
    assert stored(app, Post, post).hidden_at is None  # not hidden unless asked
    (event,) = audit_events(app, "flag_resolved")
    assert event["actor_id"] == cast["coach"]
    assert event["details"] | {"actor": None} == {
        "actor": None,
        "flag_id": flag,
        "target_type": "post",
        "target_id": post,
        "hidden": False,
        "note": "Not spam, just enthusiastic",
    }
    assert notifications_of(app, cast["alice"]) == []


def test_resolving_a_resolved_report_is_a_409(cast, client, headers_of, make_post, report):
    flag = report("mallory", make_post(cast["alice"])).json["id"]
    resolve(client, headers_of, "coach", flag)

    response = resolve(client, headers_of, "root", flag)

    assert response.status_code == 409
    assert "already resolved" in response.json["message"]


def test_resolving_with_hide_hides_the_target_and_closes_its_other_reports(
    app, cast, client, headers_of, make_post, make_comment, report
):
    comment = make_comment(make_post(cast["mallory"]), cast["alice"])
    flag = report("mallory", comment, target_type="comment").json["id"]
    other = report("coach", comment, target_type="comment").json["id"]

    response = resolve(client, headers_of, "stranger", flag, hide=True)

    assert response.status_code == 200 and response.json["status"] == "resolved"
    assert stored(app, Comment, comment).hidden_by_id == cast["stranger"]
    assert stored(app, Flag, other).status == "resolved"
    (notice,) = notifications_of(app, cast["alice"])
    assert notice["message"] == "A moderator hid your comment."  # not the reporter's words
    assert len(audit_events(app, "content_hidden")) == 1
    events = {e["details"]["flag_id"]: e["details"]["hidden"] for e in audit_events(app, "flag_resolved")}
    assert events == {flag: True, other: True}


def test_resolving_with_hide_a_report_of_deleted_content_just_resolves_it(app, cast, client, headers_of, make_post):
    post = make_post(cast["alice"])
    with app.app_context():
        flag = FlagFactory(reporter_id=cast["mallory"], target_id=post).id
        db.session.delete(db.session.get(Post, post))
        db.session.commit()

    response = resolve(client, headers_of, "coach", flag, hide=True)

    assert response.status_code == 200 and response.json["status"] == "resolved"
    assert audit_events(app, "flag_resolved")[0]["details"]["hidden"] is False


def test_a_missing_report_is_a_404(cast, client, headers_of):
    assert resolve(client, headers_of, "coach", 999_999).status_code == 404
    assert client.post(f"{API}/flags/{2**31}/resolve/", json={}, headers=headers_of("coach")).status_code == 404


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"hide": "maybe"}, "hide"),
        ({"note": ""}, "note"),
        ({"note": "x" * 501}, "note"),
        ({"note": "a\x00"}, "note"),
        ({"status": "open"}, "status"),
    ],
)
def test_a_bad_resolve_body_is_a_422_naming_the_field(cast, client, headers_of, make_post, report, body, field):
    flag = report("mallory", make_post(cast["alice"])).json["id"]

    response = resolve(client, headers_of, "coach", flag, **body)

    assert response.status_code == 422
    assert field in response.json["errors"]["json"]
