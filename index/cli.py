"""The ``sanad`` command line: build the index, ask it questions, list its documents."""

from __future__ import annotations

import argparse
import json
import logging
import os
import sqlite3
import sys
from collections.abc import Sequence
from dataclasses import replace
from importlib.metadata import entry_points
from importlib.metadata import version as package_version
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from index.ranges import Range, ranges

if TYPE_CHECKING:  # the modules themselves load with the command that needs them, so that
    # `sanad --help` and `sanad ask` pay for no more than they use
    from index.config import Config
    from index.retrieval.answers import Answer

# Exit statuses, for scripts and service managers (README, "The command line"): 0 done;
# 1 asked and no answer (`ask`), or a check failed (`check`); 2 a command line or a question
# that cannot be used (argparse's usage errors, a question with nothing to search); 3 no
# bot running (`status`); 4 an error: a document, the config, the index, Telegram.
EXIT_NO_ANSWER = 1
EXIT_BAD_QUESTION = 2
EXIT_ERROR = 4
EVAL_VECTORS = "eval-vectors.sqlite3"  # sanad eval keeps its corpora's vectors here

# On a terminal: bold and underline, each switched off on its own (they nest).
BOLD, BOLD_OFF, UNDERLINE, UNDERLINE_OFF = "\033[1m", "\033[22m", "\033[4m", "\033[24m"


def cmd_build(args: argparse.Namespace, config: Config) -> int:
    from index.collection import Collection

    paths = [Path(p) for p in args.paths] or config.sources
    with Collection.open(config, prepare=False, cluster=args.cluster) as collection:
        report = collection.rebuild(paths, progress=sys.stderr.isatty())
    print(report.summary(config.index_path))
    return 0


def cmd_add(args: argparse.Namespace, config: Config) -> int:
    from index.build import counted
    from index.collection import Collection
    from index.reading.documents import find_documents
    from index.reading.fetch import fetch, is_url

    with Collection.open(config, sys.stderr, cluster=args.cluster) as collection:
        for source in args.sources:
            if is_url(source):  # fetched once; its address is kept for the citation
                got = fetch(source, config.index.fetch_timeout, collection.limits.max_bytes)
                items = [(got.name, got.raw, got.url)]
            else:
                files, _ = find_documents([Path(source)])
                items = [(f.name, f.read_bytes(), str(f)) for f in files]
            for name, raw, origin in items:
                document = collection.add(name, raw, source=origin, sets=args.sets)
                sentences = counted(len(document.sentences), "sentence")
                print(f"added {name}: «{document.title}», {sentences}")
    return 0


def cmd_sets(args: argparse.Namespace, config: Config) -> int:
    from index.build import counted
    from index.collection import Collection

    with Collection.open(config, sys.stderr) as collection:
        if args.name and args.documents:
            collection.assign(args.documents, args.name, member=not args.remove)
            verb = "taken out of" if args.remove else "put in"
            print(f"{counted(len(args.documents), 'document')} {verb} {args.name}")
        elif args.name or args.documents or args.remove:
            print("sanad: error: give a set's NAME and the documents to put in it", file=sys.stderr)
            return EXIT_BAD_QUESTION
        for name, size in collection.sets().items():
            print(f"{name}\t{counted(size, 'document')}")
    return 0


def cmd_remove(args: argparse.Namespace, config: Config) -> int:
    from index.collection import Collection

    with Collection.open(config, prepare=False, cluster=args.cluster) as collection:
        collection.remove(args.names)
    print(f"removed {', '.join(args.names)}")
    return 0


def answer_json(answer: Answer) -> dict[str, object]:
    """The ``--json`` shape of an answer."""
    return {
        "question": answer.question,
        "empty": answer.empty,
        "reason": answer.reason,
        "hits": [
            {
                "doc": h.document,
                "title": h.title,
                "ordinal": h.ordinal,
                "of": h.sentence_count,
                "text": h.text,
                "score": h.score,
                "spans": [list(s) for s in h.spans],
                "speaker": h.speaker or None,
                "page": h.page,
                "section": h.section or None,
                "url": h.url or None,
                "also": list(h.also),
                "copies": list(h.copies),
                "meaning": h.meaning,
                "ocr": h.ocr,
                "answer": {"text": h.text[h.answer[0] : h.answer[1]], "span": list(h.answer)}
                if h.answer
                else None,
            }
            for h in answer.hits
        ],
    }


