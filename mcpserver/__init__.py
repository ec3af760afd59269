"""The archive for AI assistants: an MCP server (``newsradar mcp``) with read-only tools that
search and summarise the archive through ``storage`` and ``search``, linking back to the web archive."""

from .archive import Archive, ArchiveError
from .server import build_server, run, serve

__all__ = ["Archive", "ArchiveError", "build_server", "run", "serve"]
