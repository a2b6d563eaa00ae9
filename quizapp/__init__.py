"""quizapp: terminal spaced repetition for PyTorch fundamentals."""

__version__ = "0.1.0"
