"""The typer command-line interface: one module per command group (the only layer mapping errors to exit codes)."""
