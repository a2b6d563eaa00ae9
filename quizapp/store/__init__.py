"""Persistence: SQLModel models, the engine factory and the queries."""
