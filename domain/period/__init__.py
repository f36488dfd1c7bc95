"""One allocation period: its shifts, events, state, rules and decisions."""
