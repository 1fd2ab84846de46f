"""Which library reads Arabic PDFs best: pypdfium2, pdfminer.six and pypdf on the test PDFs
of two producers, scored on how many known sentences come out intact after Sanad's own
clean-up (glyph forms, visual order, wrapped lines, running heads); and the time to read
1,000 pages with each.

Usage: uv run python bench/pdf_extractors.py [--pages 1000]
"""

from __future__ import annotations

import argparse
import io
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from index.collection import Collection
from index.config import AnalysisSettings, Config, IndexSettings
from index.reading.pdf import pdf_blocks
from index.reading.sentences import split_blocks

DATA = Path(__file__).resolve().parent.parent / "tests" / "data" / "pdf"


def with_pypdfium2(raw: bytes) -> list[str]:
    import pypdfium2

    document = pypdfium2.PdfDocument(raw)
    return [page.get_textpage().get_text_range().replace("\r\n", "\n") for page in document]


def with_pdfminer(raw: bytes) -> list[str]:
    from pdfminer.high_level import extract_text

    return extract_text(io.BytesIO(raw)).split("\x0c")[:-1]


def with_pypdf(raw: bytes) -> list[str]:
    import pypdf

    return [page.extract_text() or "" for page in pypdf.PdfReader(io.BytesIO(raw)).pages]


LIBRARIES: dict[str, Callable[[bytes], list[str]]] = {
    "pypdfium2": with_pypdfium2,
    "pdfminer.six": with_pdfminer,
    "pypdf": with_pypdf,
}


def intact(raw: bytes, extract: Callable[[bytes], list[str]], wanted: list[str]) -> int:
    sentences = {s.text for s in split_blocks(pdf_blocks(extract(raw)))}
    return sum(sentence in sentences for sentence in wanted)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pages", type=int, default=1000)
    args = parser.parse_args()
    wanted = (DATA / "sentences.txt").read_text(encoding="utf-8").split("\n")[:-1]
    head = "| library | shaped.pdf (word processor) | reshaped.pdf (report generator) |"
    print(f"{head} {args.pages} pages |")
    print("|---|---|---|---|")
    sys.path.insert(0, str(DATA))
    from make import shaped  # the test PDFs' own generator

    with tempfile.TemporaryDirectory() as folder:
        big = Path(folder) / "big.pdf"
        shaped(big, repeat=args.pages // 3)
        big_raw = big.read_bytes()
        for name, extract in LIBRARIES.items():
            scores = [
                f"{intact((DATA / f).read_bytes(), extract, wanted)}/{len(wanted)}"
                for f in ("shaped.pdf", "reshaped.pdf")
            ]
            t = time.perf_counter()
            extract(big_raw)
            print(f"| {name} | {scores[0]} | {scores[1]} | {time.perf_counter() - t:.1f} s |")
        config = Config(
            index=IndexSettings(path=str(Path(folder) / "index.sqlite3")),
            analysis=AnalysisSettings("light"),
        )
        t = time.perf_counter()
        with Collection.open(config, prepare=False) as collection:
            report = collection.rebuild([big])
        print(
            f"sanad's build of that {args.pages}-page PDF (read, clean up, split, analyse, "
            f"index): {time.perf_counter() - t:.1f} s, {report.sentences:,} sentences"
        )


if __name__ == "__main__":
    main()
