"""Readers that turn deck files into cards. No textual, no torch, no database."""

from quizapp.importers.base import DeckError, ParsedCard, ParsedDeck

__all__ = ["DeckError", "ParsedCard", "ParsedDeck"]