def print_answer(answer: Answer, out: TextIO, bold: bool) -> None:
    """Ranked sentences, matched words marked (``**…**``), the phrase that answers too
    (``__…__``), each with ``[title #n]`` (and its page, «section», web address, speaker
    where known)."""
    from index.retrieval.answers import MEANING_LABEL, OCR_LABEL
    from index.retrieval.highlight import marked

    if answer.empty:
        print(answer.message, file=out)
        return
    before, after = (BOLD, BOLD_OFF) if bold else ("**", "**")
    under, over = (UNDERLINE, UNDERLINE_OFF) if bold else ("__", "__")
    for rank, hit in enumerate(answer.hits, start=1):
        phrase = ((hit.answer,), under, over) if hit.answer else None
        print(f"{rank}. {marked(hit.text, hit.spans, before, after, outer=phrase)}", file=out)
        page = "".join(f" #{n}" for n in hit.copies)  # where the document repeats it
        page += f" · ص {hit.page}" if hit.page is not None else ""
        section = f" · «{hit.section}»" if hit.section else ""
        url = f" · {hit.url}" if hit.url else ""
        said = f" · 🗣 {hit.speaker}" if hit.speaker else ""
        said += f" · {MEANING_LABEL}" if hit.meaning else ""
        said += f" · {OCR_LABEL}" if hit.ocr else ""
        print(
            f"   [{hit.title} #{hit.ordinal}{page}]{section}{url} · {hit.score:.2f}{said}", file=out
        )
        if hit.also:
            print(f"   وورد أيضًا في: {'، '.join(hit.also)}", file=out)


def cmd_ask(args: argparse.Namespace, config: Config) -> int:
    from index.collection import Collection
    from index.question.followup import follow_up
    from index.question.query import UNUSABLE, unusable
    from index.retrieval.answers import BY_MEANING_ONLY, Answer

    understood = follow_up(args.question, args.after) if args.after else None
    question = understood or args.question
    reason = unusable(question)
    if reason in BY_MEANING_ONLY and config.semantic.enabled:
        reason = None  # another language: the encoder may still answer it
    if reason:  # say so before building or loading anything
        answer = Answer(question, reason=reason)
    else:
        with Collection.open(config, sys.stderr, cluster=args.cluster) as collection:
            answer = collection.ask(question, args.k, args.sets)
    if args.json:
        json.dump(
            {"understood": understood, **answer_json(answer)},
            sys.stdout,
            ensure_ascii=False,
            indent=2,
        )
        print()
    elif answer.reason in UNUSABLE:
        print(f"sanad: {answer.message}", file=sys.stderr)
    else:
        if understood:
            print(f"فهمت: {understood}")
        print_answer(answer, sys.stdout, bold=sys.stdout.isatty())
    if answer.reason in UNUSABLE:
        return EXIT_BAD_QUESTION
    return EXIT_NO_ANSWER if answer.empty else 0


def cmd_check(args: argparse.Namespace, config: Config) -> int:
    from index.check import check_store
    from index.retrieval.encoder import E5_NAME
    from index.storage.store import Store

    if not config.index_path.exists():
        print(f"FAIL no index at {config.index_path} (sanad build makes one)")
        return 1
    store = Store(config.index_path)
    try:
        model = E5_NAME if config.semantic.enabled else None
        findings = check_store(store, config.bm25, args.sample, model)
    finally:
        store.close()
    for finding in findings:
        print(finding)
    return 0 if all(f.ok for f in findings) else 1


