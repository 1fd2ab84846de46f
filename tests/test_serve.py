"""`sanad serve` as a user runs it: a subprocess against the fake Bot API, stopped with
SIGINT; a missing or rejected token; webhook mode."""

from __future__ import annotations

import json
import shutil
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from bot.cli import REVOKED_TOKEN
from harness.fake_telegram import TOKEN, FakeTelegram
from harness.seeds import sanad_free_environ
from harness.stops import exit_on_revocation
from index.cli import EXIT_ERROR
from tests.conftest import SANAD, SEEDS, run_sanad

QUESTION = "ماذا قال رودينكو عن أوزبكستان؟"


def env_for(tmp_path: Path, fake: FakeTelegram, **extra: str) -> dict[str, str]:
    shutil.copytree(SEEDS, tmp_path / "seeds", dirs_exist_ok=True)
    env = sanad_free_environ()
    env.update(
        SANAD_TELEGRAM_TOKEN=TOKEN,
        SANAD_TELEGRAM_BASE_URL=fake.base_url,
        CAMELTOOLS_DATA=str(tmp_path / "none"),
        PYTHONUNBUFFERED="1",
    )
    env.update(extra)
    return env


def serve(tmp_path: Path, env: dict[str, str], *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [SANAD, *args, "serve"],
        cwd=tmp_path,
        env=env,
        text=True,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


def stop(proc: subprocess.Popen[str]) -> tuple[int, str]:
    proc.send_signal(signal.SIGINT)
    try:
        _, err = proc.communicate(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
        _, err = proc.communicate()
    return proc.returncode, err


@pytest.mark.slow
def test_serve_answers_and_stops_cleanly_on_sigint(tmp_path: Path, fake: FakeTelegram) -> None:
    env = env_for(tmp_path, fake)
    # the token as systemd hands it over (LoadCredential=telegram-token:…), not in the env
    credentials = tmp_path / "credentials"
    credentials.mkdir()
    (credentials / "telegram-token").write_text(env.pop("SANAD_TELEGRAM_TOKEN") + "\n")
    env["CREDENTIALS_DIRECTORY"] = str(credentials)
    proc = serve(tmp_path, env, "-v")
    try:
        fake.wait_for(lambda: fake.sent("getUpdates"), timeout=30)
        fake.message(1001, QUESTION)
        [answer] = fake.wait_sent("sendMessage", 1001, timeout=15)
        assert "<b>رودينكو</b>" in answer.params["text"]
        status = run_sanad("status", "--json", cwd=tmp_path, env=env)  # an operator looks
        assert status.returncode == 0, status.stderr
        running = json.loads(status.stdout)
        assert running["bot"]["running"] and running["bot"]["mode"] == "polling"
        assert running["bot"]["pid"] == proc.pid and running["bot"]["heard"] is not None
        assert (running["documents"], running["sentences"]) == (1, 25)
    finally:
        code, err = stop(proc)
    assert code == 0, err
    after = run_sanad("status", cwd=tmp_path, env=env)
    assert after.returncode == 3 and after.stdout.startswith("bot: not running")
    assert "collection: generation 1, 1 document, 25 sentences" in after.stdout
    assert TOKEN not in err and TOKEN.split(":")[1] not in err  # DEBUG logs included (-v)
    assert "getMe" in err or "serving" in err


@pytest.mark.slow
def test_telegram_out_of_reach_at_start_is_waited_for_quietly(
    tmp_path: Path, fake: FakeTelegram
) -> None:
    env = env_for(tmp_path, fake)
    fake.go_offline()  # the network is not up yet when the service starts
    proc = serve(tmp_path, env)
    try:
        time.sleep(4)
        assert proc.poll() is None  # still there, trying
        fake.go_online()
        fake.wait_for(lambda: fake.sent("getUpdates"), timeout=60)
        fake.message(1001, QUESTION)
        [answer] = fake.wait_sent("sendMessage", 1001, timeout=15)
    finally:
        code, err = stop(proc)
    assert "<b>رودينكو</b>" in answer.params["text"]
    said = [line for line in err.splitlines() if "Telegram" in line]
    assert len([s for s in said if "cannot reach" in s]) <= 1  # at most once, however long
    assert not [s for s in said if "did not reach" in s]  # no line per retry
    assert "Traceback" not in err and code == 0


def test_a_missing_token_stops_with_one_clear_line(tmp_path: Path, fake: FakeTelegram) -> None:
    env = env_for(tmp_path, fake)
    env.pop("SANAD_TELEGRAM_TOKEN")
    done = run_sanad("serve", cwd=tmp_path, env=env)
    assert done.returncode == EXIT_ERROR
    assert done.stderr.strip().splitlines() == [
        "sanad: error: no Telegram bot token: set telegram.token in the config file, "
        "SANAD_TELEGRAM_TOKEN, or a systemd credential named telegram-token"
    ]


def test_a_rejected_token_stops_with_one_clear_line_and_is_never_printed(
    tmp_path: Path, fake: FakeTelegram
) -> None:
    wrong = "999999:WRONG-secret-part"
    env = env_for(tmp_path, fake, SANAD_TELEGRAM_TOKEN=wrong)
    done = run_sanad("serve", cwd=tmp_path, env=env)
    assert done.returncode == EXIT_ERROR
    assert (
        done.stderr.strip()
        .splitlines()[-1]
        .startswith("sanad: error: Telegram rejected the bot token")
    )
    assert "WRONG-secret-part" not in done.stderr + done.stdout


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def post(url: str, payload: dict, secret: str) -> int:
    request = urllib.request.Request(
        url,
        data=json.dumps(payload).encode(),
        method="POST",
        headers={"Content-Type": "application/json", "X-Telegram-Bot-Api-Secret-Token": secret},
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code
    except urllib.error.URLError:
        return 0  # not listening yet


def test_webhook_mode_registers_the_hook_and_answers_posted_updates(
    tmp_path: Path, fake: FakeTelegram
) -> None:
    port = free_port()
    hook = f"http://127.0.0.1:{port}/sanad/hook"  # the server listens on the URL's own path
    env = env_for(
        tmp_path,
        fake,
        SANAD_TELEGRAM_WEBHOOK_URL=hook,
        SANAD_TELEGRAM_WEBHOOK_PORT=str(port),
        SANAD_TELEGRAM_WEBHOOK_SECRET="s3cret",
    )
    proc = serve(tmp_path, env)
    try:
        fake.wait_for(lambda: fake.webhook, timeout=30)
        assert fake.webhook["url"] == hook and fake.webhook["secret_token"] == "s3cret"
        chat = fake.add_chat(2002)
        update = {
            "update_id": 1,
            "message": {
                "message_id": 5,
                "date": 0,
                "chat": chat,
                "from": fake.user(2002),
                "text": QUESTION,
            },
        }
        fake.messages[(2002, 5)] = update["message"]
        # the hook may start listening just after setWebhook: wait for it
        assert fake.wait_for(lambda: post(hook, update, "wrong") == 403, timeout=10)
        assert fake.wait_for(lambda: post(hook, update, "s3cret") == 200, timeout=10)
        [answer] = fake.wait_sent("sendMessage", 2002, timeout=15)
        assert "<b>رودينكو</b>" in answer.params["text"]
        assert not fake.sent("getUpdates")
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=10) as health:
            body = json.loads(health.read())
        assert health.status == 200 and body["ok"] and body["sentences"] == 25
        assert body["heard_s_ago"] is not None  # the post above was Telegram heard
    finally:
        code, err = stop(proc)
    assert code == 0, err
    assert "s3cret" not in err


def raw_post(url: str, body: bytes, secret: str | None) -> int:
    headers = {"Content-Type": "application/json"}
    if secret is not None:
        headers["X-Telegram-Bot-Api-Secret-Token"] = secret
    request = urllib.request.Request(url, data=body, method="POST", headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code
    except urllib.error.URLError:
        return 0


def status_before_body(port: int, length: int, secret: str) -> int:
    """The status the webhook answers a post with, given its headers alone."""
    head = (
        f"POST /telegram HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        f"X-Telegram-Bot-Api-Secret-Token: {secret}\r\nContent-Length: {length}\r\n\r\n"
    )
    with socket.create_connection(("127.0.0.1", port), timeout=10) as connection:
        connection.sendall(head.encode())
        status_line = connection.makefile("rb").readline().decode()
    return int(status_line.split()[1])


def test_a_webhook_without_a_configured_secret_still_checks_one(
    tmp_path: Path, fake: FakeTelegram
) -> None:
    port = free_port()
    hook = f"http://127.0.0.1:{port}/telegram"
    admin = 4242
    env = env_for(
        tmp_path,
        fake,
        SANAD_TELEGRAM_WEBHOOK_URL=hook,
        SANAD_TELEGRAM_WEBHOOK_PORT=str(port),
        SANAD_TELEGRAM_ADMINS=str(admin),
    )
    proc = serve(tmp_path, env)
    try:
        fake.wait_for(lambda: fake.webhook, timeout=30)
        secret = fake.webhook["secret_token"]
        assert secret and len(secret) >= 32  # generated, and registered with setWebhook
        chat = fake.add_chat(admin)
        forged = {  # claims to be the admin, without the secret
            "update_id": 7,
            "message": {
                "message_id": 9,
                "date": 0,
                "chat": chat,
                "from": fake.user(admin),
                "text": "/reload",
                "entities": [{"type": "bot_command", "offset": 0, "length": 7}],
            },
        }
        body = json.dumps(forged).encode()
        assert fake.wait_for(lambda: raw_post(hook, body, None) == 403, timeout=10)
        assert raw_post(hook, body, "guess") == 403
    finally:
        code, err = stop(proc)
    assert code == 0, err
    assert not fake.sent("sendMessage")  # nothing ran
    assert secret not in err


@pytest.mark.slow
def test_a_webhook_update_posted_twice_at_once_is_answered_once_and_junk_gets_400(
    tmp_path: Path, fake: FakeTelegram
) -> None:
    port = free_port()
    hook = f"http://127.0.0.1:{port}/telegram"
    env = env_for(
        tmp_path,
        fake,
        SANAD_TELEGRAM_WEBHOOK_URL=hook,
        SANAD_TELEGRAM_WEBHOOK_PORT=str(port),
        SANAD_TELEGRAM_WEBHOOK_SECRET="s3cret",
    )
    proc = serve(tmp_path, env)
    try:
        fake.wait_for(lambda: fake.webhook, timeout=30)
        assert fake.wait_for(lambda: raw_post(hook, b"{", "s3cret") == 400, timeout=10)
        junk = [b"", b"\xff\xfe", b"[" * 100_000, b'{"update_id": "1"}', b"[1, 2]"]
        assert [raw_post(hook, body, "s3cret") for body in junk] == [400] * len(junk)
        # a 99 MB post is answered from its headers, before any of its body is sent
        assert status_before_body(port, 99_000_000, "s3cret") == 413
        assert status_before_body(port, 99_000_000, "wrong") == 403
        chat = fake.add_chat(2002)
        message = {"message_id": 5, "date": 0, "chat": chat, "from": fake.user(2002)}
        fake.messages[(2002, 5)] = message
        unreadable = {"update_id": 2, "message": {"message_id": 4, "text": QUESTION}}  # no chat
        assert raw_post(hook, json.dumps(unreadable).encode(), "s3cret") == 200  # not again
        body = json.dumps({"update_id": 3, "message": {**message, "text": QUESTION}}).encode()
        with ThreadPoolExecutor(4) as pool:  # Telegram retrying before the first got its 200
            codes = list(pool.map(lambda _: raw_post(hook, body, "s3cret"), range(4)))
        assert codes == [200] * 4
        fake.wait_sent("sendMessage", 2002, timeout=15)
        time.sleep(1.0)
    finally:
        code, err = stop(proc)
    assert code == 0, err
    assert len(fake.sent("sendMessage", 2002)) == 1
    assert err.count("refused a post that is no update") == 6  # one line each
    assert err.count("update 2 cannot be read") == 1


@pytest.mark.slow
def test_a_second_serve_on_the_same_data_folder_refuses_and_nothing_is_doubled(
    tmp_path: Path, fake: FakeTelegram
) -> None:
    # two bots on one folder replayed each other's journal: 216 of 300 answered twice
    env = env_for(tmp_path, fake)
    chats = [6000 + n for n in range(30)]
    for n in range(300):  # a backlog waiting when both start
        fake.message(chats[n % 30], QUESTION)
    first = serve(tmp_path, env)
    try:
        fake.wait_for(lambda: fake.sent("getUpdates"), timeout=30)
        second = subprocess.run(
            [SANAD, "serve"], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60
        )
        fake.wait_for(lambda: sum(len(fake.sent("sendMessage", c)) for c in chats) >= 300, 60)
        time.sleep(1.0)  # and nothing more comes
    finally:
        code, err = stop(first)
    assert second.returncode == EXIT_ERROR
    assert second.stderr.strip().splitlines() == [
        f"sanad: error: another sanad serve is answering from this data folder; one bot per "
        f"data folder (stop it first, or give this one its own index.path) (process {first.pid})"
    ]
    assert code == 0, err
    assert [len(fake.sent("sendMessage", c)) for c in chats] == [10] * 30  # 0 lost, 0 doubled


@pytest.mark.slow
def test_a_token_revoked_in_webhook_mode_stops_the_bot_with_one_line(
    tmp_path: Path, fake: FakeTelegram
) -> None:
    # with a webhook nothing asked Telegram anything: still "healthy" 30 s after revocation
    port = free_port()
    env = env_for(
        tmp_path,
        fake,
        SANAD_TELEGRAM_WEBHOOK_URL=f"http://127.0.0.1:{port}/telegram",
        SANAD_TELEGRAM_WEBHOOK_PORT=str(port),
        SANAD_TELEGRAM_WEBHOOK_TOKEN_CHECK_S="1",
    )
    proc = serve(tmp_path, env)
    err = exit_on_revocation(
        proc,
        lambda: fake.wait_for(lambda: fake.webhook, timeout=30),
        lambda: fake.fail("getMe", 401, "Unauthorized", times=None),
    )
    assert proc.returncode == EXIT_ERROR
    assert err.strip().splitlines()[-1] == f"sanad: error: {REVOKED_TOKEN}"
