"""Shared set-up of the tests and the benches: the seed collection, a fake Bot API, the bot."""
