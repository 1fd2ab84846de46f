"""1,000 questions from 100 chats in one burst: each answered exactly once, in its chat.
(Latency is measured by bench/load.py, not asserted here.)"""

from pathlib import Path

import pytest

from harness.load import run_burst


@pytest.mark.slow
def test_a_burst_of_1000_questions_from_100_chats(tmp_path: Path) -> None:
    result = run_burst(tmp_path, chats=100, per_chat=10)
    assert result.questions == 1000
    assert sorted(result.replies_per_question) == sorted(result.expected_chat)
    for question, chats in result.replies_per_question.items():
        assert chats == [result.expected_chat[question]]  # once, and in the right chat
