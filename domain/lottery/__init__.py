"""The lottery (phase C): the draw as a pure function of the period's state and a seed (R-LOT-4)."""
