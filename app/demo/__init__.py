"""The demonstrations: a simulated scenario, several years of rounds, the bundled sample district."""
