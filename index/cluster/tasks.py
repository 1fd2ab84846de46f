"""Build work sent to a Ray cluster as tasks: parsing files, analysing and encoding sentences."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from index.build import analyse_chunk_with, parse_batch
from index.reading.blocks import Limits
from index.reading.documents import Document, DocumentError
from index.retrieval.encoder import encode_passages

ENCODE_TASK = 128  # sentences one encoding task is given (a few seconds of a core's work)
ENCODE_CHUNK = 64 * ENCODE_TASK  # sentences sent out at once (and kept) by the build
PARSE_BATCH_BYTES = 8 * 2**20  # files sent to one parsing task


class RayFarm:
    """A build's work done by Ray tasks on whichever nodes have a free core (see
    :class:`index.build.Farm`); the process must have joined the cluster
    (:func:`index.cluster.actors.connect`)."""

    encode_chunk = ENCODE_CHUNK

    def analyse(self, chunks: list[list[Document]], segmenter: str) -> list[tuple[str, ...]]:
        """Every chunk of documents analysed as a task, each sentence's terms in document
        order."""
        import ray

        task = ray.remote(analyse_chunk_with)
        results = ray.get([task.remote(segmenter, chunk) for chunk in chunks])
        return [terms for result in results for terms in result]

    def encode(self, texts: list[str]) -> np.ndarray:
        """Passages' vectors computed by tasks of ENCODE_TASK sentences (Ray gives each
        task one thread); in order."""
        import ray

        task = ray.remote(encode_passages)
        parts = [texts[i : i + ENCODE_TASK] for i in range(0, len(texts), ENCODE_TASK)]
        vectors = ray.get([task.remote(part) for part in parts])
        return np.concatenate(vectors) if vectors else np.zeros((0, 0), dtype=np.float32)

    def parse(
        self, files: Iterable[tuple[str, bytes, str]], limits: Limits | None
    ) -> list[Document | DocumentError]:
        """Files (name, bytes, source) parsed by tasks, in batches of about
        PARSE_BATCH_BYTES sent as they are read; each file's document or why it cannot be
        read, in order."""
        import ray

        task = ray.remote(parse_batch)
        pending = []
        batch: list[tuple[str, bytes, str]] = []
        size = 0
        for item in files:
            batch.append(item)
            size += len(item[1])
            if size >= PARSE_BATCH_BYTES:
                pending.append(task.remote(batch, limits))
                batch, size = [], 0
        if batch:
            pending.append(task.remote(batch, limits))
        return [result for results in ray.get(pending) for result in results]
