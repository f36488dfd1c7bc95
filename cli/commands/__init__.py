"""The `vakt` commands by topic, each module a `typer.Typer` that cli/main.py registers."""