def cmd_docs(args: argparse.Namespace, config: Config) -> int:
    from index.build import counted
    from index.collection import Collection

    with Collection.open(config, sys.stderr) as collection:
        docs = collection.documents()
    if args.json:
        rows = [
            {
                "name": d.name,
                "title": d.title,
                "sentences": d.sentences,
                "kind": d.kind,
                "source": d.source or None,
                "added": d.added_at,
            }
            for d in docs
        ]
        print(json.dumps(rows, ensure_ascii=False, indent=2))
        return 0
    for info in docs:
        print(
            f"{info.name}\t{counted(info.sentences, 'sentence')}\t{info.added_at}\t{info.title}"
            f"\t{info.source or '-'}"
        )
    total = sum(d.sentences for d in docs)
    print(f"{counted(len(docs), 'document')}, {counted(total, 'sentence')}")
    return 0


def cmd_eval(args: argparse.Namespace, config: Config) -> int:
    from index.collection import Collection
    from index.evaluate import evaluate, format_report, load_questions, read_corpus

    documents, ids = read_corpus(args.corpus)
    questions = load_questions(args.questions)
    if config.semantic.enabled and not config.semantic.cache:
        # the corpus's vectors are kept between runs, by their texts, beside the index
        cache = str(Path(config.index.path).parent / EVAL_VECTORS)
        config = replace(config, semantic=replace(config.semantic, cache=cache))
    with Collection.in_memory(documents, config) as collection:
        report = evaluate(collection, ids, questions)
    if args.details:
        for qid, rank, abstained in report.ranks:
            shown = "abstained" if abstained else (rank if rank is not None else "-")
            print(f"{qid}\t{shown}", file=sys.stdout if not args.json else sys.stderr)
    if args.json:
        print(json.dumps(report.as_dict()))
    else:
        print(format_report(report))
    return 0


def cluster_flag(parser: argparse.ArgumentParser, what: str) -> None:
    """The ``--cluster`` option of a command, saying what it does there."""
    parser.add_argument("--cluster", action="store_true", help=what)


ONE_OR_MORE = Range(1, None, "1 or more")


def count(text: str, valid: Range = ONE_OR_MORE) -> int:
    """A count given on the command line: a whole number in ``valid``.

    >>> count("3"), count("500")
    (3, 500)
    >>> count("abc")
    Traceback (most recent call last):
    argparse.ArgumentTypeError: 'abc' is not a whole number, 1 or more
    """
    if not text.strip().isdigit() or not valid.holds(int(text)):
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number, {valid.words}")
    return int(text)


