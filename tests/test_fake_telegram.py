"""The fake Bot API refuses what Telegram refuses, so bot tests cannot pass on bad output."""

import json
import urllib.error
import urllib.parse
import urllib.request

import pytest

from harness.fake_telegram import TOKEN, FakeTelegram, parse_html


@pytest.fixture
def fake(fake: FakeTelegram) -> FakeTelegram:
    fake.add_chat(1)  # the strict fake of conftest.py, with one private chat
    return fake


def call(fake: FakeTelegram, method: str, token: str = TOKEN, **params) -> tuple[int, dict]:
    body = urllib.parse.urlencode(
        {k: v if isinstance(v, str) else json.dumps(v) for k, v in params.items()}
    ).encode()
    url = f"http://127.0.0.1:{fake.port}/bot{token}/{method}"
    try:
        with urllib.request.urlopen(urllib.request.Request(url, data=body), timeout=5) as r:
            return r.status, json.load(r)
    except urllib.error.HTTPError as exc:
        return exc.code, json.load(exc)


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("<b>غير مغلق", "Can't find end tag"),
        ("<div>x</div>", 'Unsupported start tag "div"'),
        ("a < b", "Unexpected end of name token"),
        ("fish & chips", "must be escaped"),
        ("<blockquote><blockquote>x</blockquote></blockquote>", "can't be nested"),
        ("<b><i>x</b></i>", "Can't find end tag"),
    ],
)
def test_bad_html_is_refused_like_telegram_does(fake: FakeTelegram, text: str, error: str) -> None:
    status, reply = call(fake, "sendMessage", chat_id=1, text=text, parse_mode="HTML")
    assert status == 400 and "can't parse entities" in reply["description"]
    assert error in reply["description"]


def test_good_html_is_accepted_and_measured_after_parsing() -> None:
    assert (
        parse_html("<blockquote>أ <b>ب</b> &lt;ج&gt; &amp; &#1583;</blockquote>") == "أ ب <ج> & د"
    )


def test_length_limits_count_visible_text(fake: FakeTelegram) -> None:
    ok, _ = call(
        fake, "sendMessage", chat_id=1, text="<b>" + "ا" * 4096 + "</b>", parse_mode="HTML"
    )
    too_long, reply = call(fake, "sendMessage", chat_id=1, text="ا" * 4097)
    empty, _ = call(fake, "sendMessage", chat_id=1, text="<b> </b>", parse_mode="HTML")
    assert (ok, too_long, empty) == (200, 400, 400)
    assert reply["description"] == "Bad Request: message is too long"


def test_callback_data_over_64_bytes_is_refused(fake: FakeTelegram) -> None:
    markup = {"inline_keyboard": [[{"text": "x", "callback_data": "ب" * 33}]]}
    status, reply = call(fake, "sendMessage", chat_id=1, text="x", reply_markup=markup)
    assert status == 400 and reply["description"] == "Bad Request: BUTTON_DATA_INVALID"


def test_unknown_chats_and_tokens_are_refused(fake: FakeTelegram) -> None:
    assert call(fake, "sendMessage", chat_id=99, text="x")[0] == 400
    assert call(fake, "getMe", token="1:wrong")[0] == 401


def test_injected_429_carries_retry_after(fake: FakeTelegram) -> None:
    fake.fail("sendMessage", 429, "Too Many Requests: retry after 3", retry_after=3)
    status, reply = call(fake, "sendMessage", chat_id=1, text="x")
    assert status == 429 and reply["parameters"]["retry_after"] == 3
    assert call(fake, "sendMessage", chat_id=1, text="x")[0] == 200
