"""The Telegram front end of Sanad, on top of the index package's search API."""
