"""The `appbuilder-tui` command (entry point `tui.cli:main`): one module per command group."""

from tui.cli.exits import CliError
from tui.cli.main import SERVER_EXTRA_HINT, build_parser, main, require_server_extra

__all__ = ["SERVER_EXTRA_HINT", "CliError", "build_parser", "main", "require_server_extra"]
