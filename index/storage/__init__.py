"""Storage: the SQLite store of documents and sentences, its migrations, files on disk."""
