"""The application layer: the use cases every entry point shares (CLI, HTTP, scheduled starter).

Use cases are async, raise errors from `app.errors` and never print. Entry points (`cli/`,
`web/`) parse their input, call a use case and render its result. The sub-packages are by
feature: periods/, reads/, registry/, identity/, demo/. A use case takes its repositories from
the unit of work, `await services.database()` (app/database.py), and never builds one.
"""
