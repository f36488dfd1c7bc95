"""The operator's downloads of a round: the roster as CSV, Excel, PDF and iCalendar; the
fairness ledger and the payroll as CSV and Excel. Every cell is guarded against formula
injection (`tables.safe`); every word is from the catalogue, in the page's language."""
