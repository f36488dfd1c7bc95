"""Process plumbing: settings from the environment and the embedded servers used when no
external Temporal / PostgreSQL is configured. No domain logic lives here."""
