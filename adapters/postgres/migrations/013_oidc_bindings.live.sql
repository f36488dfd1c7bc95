-- Sign-in through an OpenID Connect provider binds the provider's stable identifier for a
-- person (issuer + subject) to the address it first signed in as. After that the binding, not
-- the e-mail claim, says who signs in: an address at the provider can change, or be given to
-- someone else; the subject does not. One address has at most one subject per issuer, so a
-- second provider account claiming a bound address is refused.
CREATE TABLE oidc_bindings (
    issuer       text NOT NULL,                -- exactly as the provider's metadata writes it
    subject      text NOT NULL,                -- the ID token's `sub`
    email        text NOT NULL,                -- lower case: the account or roll address
    bound_at     timestamptz NOT NULL DEFAULT now(),
    last_seen_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (issuer, subject),
    UNIQUE (issuer, email)
);
CREATE INDEX oidc_bindings_email_idx ON oidc_bindings (email);
