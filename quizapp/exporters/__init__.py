"""Writers that turn quizapp cards into files other programs read. No textual, no torch, no database."""
