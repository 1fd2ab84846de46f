"""Render answers as Telegram HTML that always parses and fits in one message."""

from __future__ import annotations

import html
from collections.abc import Sequence

from bot.stats import Stats
from index.collection import Passage
from index.retrieval.answers import MEANING_LABEL, OCR_LABEL, Answer, Hit
from index.retrieval.highlight import marked
from index.storage.store import DocumentInfo
from index.text.analysis import is_arabic_letter

MAX_MESSAGE_CHARS = 4096  # after entity parsing, counted in UTF-16 code units
MAX_SENTENCE_CHARS = 1200
MIN_SENTENCE_CHARS = 160
ELLIPSIS = "…"
RLM = "\u200f"  # right-to-left mark: keeps a line that starts with a digit right-to-left


def visible_length(text: str) -> int:
    """How Telegram counts message length: UTF-16 code units.

    >>> visible_length("سلام"), visible_length("🙂")
    (4, 2)
    """
    return len(text.encode("utf-16-le")) // 2


def clip(
    text: str, spans: Sequence[tuple[int, int]], limit: int, answer: tuple[int, int] | None = None
) -> tuple[str, tuple[tuple[int, int], ...], tuple[int, int] | None]:
    """Shorten ``text`` to about ``limit`` characters at word boundaries, keeping the
    answer phrase (else the first matched span) in view, with «…» where text was cut;
    the spans and the answer are moved to match (an answer cut off is None).

    >>> clip("واحد اثنان ثلاثة أربعة خمسة", [(11, 16)], 12)
    ('…ثلاثة…', ((1, 6),), None)
    >>> clip("قصير", [(0, 4)], 100, answer=(0, 4))
    ('قصير', ((0, 4),), (0, 4))
    """
    if len(text) <= limit:
        return text, tuple(spans), answer
    focus = answer[0] if answer else spans[0][0] if spans else 0
    start = max(0, min(focus - limit // 4, len(text) - limit))
    end = min(len(text), start + limit)
    if start > 0:  # move to the start of a word
        space = text.find(" ", start)
        start = space + 1 if 0 <= space < end else start
    if end < len(text):  # and end at the end of one
        space = text.rfind(" ", start, end)
        end = space if space > start else end
    piece = text[start:end]
    start += len(piece) - len(piece.lstrip())
    piece = piece.strip()
    end = start + len(piece)
    lead = ELLIPSIS if start > 0 else ""
    tail = ELLIPSIS if end < len(text) else ""
    shift = start - len(lead)
    kept = tuple((a - shift, b - shift) for a, b in spans if a >= start and b <= end)
    moved = (answer[0] - shift, answer[1] - shift) if answer else None
    if answer and not (answer[0] >= start and answer[1] <= end):
        moved = None
    return lead + piece + tail, kept, moved


def quote(
    text: str,
    spans: Sequence[tuple[int, int]],
    limit: int = MAX_SENTENCE_CHARS,
    answer: tuple[int, int] | None = None,
) -> str:
    """A sentence in a ``<blockquote>``, its matched words in ``<b>``, the phrase that
    answers in ``<u>``, all else escaped.

    A quote that starts with a digit or a Latin letter gets a right-to-left mark first.

    >>> quote("قال <رودينكو> & أوزبكستان", [(5, 12), (16, 25)])
    '<blockquote>قال &lt;<b>رودينكو</b>&gt; &amp; <b>أوزبكستان</b></blockquote>'
    >>> quote("وقع الوفد 20 اتفاقية", [(4, 9)], answer=(10, 20))
    '<blockquote>وقع <b>الوفد</b> <u>20 اتفاقية</u></blockquote>'
    """
    text, spans, answer = clip(text, spans, limit, answer)
    escape = lambda s: html.escape(s, quote=False)  # noqa: E731
    underline = (((answer,), "<u>", "</u>")) if answer else None
    body = marked(text, spans, "<b>", "</b>", escape=escape, outer=underline)
    return f"<blockquote>{rtl(text)}{body}</blockquote>"


def citation(hit: Hit) -> str:
    """The citation line under a quoted sentence: who says it (for a question about what
    someone said), document title, sentence n of m.

    >>> from dataclasses import replace
    >>> hit = Hit(text="…", document="a.txt", title="خبر <عاجل>", ordinal=3, sentence_count=25,
    ...           score=1.0, spans=(), sentence_id=1)
    >>> citation(hit)
    '\u200f📄 خبر &lt;عاجل&gt; — الجملة 3 من 25'
    >>> citation(replace(hit, title="خبر", speaker="أندريه رودينكو"))
    '\u200f🗣 أندريه رودينكو · 📄 خبر — الجملة 3 من 25'
    >>> citation(replace(hit, title="تقرير", page=12, section="الموازنة"))
    '\u200f📄 تقرير · الموازنة — ص ١٢، الجملة 3 من 25'
    >>> citation(replace(hit, title="موسوعة", copies=(9,)))
    '\u200f📄 موسوعة — الجملة 3 من 25 (وتتكرر في الجملة 9)'
    >>> citation(replace(hit, title="خبر", meaning=True))
    '\u200f📄 خبر — الجملة 3 من 25 · ≈ بالمعنى'
    >>> citation(replace(hit, title="مسح ضوئي", page=2, ocr=True))
    '\u200f📄 مسح ضوئي — ص ٢، الجملة 3 من 25 · 🔍 قراءة آلية'
    >>> citation(replace(hit, title="خبر", also=("أ", "ب", "ج", "د", "هـ")))
    '\u200f📄 خبر — الجملة 3 من 25\\n\u200fوورد أيضًا في: أ، ب، ج ووثيقتين أخريين'
    >>> citation(replace(hit, title="خبر", url="https://example.org/a?x=1&y=2"))
    '\u200f📄 <a href="https://example.org/a?x=1&amp;y=2">خبر</a> — الجملة 3 من 25'
    """
    title = listed(hit.title)
    if hit.url:
        title = f'<a href="{html.escape(hit.url, quote=True)}">{title}</a>'
    who = f"🗣 {html.escape(hit.speaker, quote=False)} · " if hit.speaker else ""
    place = f"الجملة {hit.ordinal} من {hit.sentence_count}"
    if hit.copies:
        place += f" (وتتكرر في الجملة {'، '.join(map(str, hit.copies))})"
    if hit.page is not None:
        place = f"ص {arabic_digits(hit.page)}، {place}"
    section = f" · {listed(hit.section)}" if hit.section else ""
    if hit.meaning:  # no bold words: say why it is there
        place += f" · {MEANING_LABEL}"
    if hit.ocr:  # its words may be misread
        place += f" · {OCR_LABEL}"
    also = "، ".join(listed(t) for t in hit.also[:ALSO_SHOWN])
    if len(hit.also) > ALSO_SHOWN:
        also += f" و{counted(len(hit.also) - ALSO_SHOWN, OTHER_DOCUMENTS)}"
    elsewhere = f"\n{RLM}وورد أيضًا في: {also}" if also else ""
    return f"{RLM}{who}📄 {title}{section} — {place}{elsewhere}"


# How Arabic counts a noun: (one, two, three to ten, eleven and on) — «جملة واحدة»،
# «جملتان»، «٤ جمل»، «١٢ جملة».
SENTENCES = ("جملة واحدة", "جملتان", "جمل", "جملة")
DOCUMENTS = ("وثيقة واحدة", "وثيقتان", "وثائق", "وثيقة")
OTHER_DOCUMENTS = ("وثيقة أخرى", "وثيقتين أخريين", "وثائق أخرى", "وثيقة أخرى")
ALSO_SHOWN = 3  # documents named under «وورد أيضًا في» (a circular sent to fifty offices)
PAGES = ("صفحة واحدة", "صفحتان", "صفحات", "صفحة")


def counted(number: int, forms: tuple[str, str, str, str]) -> str:
    """``number`` with its noun in the form Arabic gives it: one and two have their own
    words, three to ten take the plural, the rest the singular (read on the last two
    digits past a hundred).

    >>> [counted(n, SENTENCES) for n in (1, 2, 4, 10)]
    ['جملة واحدة', 'جملتان', '4 جمل', '10 جمل']
    >>> [counted(n, SENTENCES) for n in (0, 11, 25, 100, 103, 111)]
    ['0 جملة', '11 جملة', '25 جملة', '100 جملة', '103 جمل', '111 جملة']
    """
    one, two, few, many = forms
    if number == 1:
        return one
    if number == 2:
        return two
    tail = number % 100
    return f"{number} {few if 3 <= tail <= 10 else many}"


def arabic_digits(number: int) -> str:
    """A number in Arabic-Indic digits, as a page is cited.

    >>> arabic_digits(305)
    '٣٠٥'
    """
    return str(number).translate(str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩"))


def rtl(text: str) -> str:
    """A right-to-left mark when ``text`` would otherwise start left-to-right.

    >>> rtl("20 مشروع"), rtl("مشروع")
    ('\u200f', '')
    """
    first = next((ch for ch in text if ch.isalnum()), "")
    return "" if is_arabic_letter(first) else RLM


def _hits_html(hits: Sequence[Hit], limit: int) -> str:
    return "\n\n".join(f"{quote(h.text, h.spans, limit, h.answer)}\n{citation(h)}" for h in hits)


def fit(render_with_limit, budget: int = MAX_MESSAGE_CHARS) -> str:
    """Call ``render_with_limit(sentence_limit)`` with smaller limits until the visible
    text fits ``budget``."""
    limit = MAX_SENTENCE_CHARS
    while True:
        text = render_with_limit(limit)
        if visible_length(html_visible(text)) <= budget or limit <= MIN_SENTENCE_CHARS:
            return text
        limit = max(MIN_SENTENCE_CHARS, int(limit * 0.75))


def html_visible(text: str) -> str:
    """The visible text of the HTML this module writes (tags dropped, entities decoded).

    >>> html_visible("<b>أ</b> &lt;b&gt;")
    'أ <b>'
    """
    out = []
    i = 0
    while i < len(text):
        if text[i] == "<":
            i = text.index(">", i) + 1
        else:
            j = text.find("<", i)
            j = len(text) if j < 0 else j
            out.append(html.unescape(text[i:j]))
            i = j
    return "".join(out)


def understood_html(understood: str | None) -> str:
    r"""The line that opens the reply to a follow-up: how the question was understood.

    >>> understood_html("ماذا قال رودينكو عن <كازاخستان>؟")
    '\u200fفهمت: ماذا قال رودينكو عن &lt;كازاخستان&gt;؟\n\n'
    >>> understood_html(None)
    ''
    """
    if not understood:
        return ""
    return f"{RLM}فهمت: {html.escape(understood, quote=False)}\n\n"


def answer_html(
    answer: Answer, first_rank: int = 1, understood: str | None = None, note: str = ""
) -> str:
    """The message for an answer: each hit quoted and cited; an empty answer explained. A
    follow-up's reply first says how it was understood; a ``note`` (plain text) comes
    first of all."""
    if answer.empty:
        return html.escape(answer.message or "", quote=False)
    header = f"{RLM}نتائج إضافية ({first_rank}–{first_rank + len(answer.hits) - 1}):\n\n"
    lead = html.escape(note, quote=False) + understood_html(understood)
    lead += header if first_rank > 1 else ""
    return fit(lambda limit: lead + _hits_html(answer.hits, limit))


def context_html(passage: Passage) -> str:
    """The sentences around a hit, the hit itself in bold, as one quoted passage."""

    def render(limit: int) -> str:
        parts = []
        for s in passage.sentences:
            text, _, _ = clip(s.text, [], limit)
            text = html.escape(text, quote=False)
            parts.append(f"<b>{text}</b>" if s.ordinal == passage.focus else text)
        head = f"{RLM}📖 السياق — {html.escape(passage.title, quote=False)}"
        return f"{head}\n<blockquote>{' '.join(parts)}</blockquote>"

    return fit(render)


def inline_message_html(hit: Hit) -> str:
    """What an inline result posts: the quoted sentence and its citation."""
    return fit(lambda limit: _hits_html([hit], limit))


# Lists of documents (/sources, /docs), a page a message: a title or a name is shown up
# to LISTED_CHARS characters, so that a page of SOURCES_PAGE (or DOCS_PAGE) lines always
# fits one message, whatever the documents are called.
LISTED_CHARS = 100


SOURCES_PAGE = 25


DOCS_PAGE = 15  # documents per page of /docs


def listed(text: str) -> str:
    """A title or a name as a list shows it: LISTED_CHARS characters at most, escaped.

    >>> listed("تقرير <سنوي>")
    'تقرير &lt;سنوي&gt;'
    >>> len(listed("كلمة " * 60)) <= LISTED_CHARS + 1
    True
    """
    return html.escape(clip(text, (), LISTED_CHARS)[0], quote=False)


def sources_page_html(docs: list[DocumentInfo], page: int) -> str:
    """One page of the documents a reader can ask about, with their sentence counts."""
    total = sum(d.sentences for d in docs)
    pages = max(1, -(-len(docs) // SOURCES_PAGE))
    head = f"📚 <b>الوثائق المتاحة</b>: {counted(len(docs), DOCUMENTS)}، "
    head += counted(total, SENTENCES)
    if pages > 1:
        head += f" — الصفحة {page + 1} من {pages}"
    first = page * SOURCES_PAGE
    lines = [
        f"• {listed(d.title)} — {counted(d.sentences, SENTENCES)}"
        for d in docs[first : first + SOURCES_PAGE]
    ]
    return head + "\n" + "\n".join(lines)


def docs_page_html(docs: list[DocumentInfo], page: int) -> str:
    """One page of the collection for an admin: name, title, sentences, when added."""
    first = page * DOCS_PAGE
    lines = [
        f"• <code>{listed(d.name)}</code> — {listed(d.title)} "
        f"({counted(d.sentences, SENTENCES)}، {d.added_at[:10]})"
        for d in docs[first : first + DOCS_PAGE]
    ]
    pages = max(1, -(-len(docs) // DOCS_PAGE))
    head = f"📚 <b>الوثائق</b>: {counted(len(docs), DOCUMENTS)} — الصفحة {page + 1} من {pages}\n"
    hint = "\n\nللحذف: /remove اسم_الوثيقة"
    return head + "\n".join(lines) + hint


def stats_html(stats: Stats) -> str:
    """The operator's summary, in Arabic."""
    lines = [
        "📊 <b>الإحصاءات</b>",
        f"الأسئلة اليوم: {stats.today}، وفي آخر ٧ أيام: {stats.week}",
        f"أُجيب منها: {round(100 * stats.answered_share)}٪ ({stats.answered} من {stats.week})",
        f"التقييمات في آخر ٧ أيام: 👍 {stats.helpful} · 👎 {stats.unhelpful}",
    ]
    if stats.unanswered:
        lines.append("\nأكثر الأسئلة التي لم تجد إجابة (ما ينبغي إضافته من وثائق):")
        lines += [f"• {html.escape(q, quote=False)} — {n}" for q, n in stats.unanswered]
    if stats.hours:
        busiest = "، ".join(f"{h:02d}:00 ({n})" for h, n in stats.hours)
        lines.append(f"\nأكثر الساعات ازدحامًا: {busiest}")
    return "\n".join(lines)
