"""The Temporal activities and their message contracts, nothing else.

The activities are methods of classes that get their repositories at worker start (worker.py):
EventStoreActivities, LotteryActivities, MailActivities, RoundPlanner. Their I/O goes through
adapters/ (PostgreSQL, SMTP). Workflows may import the contracts (`*_models`, `batching`): they
import no I/O library.
"""
