"""Who is signed in and what they may do: access, accounts, sessions, sign-in, OIDC, calendar feeds."""
