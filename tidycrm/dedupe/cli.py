"""`tidycrm duplicates ...`: scan, export, merge."""

import typer

app = typer.Typer(help="Find, export and merge duplicate records.", no_args_is_help=True)
