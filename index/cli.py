"""The ``sanad`` command line: build the index, ask it questions, list its documents."""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Sequence
from importlib.metadata import entry_points
from pathlib import Path
from typing import TextIO

from index.analysis import Analyzer
from index.build import BuildReport, build_index, reanalyse
from index.camel import CamelUnavailable, make_segmenter
from index.config import Config, ConfigError, load_config
from index.documents import DocumentError
from index.evaluate import (
    EvalError,
    build_searcher,
    evaluate,
    format_report,
    load_questions,
    read_jsonl,
)
from index.search import Answer, Searcher, marked, save_index_files, unusable
from index.store import Store

EXIT_NO_ANSWER = 1
EXIT_BAD_QUESTION = 2
_UNUSABLE = {"blank", "too_long", "not_arabic", "no_words"}

BOLD, RESET = "\033[1m", "\033[0m"


def open_store(config: Config, notices: TextIO) -> tuple[Store, Analyzer]:
    """The configured store and analyzer, the store brought up to date.

    A store with no documents is built from the seeds folder; one whose terms were
    made by another analysis is re-analysed from its stored texts. What is done is
    said on ``notices``.
    """
    analyzer = Analyzer(make_segmenter(config.analysis.segmenter))
    store = Store(config.index_path)
    if not store.documents():
        print(f"sanad: no index yet: building it from {config.seeds_path}", file=notices)
        report_build(build_index(store, analyzer, config.sources), config, notices)
    elif store.signature != analyzer.signature:
        count = reanalyse(store, analyzer)
        print(
            f"sanad: analysis changed to {analyzer.signature}: re-analysed {count} documents",
            file=notices,
        )
    return store, analyzer


def configured_searcher(store: Store, analyzer: Analyzer, config: Config) -> Searcher:
    """A searcher over ``store`` with the configured BM25 and search settings."""
    return Searcher(
        store,
        analyzer,
        config.bm25.params(),
        min_evidence=config.search.min_evidence,
        weights=config.search.weights(),
    )


def open_searcher(config: Config, notices: TextIO) -> Searcher:
    """A searcher over the configured store (built first if need be)."""
    return configured_searcher(*open_store(config, notices), config)


def report_build(report: BuildReport, config: Config, out: TextIO) -> None:
    """The closing summary of a build."""
    unchanged = report.documents - len(report.added) - len(report.updated)
    if report.ignored:
        print(
            f"ignored {len(report.ignored)} files that are not .txt: " + ", ".join(report.ignored),
            file=out,
        )
    print(
        f"indexed {report.documents} documents ({len(report.added)} added, "
        f"{len(report.updated)} updated, {len(report.removed)} removed, {unchanged} unchanged): "
        f"{report.sentences:,} sentences, {report.words:,} words in {report.seconds:.1f} s "
        f"→ {config.index_path}",
        file=out,
    )


def cmd_build(args: argparse.Namespace, config: Config) -> int:
    paths = [Path(p) for p in args.paths] or config.sources
    analyzer = Analyzer(make_segmenter(config.analysis.segmenter))
    with Store(config.index_path) as store:
        report = build_index(store, analyzer, paths, progress=sys.stderr.isatty())
        save_index_files(store, config.bm25.params())
    report_build(report, config, sys.stdout)
    return 0


def answer_json(answer: Answer) -> dict[str, object]:
    """The ``--json`` shape of an answer."""
    return {
        "question": answer.question,
        "empty": answer.empty,
        "reason": answer.reason,
        "hits": [
            {
                "doc": h.doc,
                "title": h.title,
                "ordinal": h.ordinal,
                "of": h.of,
                "text": h.text,
                "score": h.score,
                "spans": [list(s) for s in h.spans],
                "speaker": h.speaker or None,
            }
            for h in answer.hits
        ],
    }


def print_answer(answer: Answer, out: TextIO, bold: bool) -> None:
    """Ranked sentences, matched words marked, each with ``[title #n]``."""
    if answer.empty:
        print(answer.message, file=out)
        return
    before, after = (BOLD, RESET) if bold else ("**", "**")
    for rank, hit in enumerate(answer.hits, start=1):
        print(f"{rank}. {marked(hit.text, hit.spans, before, after)}", file=out)
        said = f" · 🗣 {hit.speaker}" if hit.speaker else ""
        print(f"   [{hit.title} #{hit.ordinal}] · {hit.score:.2f}{said}", file=out)


