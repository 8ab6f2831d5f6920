"""quickstart-demo: the example project metaseal's demo builds and checks."""

__version__ = "0.1.0"


def greet(name: str) -> str:
    """Say hello."""
    return f"Hello, {name}!"
