"""One bot, two teams: each group is answered from its own sets of documents, through the
real polling loop: answers, uploads, buttons, inline mode, and after a restart."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot import texts
from harness.bot import ADMIN, make_services, running_bot
from harness.fake_telegram import FakeTelegram, buttons, parse_html
from index.collection import Collection
from tests.conftest import seed_config

LEGAL, PRESS = -501, -502
CONTRACT = "عقد.txt", "وقعت الوزارة عقدا لتوريد الغاز الطبيعي لمدة عشر سنوات بسعر ثابت.\n"
STATEMENT = "بيان.txt", "أعلن المتحدث أن أسعار الغاز الطبيعي لن ترتفع هذا الشتاء.\n"
ANNEX = "ملحق.txt", "ينص الملحق على إنشاء محطة لإنتاج الهيدروجين الأخضر قرب الميناء.\n"


def said(fake: FakeTelegram, chat: int, count: int) -> list[dict]:
    fake.wait_for(lambda: len(fake.bot_messages(chat)) >= count, timeout=30)
    return fake.bot_messages(chat)


def ask(fake: FakeTelegram, chat: int, question: str) -> dict:
    before = len(fake.bot_messages(chat))
    fake.message(chat, f"/ask {question}", user_id=ADMIN)
    return said(fake, chat, before + 1)[-1]


def use(fake: FakeTelegram, chat: int, name: str) -> None:
    """An admin's /use NAME in ``chat``, confirmed with its button."""
    before = len(fake.bot_messages(chat))
    fake.message(chat, f"/use {name}", user_id=ADMIN)
    asked = said(fake, chat, before + 1)[-1]
    fake.press(asked, buttons(asked)["نعم"], user_id=ADMIN)
    fake.wait_for(lambda: "✅" in fake.bot_messages(chat)[before]["text"])


@pytest.mark.slow
def test_two_groups_are_answered_each_from_its_own_set(fake: FakeTelegram, tmp_path: Path) -> None:
    collection = Collection.open(seed_config(tmp_path))
    collection.add(CONTRACT[0], CONTRACT[1].encode(), sets=["قانوني"])
    collection.add(STATEMENT[0], STATEMENT[1].encode(), sets=["إعلام"])
    for chat in (LEGAL, PRESS):
        fake.add_chat(chat, "group")
    question = "ماذا عن الغاز الطبيعي؟"
    with running_bot(fake, make_services(tmp_path, collection=collection)):
        use(fake, LEGAL, "قانوني")
        use(fake, PRESS, "إعلام")
        legal, press = ask(fake, LEGAL, question), ask(fake, PRESS, question)
        assert "لتوريد" in legal["text"] and "المتحدث" not in legal["text"]
        assert "المتحدث" in press["text"] and "لتوريد" not in press["text"]

        before = len(fake.bot_messages(LEGAL))  # an upload in the legal group joins its set
        fake.document(LEGAL, ANNEX[0], ANNEX[1].encode(), user_id=ADMIN)
        assert "✅" in said(fake, LEGAL, before + 1)[-1]["text"]
        assert "الهيدروجين" in ask(fake, LEGAL, "ماذا عن الهيدروجين؟")["text"]
        assert "الهيدروجين" not in ask(fake, PRESS, "ماذا عن الهيدروجين؟")["text"]
        fake.message(PRESS, "/stats", user_id=ADMIN)  # the press office's questions alone
        stats = said(fake, PRESS, len(fake.bot_messages(PRESS)) + 1)[-1]["text"]
        assert "الأسئلة اليوم: 2" in stats and "الهيدروجين" in stats  # its unanswered one
        assert "ماذا عن الغاز الطبيعي؟" not in stats  # answered: no missing document

        fake.press(legal, buttons(legal)["السياق"], user_id=ADMIN)  # its own context: shown
        context = said(fake, LEGAL, len(fake.bot_messages(LEGAL)) + 1)[-1]
        assert "لتوريد" in parse_html(context["text"])
        query = fake.press(press, buttons(legal)["السياق"], user_id=ADMIN, forged=True)
        fake.wait_for(lambda: fake.callbacks.get(query))  # refused with an alert, nothing sent
        fake.wait_idle()
        assert not any("لتوريد" in m["text"] for m in fake.bot_messages(PRESS))

        use(fake, ADMIN, "إعلام")  # inline mode: the sets of one's chat with the bot
        fake.inline_query(question, user_id=ADMIN)
        [inline] = fake.wait_sent("answerInlineQuery")
        shown = " ".join(
            r["input_message_content"]["message_text"] for r in inline.params["results"]
        )
        assert "المتحدث" in shown and "لتوريد" not in shown

    with running_bot(fake, make_services(tmp_path, collection=collection)):  # a restart
        again = ask(fake, PRESS, question)
        assert "المتحدث" in again["text"] and "لتوريد" not in again["text"]
        assert "لتوريد" in ask(fake, LEGAL, question)["text"]
        fake.message(PRESS, "/sources", user_id=ADMIN)
        listed = said(fake, PRESS, len(fake.bot_messages(PRESS)) + 1)[-1]["text"]
        assert "أعلن المتحدث" in listed and "وقعت الوزارة" not in listed
    assert not any(texts.SORRY in m["text"] for c in (LEGAL, PRESS) for m in fake.bot_messages(c))


def test_a_set_whose_name_has_a_space_is_chosen_as_written_or_in_quotes(
    fake: FakeTelegram, tmp_path: Path
) -> None:
    collection = Collection.open(seed_config(tmp_path))
    collection.add(CONTRACT[0], CONTRACT[1].encode(), sets=["الشؤون القانونية"])
    collection.add(STATEMENT[0], STATEMENT[1].encode(), sets=["إعلام"])
    fake.add_chat(LEGAL, "group")
    question = "ماذا عن الغاز الطبيعي؟"
    with running_bot(fake, make_services(tmp_path, collection=collection)):
        use(fake, LEGAL, "الشؤون القانونية")  # the whole argument, as it stands
        answer = ask(fake, LEGAL, question)["text"]
        assert "لتوريد" in answer and "المتحدث" not in answer
        use(fake, LEGAL, "«الشؤون القانونية» إعلام")  # in quotes, beside another set
        answer = ask(fake, LEGAL, question)["text"]
        assert "لتوريد" in answer and "المتحدث" in answer
        before = len(fake.bot_messages(LEGAL))
        fake.message(LEGAL, "/use الشؤون", user_id=ADMIN)  # half a name is no set
        assert "«الشؤون»" in said(fake, LEGAL, before + 1)[-1]["text"]
