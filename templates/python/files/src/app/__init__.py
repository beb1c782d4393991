"""The application's logic: tests import it, __main__ runs it."""


def greet(name: str) -> str:
    return f"Hello, {name}!"
