"""HTTP entry points over the application layer (named `web`, not `http`, which would shadow
the standard library's package)."""
