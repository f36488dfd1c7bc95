"""The application layer: the use cases every entry point shares (CLI, HTTP, scheduled starter).

Use cases are async, raise errors from `app.errors` and never print. Entry points (`cli/`,
`http/`) parse their input, call a use case and render its result.
"""
