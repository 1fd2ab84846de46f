"""Retrieval: exact BM25Okapi postings and scoring, vectors, reranking, highlighting."""
