"""newsradar: configuration and the one command line that wires the feature packages."""

__all__ = ["__version__"]

__version__ = "0.1.0"
