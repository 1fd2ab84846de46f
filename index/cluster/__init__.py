"""Serving one collection from shards on a Ray cluster (imports Ray only when used)."""
