"""The edge's words (refusals, banners) in Norwegian (bokmål) and English; merged into web.i18n.TEXTS."""

from __future__ import annotations

EDGE_TEXTS: dict[str, tuple[str, str]] = {
    "body_too_large": ("Forespørselen er for stor.", "The request is too large."),
    "cross_site": ("Forespørselen kom fra et annet nettsted og ble avvist. Åpne innloggingssiden direkte og prøv igjen.",
                   "The request came from another site and was refused. Open the sign-in page directly and try again."),
    "too_many_requests": ("For mange forsøk. Vent litt og prøv igjen.", "Too many attempts. Wait a while and try again."),
    "notice_extended": ("Fristen er utsatt.", "The deadline is extended."),
    "notice_closed": ("Fasen er avsluttet.", "The phase is closed."),
    "notice_cancelled": ("Runden er avlyst.", "The round is cancelled."),
    "notice_granted": ("Søknaden er innvilget", "The request is granted"),
    "notice_refused": ("Søknaden er avslått", "The request is refused"),
}
