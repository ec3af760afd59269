"""newsradar: configuration and the one command line that wires the feature packages."""

__version__ = "0.1.0"
