"""The operator's roster, fairness ledger and exports of a round: read use cases over the stored
events (no Temporal), for the districts the operator's account serves."""
