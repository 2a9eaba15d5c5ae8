"""deckgen: mine annotated Chinese articles into Anki decks.

The pipeline stages each live in their own module:
read → parse → align → sentences → enrich → render → package.
"""

__version__ = "0.1.0"
