"""``python -m deckgen`` runs the CLI."""

from .cli import app

app(prog_name="deckgen")
