"""Live periods: starting them, doctors' actions through the front door, operators' steering."""
