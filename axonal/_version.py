"""The version of axonal, in one place (read by the package, the files it writes and the CLI)."""

__version__ = "0.2.0"
