"""What a period tells its doctors: the facts of each message, their wording, and the .ics files."""
