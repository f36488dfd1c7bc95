"""Adapters to the outside world, named by role and technology: PostgreSQL repositories, SMTP."""
