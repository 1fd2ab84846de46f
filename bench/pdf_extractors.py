"""Which library reads Arabic PDFs best: pypdfium2 (plain, and as Sanad reads it: ligatures
spelt forwards, paragraphs ended by the space between lines), pdfminer.six and pypdf on the
test PDFs of five producers, scored on how many known sentences come out intact after
Sanad's own clean-up (glyph forms, visual order, wrapped lines, running heads, stops at a
run's edge); and the time to read 1,000 pages with each.

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
from index.reading.pdf import pdf_blocks, pdfium_pages
from index.reading.sentences import split_blocks, split_sentences

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
    "pypdfium2, as Sanad reads it": pdfium_pages,
    "pypdfium2": with_pypdfium2,
    "pdfminer.six": with_pdfminer,
    "pypdf": with_pypdf,
}


def intact(raw: bytes, extract: Callable[[bytes], list[str]], wanted: list[str]) -> int:
    laid_out = extract is pdfium_pages  # its blank lines come from the layout, as Sanad reads
    sentences = {s.text for s in split_blocks(pdf_blocks(extract(raw), laid_out))}
    return sum(sentence in sentences for sentence in wanted)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pages", type=int, default=1000)
    args = parser.parse_args()
    wanted = (DATA / "sentences.txt").read_text(encoding="utf-8").split("\n")[:-1]
    seed = DATA.parent.parent.parent / "seeds" / "000_4df2e2abeb755126.txt"
    seed_wanted = [s.text for s in split_sentences(seed.read_text(encoding="utf-8"))]
    tests = {  # the test PDFs, and the sentences each should give whole
        "shaped.pdf": wanted,
        "reshaped.pdf": wanted,
        "seed-libreoffice.pdf": seed_wanted,
        "seed-libreoffice-text.pdf": seed_wanted,
        "seed-visual.pdf": seed_wanted,
        "seed-weasyprint.pdf": seed_wanted,
    }
    print(f"| library | {' | '.join(tests)} | {args.pages} pages |")
    print(f"|---|{'---|' * len(tests)}---|")
    sys.path.insert(0, str(DATA))
    from make import shaped  # the test PDFs' own generator

    with tempfile.TemporaryDirectory() as folder:
        big = Path(folder) / "big.pdf"
        shaped(big, repeat=args.pages // 3)
        big_raw = big.read_bytes()
        for name, extract in LIBRARIES.items():
            scores = [
                f"{intact((DATA / f).read_bytes(), extract, whole)}/{len(whole)}"
                for f, whole in tests.items()
            ]
            t = time.perf_counter()
            extract(big_raw)
            print(f"| {name} | {' | '.join(scores)} | {time.perf_counter() - t:.1f} s |")
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
