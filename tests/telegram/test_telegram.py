"""Telegram: linking a chat through the bot's webhook, and messages through the Bot API (a loopback stand-in)."""

import pytest
from rq.job import JobStatus

from app.extensions import db
from app.integrations import telegram
from app.models import User
from app.queueing import get_queue
from tests.conftest import bearer

TOKEN = "123456:TEST-TOKEN"
SECRET = "webhook-secret-abc"


@pytest.fixture
def tg_app(app_factory, bot):
    return app_factory(
        TELEGRAM_BOT_TOKEN=TOKEN,
        TELEGRAM_API_URL=bot.url,
        TELEGRAM_WEBHOOK_SECRET=SECRET,
        TELEGRAM_BOT_USERNAME="StrideBot",
        TELEGRAM_TIMEOUT=1,
    )


@pytest.fixture
def tg_client(tg_app, user):
    return tg_app.test_client()


@pytest.fixture
def alice(tg_client):
    response = tg_client.post("/api/v1/login/", json={"username": "alice", "password": "correct horse battery"})
    return bearer(response.json["access_token"])


def webhook(client, text, chat_id=555, secret=SECRET, header=SECRET):
    headers = {"X-Telegram-Bot-Api-Secret-Token": header} if header is not None else {}
    update = {"update_id": 1, "message": {"message_id": 9, "chat": {"id": chat_id, "type": "private"}, "text": text}}
    return client.post(f"/api/v1/telegram/webhook/{secret}", json=update, headers=headers)


def test_linking_with_a_one_time_code_sent_to_the_bot(tg_app, tg_client, alice, bot):
    link = tg_client.post("/api/v1/telegram/link/", headers=alice)
    assert link.status_code == 201
    code = link.json["code"]
    assert len(code) == 8 and link.json["bot_url"] == f"https://t.me/StrideBot?start={code}"

    response = webhook(tg_client, f"/start {code}")

    assert response.status_code == 200 and response.json == {"ok": True, "result": "linked"}
    assert tg_client.get("/api/v1/profile/", headers=alice).json["telegram_linked"] is True
    with tg_app.app_context():
        assert db.session.scalar(db.select(User.telegram_chat_id)) == "555"
    assert bot.requests[-1]["path"] == f"/bot{TOKEN}/sendMessage"
    assert bot.requests[-1]["json"] == {
        "chat_id": "555",
        "text": "Linked to Stride as alice. Reminders will arrive here.",
    }
    assert bot.requests[-1]["content_type"] == "application/json"


def test_a_code_works_once_and_unknown_codes_are_answered(tg_client, alice, bot):
    code = tg_client.post("/api/v1/telegram/link/", headers=alice).json["code"]
    webhook(tg_client, code)

    again = webhook(tg_client, code, chat_id=777)
    junk = webhook(tg_client, "hello bot", chat_id=778)

    assert again.json["result"] == junk.json["result"] == "unknown_code"
    assert [m["chat_id"] for m in bot.messages()] == ["555", "777", "778"]
    assert "unknown or has expired" in bot.messages()[-1]["text"]


@pytest.mark.parametrize(("secret", "header"), [("wrong", SECRET), (SECRET, "wrong"), (SECRET, None)])
def test_the_webhook_refuses_requests_without_both_secrets(tg_client, alice, bot, secret, header):
    code = tg_client.post("/api/v1/telegram/link/", headers=alice).json["code"]

    response = webhook(tg_client, code, secret=secret, header=header)

    assert response.status_code == 404
    assert tg_client.get("/api/v1/profile/", headers=alice).json["telegram_linked"] is False
    assert bot.requests == []


def test_the_webhook_is_off_without_a_configured_secret(app_factory, bot):
    client = app_factory(TELEGRAM_BOT_TOKEN=TOKEN, TELEGRAM_API_URL=bot.url).test_client()

    assert webhook(client, "ABCDEFGH", secret="", header="").status_code == 404


def test_unlinking(tg_client, alice):
    webhook(tg_client, tg_client.post("/api/v1/telegram/link/", headers=alice).json["code"])

    assert tg_client.delete("/api/v1/telegram/link/", headers=alice).status_code == 204
    assert tg_client.get("/api/v1/profile/", headers=alice).json["telegram_linked"] is False
    assert tg_client.delete("/api/v1/telegram/link/", headers=alice).status_code == 404


def test_linking_needs_a_configured_bot_and_authentication(client, auth_headers):
    assert client.post("/api/v1/telegram/link/", headers=auth_headers).status_code == 503
    assert client.post("/api/v1/telegram/link/").status_code == 401


@pytest.mark.parametrize("failure", ["error", "timeout"])
def test_a_telegram_outage_fails_the_message_job_so_it_is_retried(tg_app, bot, failure):
    if failure == "error":
        bot.status = 500
    else:
        bot.delay = 2  # over TELEGRAM_TIMEOUT=1
    with tg_app.app_context(), pytest.raises(telegram.TelegramError):
        telegram.send_message("555", "hello")


def test_a_failed_message_is_retried_later_and_nothing_else_is_lost(app_factory, bot, user, run_jobs):
    app = app_factory(TELEGRAM_BOT_TOKEN=TOKEN, TELEGRAM_API_URL=bot.url, JOBS_RUN_INLINE=False, TELEGRAM_TIMEOUT=1)
    bot.status = 500
    with app.app_context():
        telegram.send_after_commit("555", "first")
        telegram.send_after_commit("556", "second")
        db.session.commit()
        run_jobs(app, "WARNING")
        jobs = [
            get_queue("high").fetch_job(job_id) for job_id in get_queue("high").scheduled_job_registry.get_job_ids()
        ]

        assert len(bot.messages()) == 2  # both were tried; one failure did not stop the other
        assert sorted(job.args[1] for job in jobs) == ["first", "second"]
        assert {job.get_status() for job in jobs} == {JobStatus.SCHEDULED}
        assert {job.retries_left for job in jobs} == {2}
