"""One module per command group, each with register(subparsers); newsradar.cli loads them by name."""

__all__: list[str] = []
