"""A data export holds one's friendships, the people one blocked and one's tags — and not other people's."""

import io
import json
import zipfile

from app.services.exports import build_zip


def test_an_export_holds_ones_friends_blocks_and_tags_and_nobody_elses(app, social):
    social.befriend("ann", "bob")
    social.befriend("cat", "dan")
    social.block("ann", "cat")
    social.block("dan", "ann")
    social.call("ann", "PATCH", "/profile/", {"tags": ["Yoga", "rowing"], "job": "Nurse"})

    with app.app_context():
        archive = zipfile.ZipFile(io.BytesIO(build_zip(social.ids["ann"])))

    def read(name):
        return json.loads(archive.read(f"{name}.json"))

    ann, bob, cat = social.ids["ann"], social.ids["bob"], social.ids["cat"]
    assert [(row["user_id"], row["friend_id"]) for row in read("friendships")] == [(ann, bob)]
    assert [(row["blocker_id"], row["blocked_id"]) for row in read("blocks")] == [(ann, cat)]
    assert read("profile")["tags"] == ["rowing", "yoga"] and read("profile")["job"] == "Nurse"
    assert "friend_id" in archive.read("friendships.csv").decode().splitlines()[0]
