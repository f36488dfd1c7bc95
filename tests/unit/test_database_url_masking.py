"""The database URL as printed (infra.settings.redact_url): the whole password is masked, whatever
characters it holds, and the rest stays readable."""

from __future__ import annotations

import pytest

from infra.settings import redact_url


@pytest.mark.parametrize("password", ["Qx7/Zk9", "Qx7?Zk9", "Qx7#Zk9", "Qx7@Zk9", "Qx7/Zk9?Wv3#Jy5", "Qx7:Zk9", "Qx7ø/Zk9æ"])
def test_the_whole_password_is_masked_whatever_it_holds(password):
    url = f"postgresql://vakt:{password}@db.example.no:5432/vakt?sslmode=require"
    shown = redact_url(url)
    assert shown.startswith("postgresql://vakt:***@")
    for piece in ("Qx7", "Zk9", "Wv3", "Jy5"):  # no fragment of the password is left
        assert piece not in shown, (password, shown)
    assert shown.endswith("db.example.no:5432/vakt?sslmode=require")


@pytest.mark.parametrize("url, shown", [
    ("postgresql://vakt@db.example.no/vakt", "postgresql://vakt@db.example.no/vakt"),
    ("postgresql://db.example.no/vakt", "postgresql://db.example.no/vakt"),
    ("postgresql:///vakt?host=/run/pg&password=x/y", "postgresql:///vakt?host=/run/pg&password=***"),
    ("host=db user=vakt password='a b/c'", "host=db user=vakt password=***"),
    ("postgresql://vakt:@db.example.no/vakt", "postgresql://vakt:@db.example.no/vakt"),
])
def test_other_forms_keep_what_is_not_a_password(url, shown):
    assert redact_url(url) == shown