def sentences_wanted(text: str) -> int:
    """``-k``: as many sentences as ``search.top_k`` may be.

    >>> sentences_wanted("51")
    Traceback (most recent call last):
    argparse.ArgumentTypeError: '51' is not a whole number, between 1 and 50
    """
    from index.retrieval.settings import SearchSettings

    return count(text, ranges(SearchSettings)["top_k"])


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="sanad",
        description="Answers Arabic questions with the cited sentences of your documents.",
    )
    p.add_argument("--version", action="version", version=f"sanad {package_version('sanad')}")
    p.add_argument("--config", type=Path, help="TOML config file (default: ./config.toml)")
    p.add_argument("-v", "--verbose", action="store_true", help="say more about what happens")
    # the same options after the command too (`sanad ask -v "…"`), not overriding if absent
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--config", type=Path, default=argparse.SUPPRESS, help=argparse.SUPPRESS)
    common.add_argument(
        "-v", "--verbose", action="store_true", default=argparse.SUPPRESS, help=argparse.SUPPRESS
    )
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")
    sub_parser = sub.add_parser

    def add_parser(name: str, **kw: Any) -> argparse.ArgumentParser:
        return sub_parser(name, parents=[common], **kw)

    sub.add_parser = add_parser  # type: ignore[method-assign]

    build = sub.add_parser("build", help="index documents (default: the seeds folder)")
    build.add_argument(
        "paths",
        nargs="*",
        metavar="PATH",
        help="files or folders of documents (.txt, .md, .html, .pdf, .docx)",
    )
    cluster_flag(build, "analyse documents and build shards on the Ray cluster of [cluster]")
    build.set_defaults(run=cmd_build)

    ask = sub.add_parser(
        "ask",
        help="answer a question from the index",
        description="Exit status: 0 answered, 1 no answer in the documents, "
        "2 nothing to search in the question.",
    )
    ask.add_argument("question")
    ask.add_argument("-k", type=sentences_wanted, help="how many sentences (default: search.top_k)")
    ask.add_argument("--json", action="store_true", help="print JSON")
    cluster_flag(ask, "answer from shards on the Ray cluster of [cluster] (the same answers)")
    ask.add_argument(
        "--after",
        metavar="PREVIOUS",
        help="the question asked before, for a follow-up such as «وعن كازاخستان؟»",
    )
    ask.add_argument(
        "--set",
        dest="sets",
        action="append",
        metavar="NAME",
        help="answer from this set of documents alone, ranked as if it were the whole "
        "collection (again for more sets; see sanad sets)",
    )
    ask.set_defaults(run=cmd_ask)

    add = sub.add_parser(
        "add",
        help="add documents or web pages (replacing any of the same name)",
        description="Add each PATH (a file, or the documents in a folder) or URL (a web page "
        "or a document, fetched once) to the collection; a copy is kept in index.uploads.",
    )
    add.add_argument("sources", nargs="+", metavar="PATH|URL")
    add.add_argument(
        "--set",
        dest="sets",
        action="append",
        metavar="NAME",
        help="put the documents in this set (again for more), not the default one",
    )
    cluster_flag(add, "update the shards of [cluster] (the owning shard is rebuilt)")
    add.set_defaults(run=cmd_add)

    sets = sub.add_parser(
        "sets",
        help="list the sets of documents, or put documents in a set",
        description="Without NAME: every set and its number of documents (documents in no "
        "named set are in the set 'default'). With NAME and documents: put them in it "
        "(--remove: take them out).",
    )
    sets.add_argument("name", nargs="?", metavar="NAME")
    sets.add_argument("documents", nargs="*", metavar="DOCUMENT")
    sets.add_argument("--remove", action="store_true", help="take the documents out of NAME")
    sets.set_defaults(run=cmd_sets)

    remove = sub.add_parser("remove", help="remove documents by name (see sanad docs)")
    remove.add_argument("names", nargs="+", metavar="NAME")
    cluster_flag(remove, "update the shards of [cluster] (the owning shard is rebuilt)")
    remove.set_defaults(run=cmd_remove)

    docs = sub.add_parser(
        "docs",
        help="list the indexed documents",
        description="Each document: its name (what sanad remove takes), sentences, when it "
        "was added, title and source (a path or a web address).",
    )
    docs.add_argument("--json", action="store_true", help="print JSON")
    docs.set_defaults(run=cmd_docs)

    check = sub.add_parser(
        "check",
        help="check the index: SQLite, the engine files, exact BM25 scores",
        description="One line per check; exit 0 when all are sound, 1 otherwise.",
    )
    check.add_argument(
        "--sample", type=count, default=20, help="questions whose scores are compared"
    )
    check.set_defaults(run=cmd_check)

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
    from index.cluster.actors import ClusterUnavailable
    from index.config import ConfigError, load_config
    from index.evaluate import EvalError
    from index.reading.documents import DocumentError
    from index.storage.sqlite import NewerSchema
    from index.text.camel import CamelUnavailable

    try:
        config = load_config(args.config)
        return args.run(args, config)
    except (
        ConfigError,
        DocumentError,
        CamelUnavailable,
        EvalError,
        ClusterUnavailable,
        NewerSchema,
    ) as exc:
        print(f"sanad: error: {exc}", file=sys.stderr)
        return EXIT_ERROR
    except sqlite3.OperationalError as exc:
        if "locked" in str(exc):
            why = f"another process kept the collection busy too long ({exc}); try again later"
        else:  # a file SQLite cannot open or write: a full disk, a read-only folder
            why = f"the index at {config.index_path} cannot be used ({exc})"
        print(f"sanad: error: {why}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # `sanad docs | head -1`: the reader had enough
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except OSError as exc:  # a folder that cannot be made, a file that cannot be written
        where = f"{exc.filename}: " if exc.filename else ""
        print(f"sanad: error: {where}{exc.strerror or exc}", file=sys.stderr)
        return EXIT_ERROR


if __name__ == "__main__":
    sys.exit(main())