def cmd_ask(args: argparse.Namespace, config: Config) -> int:
    if unusable(args.question):  # say so before building or loading anything
        answer = Answer(args.question, reason=unusable(args.question))
    else:
        searcher = open_searcher(config, sys.stderr)
        try:
            answer = searcher.ask(args.question, k=args.k or config.search.top_k)
        finally:
            searcher.store.close()
    if args.json:
        json.dump(answer_json(answer), sys.stdout, ensure_ascii=False, indent=2)
        print()
    elif answer.reason in _UNUSABLE:
        print(f"sanad: {answer.message}", file=sys.stderr)
    else:
        print_answer(answer, sys.stdout, bold=sys.stdout.isatty())
    if answer.reason in _UNUSABLE:
        return EXIT_BAD_QUESTION
    return EXIT_NO_ANSWER if answer.empty else 0


def cmd_docs(args: argparse.Namespace, config: Config) -> int:
    store, _ = open_store(config, sys.stderr)
    with store:
        docs = store.documents()
    for info in docs:
        print(f"{info.name}\t{info.sentences} sentences\t{info.added_at}\t{info.title}")
    print(f"{len(docs)} documents, {sum(d.sentences for d in docs)} sentences")
    return 0


def cmd_eval(args: argparse.Namespace, config: Config) -> int:
    rows = read_jsonl(args.corpus, ("id", "doc", "text"))
    questions = load_questions(args.questions)
    analyzer = Analyzer(make_segmenter(config.analysis.segmenter))
    searcher, ids = build_searcher(
        rows, analyzer, lambda store, an: configured_searcher(store, an, config)
    )
    report = evaluate(searcher, ids, questions)
    if args.details:
        for qid, rank, abstained in report.ranks:
            shown = "abstained" if abstained else (rank if rank is not None else "-")
            print(f"{qid}\t{shown}", file=sys.stdout if not args.json else sys.stderr)
    if args.json:
        print(json.dumps(report.as_dict()))
    else:
        print(format_report(report))
    return 0


def positive_int(text: str) -> int:
    value = int(text)
    if value < 1 or value > 50:
        raise argparse.ArgumentTypeError("must be between 1 and 50")
    return value


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="sanad",
        description="Answers Arabic questions with the cited sentences of your documents.",
    )
    p.add_argument("--config", type=Path, help="TOML config file (default: ./config.toml)")
    p.add_argument("-v", "--verbose", action="store_true", help="say more about what happens")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")

    build = sub.add_parser("build", help="index documents (default: the seeds folder)")
    build.add_argument("paths", nargs="*", metavar="PATH", help="files or folders of .txt")
    build.set_defaults(run=cmd_build)

    ask = sub.add_parser(
        "ask",
        help="answer a question from the index",
        description="Exit status: 0 answered, 1 no answer in the documents, "
        "2 nothing to search in the question.",
    )
    ask.add_argument("question")
    ask.add_argument("-k", type=positive_int, help="how many sentences (default: search.top_k)")
    ask.add_argument("--json", action="store_true", help="print JSON")
    ask.set_defaults(run=cmd_ask)

    docs = sub.add_parser("docs", help="list the indexed documents")
    docs.set_defaults(run=cmd_docs)

    ev = sub.add_parser(
        "eval",
        help="measure retrieval on a question set",
        description="Build a throwaway index over CORPUS (JSON lines {id, doc, text}, one "
        "sentence each) and ask every QUESTIONS row ({qid, question, gold: [ids]}).",
    )
    ev.add_argument("corpus", type=Path)
    ev.add_argument("questions", type=Path)
    ev.add_argument("--json", action="store_true", help="print the metrics as JSON")
    ev.add_argument("--details", action="store_true", help="list each question's rank")
    ev.set_defaults(run=cmd_eval)

    # More commands (`serve` from the bot package) plug in through entry points, so
    # that this package never imports the bot.
    for entry in entry_points(group="sanad.commands"):
        entry.load()(sub)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING, format="sanad: %(message)s"
    )
    try:
        config = load_config(args.config)
        return args.run(args, config)
    except (ConfigError, DocumentError, CamelUnavailable, EvalError) as exc:
        print(f"sanad: error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
