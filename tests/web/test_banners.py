"""Banners after a redirect carry a code from a fixed set, said in the page's language; a crafted
free-text banner is not shown."""

from __future__ import annotations

from tests.web.stack import OPERATOR, email_of
from tests.web.test_access import _round
from tests.web.test_identity import _registry
from web.banners import done_shift, notice_text

CRAFTED = "Your account is locked: call +47 999 99 999"


def test_only_known_codes_become_banners():
    assert notice_text("extended", "nb") == "Fristen er utsatt."
    assert notice_text("extended", "en") == "The deadline is extended."
    assert notice_text("granted", "en", 12) == "The request is granted: #12"
    assert notice_text(CRAFTED, "nb") is None and notice_text(None, "nb") is None
    assert done_shift("2027-01-05/evening") == "2027-01-05/evening"
    assert done_shift(CRAFTED) is None and done_shift("2027-01-05/evening call 999") is None


async def test_a_crafted_banner_is_not_shown_on_the_pages(web_db):
    await _registry(web_db)
    period = await _round(web_db)
    doctor = await web_db.sign_in(email_of("gp04"))
    html = {"Accept": "text/html"}
    board = await doctor.get(f"/periods/{period}", params={"done": CRAFTED}, headers=html)
    assert board.status_code == 200 and "locked" not in board.text and 'data-testid="outcome"' not in board.text
    shown = await doctor.get(f"/periods/{period}", params={"done": "2027-01-05/evening"}, headers=html)
    assert "Registrert: Kveld tir 5. jan 16–23" in shown.text and 'data-testid="outcome"' in shown.text  # by name
    operator = await web_db.sign_in(OPERATOR[0])
    crafted = await operator.get(f"/operator/periods/{period}", params={"notice": CRAFTED}, headers=html)
    assert crafted.status_code == 200 and "locked" not in crafted.text
    known = await operator.get(f"/operator/periods/{period}", params={"notice": "closed", "lang": "en"}, headers=html)
    assert "The phase is closed." in known.text
    home = await operator.get("/operator", params={"notice": CRAFTED}, headers=html)
    assert home.status_code == 200 and "locked" not in home.text
    granted = await operator.get("/operator", params={"notice": "granted", "request": "7"}, headers=html)
    assert "The request is granted: #7" in granted.text  # English, as chosen above
