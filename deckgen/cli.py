"""The ``deckgen`` command line: a thin layer over :mod:`deckgen.build`.

It parses options, calls the library, prints the summary, and turns the
library's own errors into one line on stderr and a non-zero exit.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from . import __version__
from .errors import DeckgenError

app = typer.Typer(
    help="Turn Chinese articles with inline pinyin annotations into Anki decks.",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
)

CARD_CHOICES = ("recognition", "recall", "listening", "sentence")


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


def _fail(exc: DeckgenError) -> typer.Exit:
    typer.echo(f"deckgen: error: {exc}", err=True)
    return typer.Exit(exc.exit_code)


def _parse_cards(value: str) -> tuple[str, ...]:
    cards = tuple(part.strip().lower() for part in value.split(",") if part.strip())
    unknown = [c for c in cards if c not in CARD_CHOICES]
    if unknown:
        raise typer.BadParameter(f"unknown card type {unknown[0]!r}; choose from {', '.join(CARD_CHOICES)}")
    return cards


@app.command()
def build(
    inputs: Annotated[list[Path], typer.Argument(help="Article files (.txt, .html) or folders.", show_default=False)],
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Deck file to write [default: output/<deck>.apkg].")
    ] = None,
    deck: Annotated[str, typer.Option("--deck", help="Deck name in Anki.")] = "Chinese reading",
    encoding: Annotated[str | None, typer.Option("--encoding", help="Input encoding (default: detected).")] = None,
    cards: Annotated[
        str, typer.Option("--cards", help="Card types, comma-separated: recognition,recall,listening,sentence.")
    ] = "recognition,recall",
    tts: Annotated[bool, typer.Option("--tts/--no-tts", help="Anki text-to-speech on the cards.")] = True,
    strict: Annotated[bool, typer.Option("--strict", help="Fail (exit 1) on any warning.")] = False,
    report: Annotated[
        Path | None, typer.Option("--report", help="Also write every warning and note as JSON to this file.")
    ] = None,
) -> None:
    """Mine annotated words into an Anki deck (.apkg)."""
    from .build import BuildOptions, default_output, write
    from .build import build as run_build
    from .report import write_report

    options = BuildOptions(deck=deck, encoding=encoding, cards=_parse_cards(cards), tts=tts)
    target = output or default_output(deck)
    try:
        result = run_build(inputs, options)
        if strict and result.notices:
            if report:
                write_report(result, report, None)
            for notice in result.notices:
                typer.echo(f"warning: {notice}", err=True)
            raise DeckgenError(f"{len(result.notices)} warning(s) and --strict: no deck written")
        path = write(result, target, deck)
        if report:
            write_report(result, report, path)
    except DeckgenError as exc:
        raise _fail(exc) from None
    _summary(result, path)
    if result.failed:
        raise typer.Exit(1)


@app.command()
def preview(
    inputs: Annotated[list[Path], typer.Argument(help="Article files (.txt, .html) or folders.", show_default=False)],
    output: Annotated[Path, typer.Option("--output", "-o", help="HTML page to write.")] = Path("preview.html"),
    deck: Annotated[str, typer.Option("--deck", help="Deck name (the page title).")] = "Chinese reading",
    encoding: Annotated[str | None, typer.Option("--encoding", help="Input encoding (default: detected).")] = None,
    cards: Annotated[
        str, typer.Option("--cards", help="Card types, comma-separated: recognition,recall,listening,sentence.")
    ] = "recognition,recall",
    tts: Annotated[bool, typer.Option("--tts/--no-tts", help="Anki text-to-speech on the cards.")] = True,
) -> None:
    """Write a self-contained HTML page showing every card, front and back, before you import."""
    from .build import BuildOptions
    from .build import build as run_build
    from .preview import write_preview

    options = BuildOptions(deck=deck, encoding=encoding, cards=_parse_cards(cards), tts=tts)
    try:
        result = run_build(inputs, options)
        path = write_preview(result.notes, output, deck)
    except DeckgenError as exc:
        raise _fail(exc) from None
    typer.echo(f"{len(result.notes)} notes previewed in {path}")


MAX_SHOWN_WARNINGS = 20


def _summary(result, path: Path) -> None:  # type: ignore[no-untyped-def]
    files = len(result.files) - len(result.failed)
    typer.echo(
        f"{files} file(s) read: {result.annotations} annotations found, {result.skipped} skipped; "
        f"{len(result.notes)} notes written to {path}"
    )
    flagged = result.flagged
    if flagged:
        typer.echo(f"{len(flagged)} note(s) tagged deckgen::check: " + "、".join(n.hanzi for n in flagged))
    if result.notices:
        typer.echo(f"{len(result.notices)} warning(s):")
        for notice in result.notices[:MAX_SHOWN_WARNINGS]:
            typer.echo(f"  {notice}")
        hidden = len(result.notices) - MAX_SHOWN_WARNINGS
        if hidden > 0:
            typer.echo(f"  … and {hidden} more (--report FILE.json lists them all)")
