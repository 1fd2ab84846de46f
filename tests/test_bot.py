"""The bot end to end: python-telegram-bot's real polling loop against the fake Bot API."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot import texts
from bot.limits import RateLimiter
from bot.sessions import Sessions
from harness.bot import ADMIN, make_services, running_bot
from harness.fake_telegram import BOT_USERNAME, TOKEN, FakeTelegram, buttons, parse_html
from index.retrieval.answers import Answer

QUESTION = "ماذا قال رودينكو عن أوزبكستان؟"
USER = 1001
GROUP = -100500


@pytest.fixture
def bot(fake: FakeTelegram, tmp_path: Path) -> Iterator[FakeTelegram]:
    services = make_services(tmp_path)
    with running_bot(fake, services):
        yield fake


def last_bot_message(fake: FakeTelegram, chat_id: int) -> dict:
    return fake.bot_messages(chat_id)[-1]


def ask(fake: FakeTelegram, text: str, chat_id: int = USER) -> tuple[dict, dict]:
    """Send a private question; return (the question, the bot's answer message)."""
    before = len(fake.bot_messages(chat_id))
    question = fake.message(chat_id, text)
    fake.wait_for(lambda: len(fake.bot_messages(chat_id)) > before)
    return question, fake.bot_messages(chat_id)[before]


# -- a private question ---------------------------------------------------------------


def test_mission_question_gets_quoted_cited_sentences(bot: FakeTelegram) -> None:
    question, answer = ask(bot, QUESTION)
    [call] = bot.sent("sendMessage", USER)
    html = call.params["text"]
    assert call.params["parse_mode"] == "HTML"
    assert call.params["reply_parameters"]["message_id"] == question["message_id"]
    assert call.params["link_preview_options"] == {"is_disabled": True}
    assert html.count("<blockquote>") == 3
    assert "كما أشار <b>رودينكو</b> إلى أن روسيا <b>وأوزبكستان</b>" in html
    assert "الجملة 14 من 25" in html
    first_quote = html.split("</blockquote>")[0]
    assert "رودينكو" in first_quote and "أوزبكستان" in first_quote
    assert set(buttons(answer)) == {"المزيد", "السياق", "👍", "👎"}
    assert all(len(d.encode()) <= 64 for d in buttons(answer).values())


def test_typing_is_shown_before_the_answer(bot: FakeTelegram) -> None:
    ask(bot, QUESTION)
    methods = [c.method for c in bot.sent(chat_id=USER)]
    assert methods.index("sendChatAction") < methods.index("sendMessage")
    assert bot.sent("sendChatAction", USER)[0].params["action"] == "typing"


def test_no_answer_says_so_with_a_hint_and_no_buttons(bot: FakeTelegram) -> None:
    _, answer = ask(bot, "ما هي عاصمة البرازيل؟")
    assert "لا تتضمن الوثائق المتاحة إجابة" in answer["text"]
    assert "نصيحة" in answer["text"]
    assert "reply_markup" not in answer


def test_html_in_a_question_is_escaped_and_still_answered(bot: FakeTelegram) -> None:
    _, answer = ask(bot, "<b>رودينكو</b> & <i>أوزبكستان</i>")
    assert "رودينكو" in answer["text"]
    _, answer = ask(bot, "<script>alert(1)</script>")
    assert "لم أجد في السؤال كلمات" in answer["text"] or "بالعربية" in answer["text"]


# -- buttons --------------------------------------------------------------------------


def test_more_pages_through_results_in_place(bot: FakeTelegram) -> None:
    _, answer = ask(bot, QUESTION)
    first_page = answer["text"]
    bot.press(answer, buttons(answer)["المزيد"])
    [edit] = bot.wait_sent("editMessageText", USER)
    assert edit.params["message_id"] == answer["message_id"]
    assert "نتائج إضافية (4–6)" in edit.params["text"]
    edited = last_bot_message(bot, USER)
    assert edited["message_id"] == answer["message_id"] and edited["text"] != first_page
    assert "السابق" in buttons(edited)
    bot.press(edited, buttons(edited)["السابق"])
    bot.wait_sent("editMessageText", USER, count=2)
    assert last_bot_message(bot, USER)["text"] == first_page
    bot.wait_for(lambda: not bot.unanswered_callbacks())


def test_context_shows_the_neighbours_of_the_top_hit(bot: FakeTelegram) -> None:
    _, answer = ask(bot, QUESTION)
    bot.press(answer, buttons(answer)["السياق"])
    [_, context] = bot.wait_sent("sendMessage", USER, count=2)
    text = context.params["text"]
    assert "السياق" in text
    assert "<b>كما أشار رودينكو" in text  # the hit itself, in bold
    assert "20 مشروع اتفاقيات بين روسيا وأوزبكستان" in text  # sentence 13
    assert "لدينا حوالي 20 مشروع" in text  # sentence 16
    bot.wait_for(lambda: not bot.unanswered_callbacks())


def test_votes_are_stored_and_answered_with_a_toast(fake: FakeTelegram, tmp_path: Path) -> None:
    services = make_services(tmp_path)
    with running_bot(fake, services):
        _, answer = ask(fake, QUESTION)
        query_id = fake.press(answer, buttons(answer)["👍"])
        fake.wait_for(lambda: fake.callbacks[query_id])
        fake.press(answer, buttons(answer)["👎"])
        fake.wait_sent("answerCallbackQuery", count=2)
    toast = fake.sent("answerCallbackQuery")[0].params
    assert toast["text"] == texts.THANKS and not toast.get("show_alert")
    votes = services.feedback.all()
    assert [v[3] for v in votes] == [True, False]
    question, shown, chat_hash, _, at = votes[0]
    assert question == QUESTION and len(shown) == 3 and at
    assert str(USER) not in chat_hash and chat_hash == services.feedback.chat_hash(USER)


def test_an_expired_button_answers_with_an_alert(fake: FakeTelegram, tmp_path: Path) -> None:
    services = make_services(tmp_path, sessions=Sessions(ttl=-1))
    with running_bot(fake, services):
        _, answer = ask(fake, QUESTION)
        query_id = fake.press(answer, buttons(answer)["المزيد"])
        fake.wait_for(lambda: fake.callbacks[query_id])
    [alert] = fake.sent("answerCallbackQuery")
    assert alert.params["show_alert"] is True and alert.params["text"] == texts.EXPIRED
    assert not fake.sent("editMessageText")


def test_a_button_from_an_old_keyboard_is_still_answered(bot: FakeTelegram) -> None:
    _, answer = ask(bot, QUESTION)
    answer["reply_markup"] = {"inline_keyboard": [[{"text": "قديم", "callback_data": "v1:x"}]]}
    query_id = bot.press(answer, "v1:x")
    bot.wait_for(lambda: bot.callbacks[query_id])
    [alert] = bot.sent("answerCallbackQuery")
    assert alert.params["show_alert"] is True


def test_start_offers_an_example_that_answers_when_pressed(bot: FakeTelegram) -> None:
    bot.message(USER, "/start")
    [welcome] = bot.wait_sent("sendMessage", USER)
    assert "أهلًا بك في <b>سند</b>" in welcome.params["text"]
    message = last_bot_message(bot, USER)
    bot.press(message, buttons(message)[QUESTION])
    calls = bot.wait_sent("sendMessage", USER, count=3)
    assert "<blockquote>" in calls[2].params["text"]
    assert (
        calls[2].params["reply_parameters"]["message_id"]
        == (bot.bot_messages(USER)[1]["message_id"])
    )
    bot.wait_for(lambda: not bot.unanswered_callbacks())


def test_the_deep_link_from_inline_mode_opens_the_help(bot: FakeTelegram) -> None:
    bot.message(USER, "/start help")
    [call] = bot.wait_sent("sendMessage", USER)
    assert "كيف تسأل" in call.params["text"]


def test_help_and_sources(bot: FakeTelegram) -> None:
    bot.message(USER, "/help")
    [help_call] = bot.wait_sent("sendMessage", USER)
    assert "كيف تسأل" in help_call.params["text"] and f"@{BOT_USERNAME}" in help_call.params["text"]
    bot.message(USER, "/sources")
    calls = bot.wait_sent("sendMessage", USER, count=2)
    assert "وثيقة واحدة، 25 جملة" in calls[1].params["text"]  # counted as Arabic counts
    assert "أكد نائب وزير الخارجية الروسي" in calls[1].params["text"]


def test_the_command_menu_is_set_in_arabic_for_private_chats_and_groups(
    bot: FakeTelegram,
) -> None:
    calls = bot.sent("setMyCommands")
    scopes = {(c.params["scope"]["type"], c.params.get("language_code")) for c in calls}
    assert scopes == {
        ("all_private_chats", "ar"),
        ("all_group_chats", "ar"),
        ("all_private_chats", None),
        ("all_group_chats", None),
    }
    private = next(c for c in calls if c.params["scope"]["type"] == "all_private_chats")
    assert {c["command"] for c in private.params["commands"]} == {"start", "help", "ask", "sources"}


# -- inline mode ----------------------------------------------------------------------


def test_inline_query_returns_one_article_per_sentence(bot: FakeTelegram) -> None:
    query_id = bot.inline_query(QUESTION)
    [call] = bot.wait_sent("answerInlineQuery")
    assert call.params["inline_query_id"] == query_id
    results = call.params["results"]
    assert 3 <= len(results) <= 10
    first = results[0]
    assert first["type"] == "article" and "الجملة 14" in first["title"]
    assert first["description"].startswith("كما أشار رودينكو")
    assert "<blockquote>" in first["input_message_content"]["message_text"]


def test_an_empty_inline_query_gets_a_hint(bot: FakeTelegram) -> None:
    bot.inline_query("   ")
    [call] = bot.wait_sent("answerInlineQuery")
    assert call.params["results"] == []
    assert call.params["button"]["text"] == texts.INLINE_HINT


# -- groups ---------------------------------------------------------------------------


def group_answers(fake: FakeTelegram) -> list:
    return fake.sent("sendMessage", GROUP)


def test_group_ask_command_with_the_bot_name_replies_to_the_asker(bot: FakeTelegram) -> None:
    bot.add_chat(GROUP, "supergroup")
    asked = bot.message(GROUP, f"/ask@{BOT_USERNAME} {QUESTION}", user_id=77)
    [call] = bot.wait_sent("sendMessage", GROUP)
    assert call.params["reply_parameters"]["message_id"] == asked["message_id"]
    assert "<b>رودينكو</b>" in call.params["text"]


def test_group_mentions_and_replies_are_answered_other_chatter_ignored(
    bot: FakeTelegram,
) -> None:
    bot.add_chat(GROUP, "group")
    bot.message(GROUP, "صباح الخير يا جماعة", user_id=77)
    bot.message(GROUP, "/ask", user_id=77)
    [usage] = bot.wait_sent("sendMessage", GROUP)
    assert "اكتب سؤالك بعد الأمر" in usage.params["text"]
    bot.message(GROUP, f"@{BOT_USERNAME} متى جاء كلام رودينكو؟", user_id=78)
    calls = bot.wait_sent("sendMessage", GROUP, count=2)
    assert "يوم أمس الخميس" in calls[1].params["text"]
    bot_message = last_bot_message(bot, GROUP)
    bot.message(
        GROUP,
        "وما حصة روسيا في التجارة الخارجية؟",
        user_id=79,
        reply_to={k: v for k, v in bot_message.items() if k != "html"},
    )
    calls = bot.wait_sent("sendMessage", GROUP, count=3)
    assert "أكثر من 20%" in calls[2].params["text"]
    bot.message(GROUP, "شكرا", user_id=80)
    bot.message(USER, QUESTION)  # a later update, to know the group chatter was skipped
    bot.wait_sent("sendMessage", USER)
    assert len(group_answers(bot)) == 3


# -- admin ----------------------------------------------------------------------------

NEW_DOC = "تقع مدينة سمرقند في أوزبكستان.\nوهي من أقدم مدن آسيا الوسطى.\n"


def test_an_admin_adds_a_document_that_answers_at_once(bot: FakeTelegram, tmp_path: Path) -> None:
    bot.document(ADMIN, "../سمرقند.txt", NEW_DOC.encode("utf-8"))
    [done] = bot.wait_sent("sendMessage", ADMIN)
    assert "أُضيفت الوثيقة" in done.params["text"] and "جملتان" in done.params["text"]
    assert (tmp_path / "uploads" / "سمرقند.txt").read_text(encoding="utf-8") == NEW_DOC
    _, answer = ask(bot, "أين تقع سمرقند؟", chat_id=USER)
    # the words asked marked, and the place that answers «أين» underlined
    assert (
        "مدينة <b>سمرقند</b> في <u>أوزبكستان</u>"
        in bot.sent("sendMessage", USER)[-1].params["text"]
    )
    assert answer["text"]


def test_non_admins_cannot_upload_or_reload(bot: FakeTelegram) -> None:
    bot.document(USER, "x.txt", NEW_DOC.encode("utf-8"))
    [refusal] = bot.wait_sent("sendMessage", USER)
    assert refusal.params["text"] == texts.UPLOAD_ADMINS_ONLY
    assert not bot.sent("getFile")
    bot.message(USER, "/reload")
    calls = bot.wait_sent("sendMessage", USER, count=2)
    assert calls[1].params["text"] == texts.ADMINS_ONLY


def test_an_admin_upload_that_is_not_text_is_refused(bot: FakeTelegram) -> None:
    bot.document(ADMIN, "photo.jpg", b"\xff\xd8\xff", mime_type="image/jpeg")
    bot.document(ADMIN, "latin.txt", "café".encode("latin-1"))
    said = sorted(c.params["text"] for c in bot.wait_sent("sendMessage", ADMIN, count=2))
    # Updates run concurrently: the two replies may come in either order.
    assert texts.NOT_TXT in said
    assert any("not UTF-8" in t for t in said if t != texts.NOT_TXT)


def test_an_upload_over_20_mb_is_refused_before_downloading(bot: FakeTelegram) -> None:
    bot.document(ADMIN, "big.txt", ("نص " * 4_500_000).encode())  # 22.5 MB
    [refusal] = bot.wait_sent("sendMessage", ADMIN)
    assert refusal.params["text"] == texts.TOO_BIG
    assert not bot.sent("getFile")


def test_admin_reload_rebuilds_and_reports(bot: FakeTelegram) -> None:
    bot.message(ADMIN, "/reload")
    [report] = bot.wait_sent("sendMessage", ADMIN)
    assert "أُعيد بناء الفهرس: وثيقة واحدة، 25 جملة" in report.params["text"]


# -- faults ---------------------------------------------------------------------------


@pytest.mark.slow
def test_a_429_is_retried_and_the_answer_still_arrives(bot: FakeTelegram) -> None:
    bot.fail("sendMessage", 429, "Too Many Requests: retry after 1", retry_after=1)
    bot.message(USER, QUESTION)
    bot.wait_for(lambda: bot.sent("sendMessage", USER, ok=True), timeout=15)
    assert len(bot.sent("sendMessage", USER, ok=False)) == 1


def test_unparseable_html_falls_back_to_plain_text(bot: FakeTelegram) -> None:
    bot.fail("sendMessage", 400, "Bad Request: can't parse entities: Unsupported start tag")
    bot.message(USER, QUESTION)
    [delivered] = bot.wait_sent("sendMessage", USER)
    assert "parse_mode" not in delivered.params
    assert "<" not in delivered.params["text"] and "كما أشار رودينكو" in delivered.params["text"]


def test_a_blocked_chat_is_logged_and_others_are_still_served(
    bot: FakeTelegram, caplog: pytest.LogCaptureFixture
) -> None:
    blocked = 3003
    bot.fail(
        "sendMessage", 403, "Forbidden: bot was blocked by the user", times=None, chat_id=blocked
    )
    with caplog.at_level(logging.WARNING):
        bot.message(blocked, QUESTION)
        bot.wait_for(lambda: bot.sent("sendMessage", blocked, ok=False))
        bot.message(USER, QUESTION)
        bot.wait_sent("sendMessage", USER)
        bot.wait_for(lambda: any("blocked" in r.getMessage() for r in caplog.records))


@pytest.mark.slow
def test_server_errors_are_survived(bot: FakeTelegram) -> None:
    polling = bot.fail("getUpdates", 502, "Bad Gateway")
    sending = bot.fail("sendMessage", 500, "Internal Server Error")
    bot.message(USER, QUESTION)
    bot.wait_for(lambda: bot.sent("sendMessage", USER, ok=True), timeout=15)
    bot.message(USER, "متى جاء كلام رودينكو؟")
    bot.wait_sent("sendMessage", USER, count=2, timeout=15)
    assert polling.times == 0 and sending.times == 0  # both faults did happen
    assert bot.sent("getUpdates", ok=False) and bot.sent("sendMessage", USER, ok=False)


def test_every_message_the_bot_sent_is_valid_telegram_html(bot: FakeTelegram) -> None:
    for question in (QUESTION, "/help", "/start", "/sources", "ما حصة روسيا؟"):
        bot.message(USER, question)
    bot.wait_sent("sendMessage", USER, count=5)
    for call in bot.sent("sendMessage"):
        parse_html(call.params["text"])  # raises on invalid HTML
    assert not bot.sent(ok=False)


# -- concurrency and errors -----------------------------------------------------------


@pytest.mark.slow
def test_a_slow_search_does_not_block_another_chat(
    fake: FakeTelegram, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    services = make_services(tmp_path)
    real_ask = services.collection.ask

    def slow_ask(question: str, k: int | None = None, sets: list[str] | None = None) -> Answer:
        if "كازاخستان" in question:
            time.sleep(1.5)
        return real_ask(question, k, sets)

    monkeypatch.setattr(services.collection, "ask", slow_ask)
    with running_bot(fake, services):
        fake.message(5001, "ما موقف رودينكو من كازاخستان؟")
        fake.message(5002, QUESTION)
        fake.wait_sent("sendMessage", 5001, timeout=10)
    first = min(fake.sent("sendMessage"), key=lambda c: c.at)
    assert first.params["chat_id"] == 5002


def test_an_unexpected_error_is_logged_and_the_user_told(
    fake: FakeTelegram,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    services = make_services(tmp_path)

    def broken(question: str, k: int | None = None, sets: list[str] | None = None) -> Answer:
        raise RuntimeError("index exploded")

    monkeypatch.setattr(services.collection, "ask", broken)
    with caplog.at_level(logging.ERROR), running_bot(fake, services):
        fake.message(USER, QUESTION)
        [sorry] = fake.wait_sent("sendMessage", USER)
    assert sorry.params["text"] == texts.SORRY
    assert any(
        "index exploded" in r.getMessage() or "index exploded" in str(r.exc_info)
        for r in caplog.records
    )


@pytest.mark.slow
def test_the_token_never_appears_in_debug_logs_of_a_full_session(
    fake: FakeTelegram, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    secret = TOKEN.split(":", 1)[1]
    with caplog.at_level(logging.DEBUG):
        services = make_services(tmp_path)
        with running_bot(fake, services):
            _, answer = ask(fake, QUESTION)
            fake.press(answer, buttons(answer)["المزيد"])
            fake.wait_sent("editMessageText", USER)
            fake.inline_query(QUESTION)
            fake.wait_sent("answerInlineQuery")
            fake.document(ADMIN, "doc.txt", NEW_DOC.encode())
            fake.wait_sent("sendMessage", ADMIN)
            fake.fail("sendMessage", 500, "Internal Server Error")
            fake.message(USER, "متى جاء كلام رودينكو؟")
            fake.wait_sent("sendMessage", USER, count=2)
    assert len(caplog.records) > 50  # a real DEBUG log, URLs and all
    assert any("getUpdates" in r.getMessage() for r in caplog.records)
    assert secret not in caplog.text
    for record in caplog.records:
        assert secret not in record.getMessage() and secret not in (record.exc_text or "")


# -- security -------------------------------------------------------------------------


def test_whoami_tells_anyone_their_id_and_the_chats_even_outside_the_allow_list(
    fake: FakeTelegram, tmp_path: Path
) -> None:
    services = make_services(tmp_path, allowed_chats=frozenset({USER}))
    with running_bot(fake, services):
        fake.message(9009, "/whoami")  # a stranger: the operator-to-be, before being listed
        [mine] = fake.wait_sent("sendMessage", 9009)
        fake.add_chat(-778, "group")
        fake.message(-778, f"/whoami@{BOT_USERNAME}", user_id=9009)
        [group] = fake.wait_sent("sendMessage", -778)
        fake.wait_idle()
    assert "<code>9009</code>" in mine.params["text"] and "telegram.admins" in mine.params["text"]
    assert "<code>-778</code>" in group.params["text"]
    assert len(fake.sent("sendMessage", 9009)) == 1  # no refusal after it


def test_with_an_allow_list_other_chats_are_refused_politely(
    fake: FakeTelegram, tmp_path: Path
) -> None:
    services = make_services(tmp_path, allowed_chats=frozenset({USER, GROUP}))
    with running_bot(fake, services):
        fake.message(9009, QUESTION)  # a stranger, in private
        [refusal] = fake.wait_sent("sendMessage", 9009)
        fake.add_chat(-777, "group")
        fake.message(-777, f"@{BOT_USERNAME} {QUESTION}", user_id=USER)  # not-allowed group
        fake.message(-777, f"/ask {QUESTION}", user_id=USER)
        fake.wait_sent("sendMessage", -777)
        fake.inline_query(QUESTION, user_id=9009)
        [inline] = fake.wait_sent("answerInlineQuery")
        ask(fake, QUESTION)  # an allowed chat is served
        fake.message(ADMIN, "/reload")  # admins always are
        fake.wait_sent("sendMessage", ADMIN)
    assert refusal.params["text"] == texts.NOT_ALLOWED
    assert [c.params["text"] for c in fake.sent("sendMessage", -777)] == [texts.NOT_ALLOWED]
    assert inline.params["results"] == [] and inline.params["button"]["text"] == texts.NOT_ALLOWED
    assert "<blockquote>" in fake.sent("sendMessage", USER)[0].params["text"]
    assert not fake.sent("sendChatAction", 9009)  # no search was run for the stranger


def test_a_flood_of_questions_is_limited_with_one_polite_message(
    fake: FakeTelegram, tmp_path: Path
) -> None:
    services = make_services(tmp_path, limiter=RateLimiter(limit=3, window=60))
    with running_bot(fake, services):
        for _ in range(8):
            fake.message(USER, QUESTION)
        fake.wait_sent("sendMessage", USER, count=4)
        fake.message(5005, QUESTION)  # another user is not affected
        fake.wait_sent("sendMessage", 5005)
        fake.wait_idle()
    said = [c.params["text"] for c in fake.sent("sendMessage", USER)]
    assert sum("<blockquote>" in t for t in said) == 3
    assert said.count(texts.RATE_LIMITED) == 1 and len(said) == 4


# -- Bot API faults -------------------------------------------------------------------


@pytest.mark.slow
def test_a_429_storm_still_delivers_every_answer(fake: FakeTelegram, tmp_path: Path) -> None:
    chats = [6001, 6002, 6003, 6004]
    with running_bot(fake, make_services(tmp_path)):
        fake.fail("sendMessage", 429, "Too Many Requests: retry after 1", retry_after=1, times=6)
        for chat in chats:
            fake.message(chat, QUESTION)
        for chat in chats:
            fake.wait_for(lambda chat=chat: fake.sent("sendMessage", chat, ok=True), timeout=30)
    assert len(fake.sent("sendMessage", ok=False)) == 6
    for chat in chats:
        [answer] = fake.sent("sendMessage", chat, ok=True)
        assert "<b>رودينكو</b>" in answer.params["text"]


@pytest.mark.slow
def test_timeouts_on_send_and_on_polling_are_survived(fake: FakeTelegram, tmp_path: Path) -> None:
    with running_bot(fake, make_services(tmp_path), timeout=0.5):
        fake.stall("getUpdates", 2.0)
        fake.stall("sendMessage", 2.0)
        fake.message(USER, QUESTION)
        fake.wait_sent("sendMessage", USER, timeout=20)
        fake.message(USER, "متى جاء كلام رودينكو؟")
        fake.wait_sent("sendMessage", USER, count=2, timeout=20)
        fake.wait_idle(quiet=1.0)
    said = [c.params["text"] for c in fake.sent("sendMessage", USER)]
    assert len(said) == 2  # the timed-out answer went out once, with no retry and no "sorry"
    assert "<b>رودينكو</b>" in said[0] and "يوم أمس الخميس" in said[1]


@pytest.mark.slow
def test_after_a_restart_no_update_is_answered_twice(fake: FakeTelegram, tmp_path: Path) -> None:
    services = make_services(tmp_path)
    with running_bot(fake, services):
        fake.message(USER, QUESTION)
        fake.message(USER, "متى جاء كلام رودينكو؟")
        fake.wait_sent("sendMessage", USER, count=2)
        fake.wait_idle()
    first_ids = [u["update_id"] for u in fake._delivered]
    fake.redeliver(first_ids)  # as if the offset had never been confirmed (kill -9)
    services = make_services(tmp_path)
    with running_bot(fake, services):
        fake.message(USER, "ما حصة روسيا في التجارة الخارجية لكازاخستان؟")
        fake.wait_sent("sendMessage", USER, count=3)
        fake.wait_idle()
    said = [c.params["text"] for c in fake.sent("sendMessage", USER)]
    assert len(said) == 3 and "أكثر من 20%" in said[2]


def test_an_unknown_command_points_to_help(bot: FakeTelegram) -> None:
    bot.message(USER, "/foo")
    [reply] = bot.wait_sent("sendMessage", USER)
    assert reply.params["text"] == texts.UNKNOWN_COMMAND and "/help" in texts.UNKNOWN_COMMAND
    bot.add_chat(GROUP, "group")
    bot.message(GROUP, "/foo", user_id=77)  # may be another bot's: left alone
    bot.message(GROUP, f"/foo@{BOT_USERNAME}", user_id=77)
    [group_reply] = bot.wait_sent("sendMessage", GROUP)
    assert group_reply.params["text"] == texts.UNKNOWN_COMMAND
    bot.wait_idle()
    assert len(bot.sent("sendMessage", GROUP)) == 1


def test_inline_results_are_personal_and_typing_does_not_use_the_question_budget(
    fake: FakeTelegram, tmp_path: Path
) -> None:
    services = make_services(tmp_path, limiter=RateLimiter(limit=2, window=60))
    with running_bot(fake, services):
        for end in range(5, len(QUESTION) + 1, 5):  # typing, letter by letter
            fake.inline_query(QUESTION[:end], user_id=USER)
        fake.wait_sent("answerInlineQuery", count=len(range(5, len(QUESTION) + 1, 5)))
        _, answer = ask(fake, QUESTION)  # the question budget (2) is untouched
    assert "رودينكو" in answer["text"] and answer["text"] != texts.RATE_LIMITED
    assert all(c.params["is_personal"] for c in fake.sent("answerInlineQuery"))


def test_sources_and_docs_page_a_large_collection_in_messages_that_fit(
    fake: FakeTelegram, tmp_path: Path
) -> None:
    # 70 web-page-like documents with long titles and long file names: one message each
    # went past Telegram's 4,096 characters, and everyone got «عذرًا»
    folder = tmp_path / "many"
    folder.mkdir()
    for n in range(70):
        title = f"تقرير رقم {n} عن التعاون الاقتصادي والثقافي والعلمي بين البلدين في العقد الأخير"
        name = f"{n:02d}-" + "annual-report-of-the-ministry-" * 5 + ".txt"
        (folder / name).write_text(f"{title}\n\nزار الوفد مدينة بخارى في العام {n}.\n", "utf-8")
    services = make_services(tmp_path / "index", seeds=folder)
    assert all(len(d.title) > 70 for d in services.collection.documents())

    def pages(chat: int, command: str) -> list[str]:
        fake.message(chat, command)
        [sent] = fake.wait_sent("sendMessage", chat)
        shown = [sent.params["text"]]
        message = fake.bot_messages(chat)[-1]
        while "التالي" in buttons(message):
            fake.press(message, buttons(message)["التالي"])
            fake.wait_sent("editMessageText", chat, count=len(shown))
            message = fake.bot_messages(chat)[-1]
            shown.append(message["html"])
        return shown

    with running_bot(fake, services):
        sources = pages(USER, "/sources")
        docs = pages(ADMIN, "/docs")
    for listing in (sources, docs):
        assert all(len(parse_html(page)) <= 4096 for page in listing)
        assert all(f"تقرير رقم {n} " in "".join(listing) for n in range(70))  # none left out
    assert len(sources) == 3 and "الصفحة 3 من 3" in sources[-1]
    assert len(docs) == 5 and "annual-report" in docs[0]
