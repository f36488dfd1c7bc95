"""Reads: the status of rounds, the stored event log, and the doctors' and operators' views."""
