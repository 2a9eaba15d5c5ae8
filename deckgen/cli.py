"""The ``deckgen`` command line: a thin layer over :mod:`deckgen.build`.

It parses options, calls the library, prints the summary, and turns the
library's own errors into one line on stderr and a non-zero exit.
"""

from __future__ import annotations

import sys
from contextlib import ExitStack
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import typer

from . import __version__
from .errors import DeckgenError

if TYPE_CHECKING:  # pragma: no cover
    from collections.abc import Callable

    from rich.progress import Progress, TaskID

    from .api import Deck as Mined
    from .api import Options

    Row = TypeVar("Row")

app = typer.Typer(
    help="Turn Chinese articles with inline pinyin annotations into Anki decks.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,  # the top-level help in click's plain layout: rich's import is half of its 0.15 s
)


class _RichHelpCommand(typer.core.TyperCommand):
    """A command whose own ``--help`` keeps rich's layout (plain click escapes its brackets as ``\\[``)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs["rich_markup_mode"] = typer.models.Default(typer.core.DEFAULT_MARKUP_MODE)  # typer's own default
        super().__init__(*args, **kwargs)


class Card(StrEnum):
    """The card types a note can have (``--cards``, comma-separated)."""

    recognition = "recognition"
    recall = "recall"
    listening = "listening"
    sentence = "sentence"


class Format(StrEnum):
    """What ``deckgen build`` writes (``--format``)."""

    apkg = "apkg"
    tsv = "tsv"
    json = "json"


CARD_CHOICES = tuple(card.value for card in Card)
MAX_SHOWN_WARNINGS = 20
PROGRESS_FROM = 4  # files; fewer than this show no progress bar

Inputs = Annotated[
    list[Path],
    typer.Argument(help="Article files (.txt, .html), folders or quoted globs.", show_default=False, readable=False),
]
Deck = Annotated[str, typer.Option("--deck", help="Deck name in Anki.")]
Encoding = Annotated[str | None, typer.Option("--encoding", help="Input encoding (default: detected).")]
Cards = Annotated[
    str, typer.Option("--cards", help="Card types, comma-separated: recognition,recall,listening,sentence.")
]
Tts = Annotated[bool, typer.Option("--tts/--no-tts", help="Anki text-to-speech on the cards.")]
InputFormat = Annotated[
    str | None,
    typer.Option(
        "--input-format",
        help="How the inputs are written [default: detected per file]: "
        "inline, list, cedict, two-line, subtitles, glued, epub.",
        show_default=False,
    ),
]
LibraryPath = Annotated[
    Path | None,
    typer.Option(
        "--library", help="Word library file [default: $DECKGEN_LIBRARY or ~/.local/share/deckgen/].", readable=False
    ),
]


def _version(value: bool) -> None:
    if value:
        typer.echo(f"deckgen {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    version: Annotated[
        bool | None,
        typer.Option("--version", callback=_version, is_eager=True, help="Show the version and exit."),
    ] = None,
) -> None:
    """Turn Chinese articles with inline pinyin annotations into Anki decks."""
    _exit_on_sigterm()


def _exit_on_sigterm() -> None:
    """SIGTERM raises SystemExit, so that ``finally`` and ``with`` blocks remove temporary files and folders."""
    import signal
    import threading

    def terminate(signum: int, frame: object) -> None:
        raise SystemExit(128 + signum)

    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, terminate)


def _fail(exc: DeckgenError) -> typer.Exit:
    typer.echo(f"deckgen: error: {exc}", err=True)
    return typer.Exit(exc.exit_code)


def _check_input_format(value: str | None) -> None:
    from .api import INPUT_FORMATS

    if value is not None and value not in INPUT_FORMATS:
        raise typer.BadParameter(
            f"unknown input format {value!r}; choose from {', '.join(INPUT_FORMATS)}", param_hint="--input-format"
        )


def _parse_cards(value: str) -> tuple[str, ...]:
    """``recognition,recall`` as card types, each checked against :class:`Card`."""
    cards = tuple(part.strip().lower() for part in value.split(",") if part.strip())
    unknown = [c for c in cards if c not in CARD_CHOICES]
    if unknown:
        raise typer.BadParameter(f"unknown card type {unknown[0]!r}; choose from {', '.join(CARD_CHOICES)}")
    return tuple(Card(card).value for card in cards)


def _library(path: Path | None, enabled: bool = True) -> Path | None:
    from .api import default_library

    if not enabled:
        return None
    return path or default_library()


@app.command(cls=_RichHelpCommand)
def build(
    inputs: Inputs,
    output: Annotated[
        Path | None,
        typer.Option(
            "--output",
            "-o",
            help="File to write [default: output/<deck>.apkg]; a folder with --deck-per-source; - for stdout.",
            readable=False,
        ),
    ] = None,
    deck: Deck = "Chinese reading",
    encoding: Encoding = None,
    input_format: InputFormat = None,
    cards: Cards = "recognition,recall",
    tts: Tts = True,
    fmt: Annotated[
        Format, typer.Option("--format", help="apkg (Anki deck), tsv (Anki text import, Pleco) or json.")
    ] = Format.apkg,
    library: LibraryPath = None,
    no_library: Annotated[bool, typer.Option("--no-library", help="A stateless build: no word library.")] = False,
    export_all: Annotated[
        bool, typer.Option("--all", help="Export every word, also those the library knows from other articles.")
    ] = False,
    update_existing: Annotated[
        bool,
        typer.Option(
            "--update-existing",
            help="Stamp re-exported notes with the build time so Anki updates them (overwrites your edits to them).",
        ),
    ] = False,
    known: Annotated[
        list[Path] | None,
        typer.Option(
            "--known",
            help="Words you know: a word list, CSV/TSV, .apkg or collection.anki2 (repeatable).",
            readable=False,
        ),
    ] = None,
    skip_particles: Annotated[
        bool, typer.Option("--skip-particles", help="Leave out particles (的, 了, 着 …).")
    ] = False,
    skip_hsk: Annotated[
        int | None, typer.Option("--skip-hsk", min=1, max=7, help="Leave out words of HSK 3.0 level ≤ N (7 = 7-9).")
    ] = None,
    skip_common: Annotated[
        float | None, typer.Option("--skip-common", help="Leave out words with a Zipf frequency ≥ Z (e.g. 6).")
    ] = None,
    per_source: Annotated[bool, typer.Option("--deck-per-source", help="One deck (subdeck) per article.")] = False,
    jobs: Annotated[
        int,
        typer.Option(
            "--jobs", "-j", min=0, help="Processes to build in; 0: one per CPU (up to 4) for 1 MB of input or more."
        ),
    ] = 0,
    strict: Annotated[bool, typer.Option("--strict", help="Fail (exit 1) on any warning.")] = False,
    keep_unsure: Annotated[
        bool,
        typer.Option("--keep-unsure", help="Also export spans that are probably not words, tagged deckgen::check."),
    ] = False,
    report: Annotated[
        Path | None,
        typer.Option("--report", help="Also write every warning and note as JSON to this file.", readable=False),
    ] = None,
) -> None:
    """Mine annotated words into an Anki deck (.apkg), or TSV/JSON (``-o -``: standard output)."""
    from . import api

    _check_input_format(input_format)
    to_stdout = output is not None and str(output) == "-"
    if to_stdout and (fmt == "apkg" or per_source):
        raise _fail(DeckgenError("-o - (standard output) needs --format tsv or json, and one deck"))
    try:
        filters = api.Filters(api.read_known(known) if known else None, skip_particles, skip_hsk, skip_common)
        options = api.Options(
            deck=deck,
            encoding=encoding,
            cards=_parse_cards(cards),
            tts=tts,
            library=_library(library, not no_library),
            export_all=export_all,
            update_existing=update_existing,
            filters=filters,
            jobs=jobs,
            keep_unsure=keep_unsure,
            input_format=input_format,
            apkg_as_rendered=fmt == Format.apkg and not per_source and not to_stdout,
        )
        try:
            mined = _run(inputs, options, strict)
        except api.WarningsError as exc:
            if report:
                api.write_report(exc.deck, report)
            for notice in exc.deck.notices:
                typer.echo(f"warning: {notice}", err=True)
            raise
        if to_stdout:
            paths = [Path("-")] if api.write_deck_to(mined, sys.stdout, fmt.value) else []
        elif per_source:
            paths = api.write_decks_per_source(mined, output, fmt.value)
        else:
            written = api.write_deck(mined, output, fmt.value)
            paths = [written] if written else []
        if report:
            api.write_report(mined, report, paths[0] if paths else None)
    except DeckgenError as exc:
        raise _fail(exc) from None
    except KeyboardInterrupt:
        typer.echo("deckgen: interrupted; nothing was written over your previous deck", err=True)
        raise typer.Exit(130) from None
    _summary(mined, paths, err=to_stdout)
    if mined.failed:
        raise typer.Exit(1)


def _run(inputs: list[Path], options: Options, strict: bool = False) -> Mined:
    """Mine the inputs, with a progress bar on stderr once it turns out to have more than a few files.

    The bar is made on the first progress call, which carries the file count,
    so the inputs are expanded once, by the build.
    """
    from .api import mine_files

    with ExitStack() as stack:
        bar_and_task: list[tuple[Progress, TaskID]] = []

        def advance(path: Path, index: int, count: int) -> None:
            if count < PROGRESS_FROM:
                return
            if not bar_and_task:
                from rich.console import Console
                from rich.progress import Progress

                bar = stack.enter_context(Progress(console=Console(stderr=True), transient=True))
                bar_and_task.append((bar, bar.add_task("Reading", total=count)))
            bar, task = bar_and_task[0]
            bar.update(task, completed=index, description=f"Reading {path.name}")

        return mine_files(inputs, options, advance, strict)


@app.command(cls=_RichHelpCommand, short_help="Write an HTML page showing every card, front and back.")
def preview(
    inputs: Inputs,
    output: Annotated[Path, typer.Option("--output", "-o", help="HTML page to write.", readable=False)] = Path(
        "preview.html"
    ),
    deck: Deck = "Chinese reading",
    encoding: Encoding = None,
    input_format: InputFormat = None,
    cards: Cards = "recognition,recall",
    tts: Tts = True,
) -> None:
    """Write a self-contained HTML page showing every card, front and back, before you import."""
    from . import api

    _check_input_format(input_format)
    options = api.Options(deck=deck, encoding=encoding, cards=_parse_cards(cards), tts=tts, input_format=input_format)
    try:
        mined = api.mine_files(inputs, options)
        path = api.write_preview(mined, output)
    except DeckgenError as exc:
        raise _fail(exc) from None
    typer.echo(f"{len(mined.notes)} notes previewed in {path}")


@app.command(cls=_RichHelpCommand, short_help="List your words: pinyin, times seen, articles, dates.")
def words(library: LibraryPath = None) -> None:
    """List the words in your library: word, pinyin, times seen, articles, first seen, exported."""
    from .api import library_words

    rows = _library_rows(library_words, library)
    typer.echo("word\tpinyin\tcount\tarticles\tfirst seen\texported")
    for row in rows:
        exported = _date(row.exported_at) if row.exported_at else "no"
        typer.echo(f"{row.hanzi}\t{row.pinyin}\t{row.count}\t{row.articles}\t{_date(row.first_seen)}\t{exported}")
    typer.echo(f"{len(rows)} words", err=True)


@app.command(cls=_RichHelpCommand)
def stats(library: LibraryPath = None) -> None:
    """Show how your vocabulary grew, article by article."""
    from .api import library_growth

    typer.echo("date\tarticle\twords\tnew\ttotal")
    for row in _library_rows(library_growth, library):
        typer.echo(f"{_date(row.built_at)}\t{Path(row.source).name}\t{row.words}\t{row.new_words}\t{row.total_after}")


def _library_rows(query: Callable[[Path | None], list[Row]], library: Path | None) -> list[Row]:
    """Rows of one library query, or a one-line error."""
    try:
        return query(_library(library))
    except DeckgenError as exc:
        raise _fail(exc) from None


def _date(stamp: float) -> str:
    import datetime

    return datetime.datetime.fromtimestamp(stamp, tz=datetime.UTC).strftime("%Y-%m-%d")


def _summary(result: Mined, paths: list[Path], err: bool = False) -> None:
    """The summary, on stdout (on stderr when the notes themselves went to stdout)."""
    import functools

    echo = functools.partial(typer.echo, err=err)
    files = len(result.sources) - len(result.failed)
    if paths:
        outcome = f"{len(result.notes)} notes written to {', '.join(map(str, paths))}"
    elif result.known:
        outcome = "nothing new: no file written"  # an older deck at the target stays as it was
    else:
        outcome = "no words left to export: no file written"
    echo(f"{files} file(s) read: {result.annotations} annotations found, {result.skipped} skipped; {outcome}")
    if result.readers:
        echo("read as: " + ", ".join(f"{Path(path).name} ({name})" for path, name in result.readers.items()))
    if result.library is not None or result.filtered:
        filtered = sum(result.filtered.values())
        reasons = ", ".join(f"{n} {why}" for why, n in result.filtered.items())
        echo(
            f"{result.new} new words, {result.known} already known, {filtered} filtered out"
            + (f" ({reasons})" if reasons else "")
        )
        if result.known and result.library is not None:
            echo(f"  known: met first in earlier articles (library {result.library}; --all or --no-library)")
    flagged = result.flagged
    if flagged:
        echo(f"{len(flagged)} note(s) tagged deckgen::check: " + "、".join(n.hanzi for n in flagged))
    if result.left_out:
        echo(
            f"{len(result.left_out)} span(s) left out as probably not words: "
            + "、".join(result.left_out)
            + " (the warnings show their sentences; --keep-unsure exports them)"
        )
    if result.notices:
        echo(f"{len(result.notices)} warning(s):")
        for notice in result.notices[:MAX_SHOWN_WARNINGS]:
            echo(f"  {notice}")
        hidden = len(result.notices) - MAX_SHOWN_WARNINGS
        if hidden > 0:
            echo(f"  … and {hidden} more (--report FILE.json lists them all)")
