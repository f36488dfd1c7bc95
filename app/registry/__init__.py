"""The district registry's use cases: imports, policy, a doctor's details, doctors' requests."""
