"""Everything that turns Arabic documents and questions into cited answers (no Telegram)."""
