"""The district registry: districts and doctors' records, their CSV and scenario imports, doctors' requests."""
