"""The pages' words in Norwegian (bokmål) and English. `text(key, lang)`; a missing key shows
itself, so a gap is visible instead of silent."""

from __future__ import annotations

LANGS = ("nb", "en")
DEFAULT = "nb"

TEXTS: dict[str, tuple[str, str]] = {
    "app": ("Vaktfordeling", "Shift allocation"),
    "sign_in": ("Logg inn", "Sign in"),
    "sign_out": ("Logg ut", "Sign out"),
    "email": ("E-postadresse", "E-mail address"),
    "send_link": ("Send meg en innloggingslenke", "Send me a sign-in link"),
    "sign_in_help": ("Skriv e-postadressen klinikken har registrert på deg. Du får en lenke som virker én gang, i 15 minutter.",
                     "Enter the address the clinic has on record for you. You get a link that works once, for 15 minutes."),
    "link_sent": ("Sjekk e-posten din", "Check your e-mail"),
    "confirm_sign_in": ("Fortsett innloggingen", "Continue signing in"),
    "oidc": ("Logg inn med klinikkens identitetstjeneste", "Sign in with the clinic's identity provider"),
    "my_periods": ("Mine perioder", "My periods"),
    "no_periods": ("Ingen perioder å vise ennå.", "No periods to show yet."),
    "operator_page": ("Operatørside", "Operator's page"),
    "my_details": ("Mine opplysninger", "My details"),
    "requests": ("Søknader til klinikken", "Requests to the clinic"),
    "calendar": ("Kalender-abonnement", "Calendar feed"),
    "period": ("Periode", "Period"),
    "phase": ("Fase", "Phase"),
    "next_deadline": ("Neste frist", "Next deadline"),
    "quota": ("Kvote", "Quota"),
    "carried": ("Overført saldo", "Carried balance"),
    "points": ("Vakter tatt (poeng)", "Shifts taken (points)"),
    "balance": ("Saldo", "Balance"),
    "worked": ("Vakter gått", "Shifts worked"),
    "my_shifts": ("Mine vakter", "My shifts"),
    "no_shifts": ("Ingen vakter ennå.", "No shifts yet."),
    "shifts_now": ("Vakter du kan ta nå", "Shifts you may take now"),
    "month": ("Måned", "Month"),
    "take": ("Ta", "Take"),
    "wish": ("Ønsk", "Wish"),
    "pick": ("Velg", "Pick"),
    "claim": ("Ta vakten", "Claim"),
    "not_allowed": ("Ikke mulig", "Not possible"),
    "swaps": ("Vaktbytte", "Swaps"),
    "swaps_out": ("Mine tilbud", "My offers"),
    "swaps_in": ("Tilbud til meg", "Offers to me"),
    "offer": ("Tilby", "Offer"),
    "to_everyone": ("alle som kan ta den", "everyone who may take it"),
    "accept": ("Ta over", "Accept"),
    "decline": ("Avslå", "Decline"),
    "withdraw": ("Trekk tilbake", "Withdraw"),
    "expires": ("utløper", "expires"),
    "giver": ("fra", "from"),
    "receiver": ("til", "to"),
    "none": ("Ingen.", "None."),
    "recorded": ("Registrert", "Recorded"),
    "refused": ("Avvist", "Refused"),
    "version": ("versjon", "version"),
    "save": ("Lagre", "Save"),
    "mobile": ("Mobil", "Mobile"),
    "specialist_gp": ("Spesialist i allmennmedisin fra", "Specialist in general practice from"),
    "violence_course": ("Kurs i vold/overgrep", "Violence/abuse course"),
    "acute_course": ("Kurs i akuttmedisin", "Acute medicine course"),
    "email_confirm": ("Bekreft ny e-postadresse", "Confirm your new e-mail address"),
    "email_confirm_button": ("Bekreft adressen", "Confirm the address"),
    "email_confirmed": ("Adressen er endret. Logg inn med den nye adressen; alle økter med den gamle er logget ut.",
                        "The address is changed. Sign in with the new address; every session with the old one is signed out."),
    "email_confirm_sent": ("Vi har sendt en lenke til den nye adressen. Endringen gjelder når du har brukt den; til da brukes den gamle.",
                           "We sent a link to the new address. The change applies once you use it; until then the old address is used."),
    "details_help": ("Hold opplysningene oppdatert. Endringer lagres med hvem og når, og datoene teller fra den dagen de gjelder (R-QUAL-4).",
                     "Keep your details current. Changes are recorded with who and when, and the dates count from the day they apply (R-QUAL-4)."),
    "new_request": ("Ny søknad", "New request"),
    "kind": ("Type", "Kind"),
    "exemption": ("Fritak (R-EX-1/2)", "Exemption (R-EX-1/2)"),
    "meeting_absence": ("Fravær fra møtet (R-MEET-1)", "Meeting absence (R-MEET-1)"),
    "leave": ("Permisjon med vikar (R-EX-5)", "Leave with a substitute (R-EX-5)"),
    "reason": ("Grunn", "Reason"),
    "from": ("Fra", "From"),
    "to": ("Til", "To"),
    "substitute": ("Vikar (id)", "Substitute (id)"),
    "note": ("Merknad", "Note"),
    "send": ("Send", "Send"),
    "status": ("Status", "Status"),
    "pending": ("venter", "pending"),
    "granted": ("innvilget", "granted"),
    "refused_req": ("avslått", "refused"),
    "withdrawn": ("trukket tilbake", "withdrawn"),
    "feed_help": ("Abonner på vaktene dine i kalenderen din. Lenken er hemmelig; lag en ny eller trekk den tilbake om den kommer på avveie.",
                  "Subscribe to your shifts in your calendar. The link is secret: make a new one or revoke it if it leaks."),
    "feed_new": ("Lag ny lenke", "Make a new link"),
    "feed_revoke": ("Trekk tilbake", "Revoke"),
    "no_feed": ("Ingen lenke ennå.", "No link yet."),
    "rounds": ("Runder", "Rounds"),
    "coverage": ("Dekning", "Coverage"),
    "verdict": ("Vurdering", "Verdict"),
    "events": ("Hendelser", "Events"),
    "actor": ("Hvem", "Who"),
    "close_phase": ("Avslutt fasen nå", "Close the phase now"),
    "extend": ("Utsett fristen", "Extend the deadline"),
    "cancel_round": ("Avlys runden", "Cancel the round"),
    "until": ("Ny frist (Europe/Oslo)", "New deadline (Europe/Oslo)"),
    "schedules": ("Tidsplaner", "Schedules"),
    "restart_plan": ("Hva «vakt restart» ville gjort", "What `vakt restart` would do"),
    "waiting_requests": ("Søknader som venter på avgjørelse", "Requests waiting for a decision"),
    "grant": ("Innvilg", "Grant"),
    "refuse": ("Avslå", "Refuse"),
    "doctor": ("Lege", "Doctor"),
    "submitted": ("Sendt", "Submitted"),
    "shift": ("Vakt", "Shift"),
    "when": ("Når", "When"),
    "rule": ("Regel", "Rule"),
    "back": ("Tilbake", "Back"),
    "error": ("Noe gikk galt", "Something went wrong"),
    "paused": ("pauset", "paused"),
    "active": ("aktiv", "active"),
    "next_runs": ("Neste kjøringer", "Next runs"),
    "phase_meeting": ("møte", "meeting"),
    "phase_offering": ("tilbud (Legevakt.no)", "offering"),
    "phase_lottery": ("trekning", "lottery"),
    "phase_published": ("publisert", "published"),
    "phase_cancelled": ("avlyst", "cancelled"),
    "act_for": ("Registrer for lege (id)", "Enter for doctor (id)"),
}


# What happens at the next deadline (domain.period.process.next_step_text, in English there): the
# page's language here; a text not listed shows as it is.
NEXT_STEPS: dict[str, str] = {
    "meeting opens": "møtet åpner",
    "meeting closes, offering opens": "møtet lukkes, tilbudet på Legevakt.no åpner",
    "offering closes, lottery draws the open shifts": "tilbudet lukkes, loddtrekning av ledige vakter",
    "roster is published": "vaktlisten publiseres",
    "none: the round was cancelled": "ingen: runden er avlyst",
    "none: the roster is published": "ingen: vaktlisten er publisert",
}


def next_step(value: str | None, lang: str) -> str:
    if not value:
        return ""
    return NEXT_STEPS.get(value, value) if lang == "nb" else value


# What each rule is about, in a few words (../shared/docs/domain-rules.md): shown beside a rule's
# ID wherever a page names one, so a Norwegian page says why in Norwegian even when the
# rulebook's detailed message (from domain/, in English) follows.
RULE_TITLES: dict[str, tuple[str, str]] = {
    "R-PROC-1": ("fasene i rekkefølge", "phases in order"),
    "R-PROC-2": ("fast ansatte og forhåndsønsker først", "staff and advance wishes first"),
    "R-PROC-3": ("ledige vakter tilbys", "open shifts offered"),
    "R-PROC-4": ("loddtrekning", "lottery"),
    "R-PROC-5": ("fordelingsmøte to ganger i året", "meetings twice a year"),
    "R-PROC-6": ("innkalling med antall vakter", "invitation with quota"),
    "R-PROC-7": ("vakten finnes ikke, er tatt, eller handlingen hører ikke til fasen",
                 "shift unknown or taken, or the action not of this phase"),
    "R-MEET-1": ("møteplikt og gyldig fravær", "attendance and valid absence"),
    "R-MEET-2": ("ønsker på forhånd ved gyldig fravær", "advance wishes with a valid absence"),
    "R-LOT-1": ("hvem som er med i trekningen", "who is in the lottery"),
    "R-LOT-2": ("aldri trukket: fritatt, fraværende, uten hvile eller kvalifikasjon",
                "never drawn: exempt, absent, without rest or qualification"),
    "R-LOT-3": ("rettferdig trekning", "fair draws"),
    "R-LOT-4": ("etterprøvbar trekning", "a draw anyone can check"),
    "R-QUAL-1": ("selvstendig kvalifisert", "independently qualified"),
    "R-QUAL-2": ("bakvakt krever selvstendig kvalifisert lege", "backup needs an independently qualified doctor"),
    "R-QUAL-3": ("vakt uten selvstendig kvalifikasjon krever bakvakt", "duty without qualification needs a backup"),
    "R-QUAL-4": ("kvalifikasjon vurderes på vaktens dato", "qualification as of the shift's date"),
    "R-EX-1": ("fritak etter rett", "exemption by right"),
    "R-EX-2": ("fritak etter skjønn", "discretionary exemption"),
    "R-EX-3": ("fritak er tidsbestemt; søknad før møtet", "exemptions are dated; apply before the meeting"),
    "R-EX-4": ("fritatte kan ta vakter frivillig", "the exempt may volunteer"),
    "R-EX-5": ("permisjon og vikar", "leave and substitute"),
    "R-LOAD-1": ("vakter som faktisk er gått", "shifts actually worked"),
    "R-LOAD-2": ("antall vakter per lege", "shifts per doctor"),
    "R-SWAP-1": ("bytte av vakt", "swapping a shift"),
    "R-SWAP-2": ("godkjenning av vaktbytte", "approving a swap"),
    "R-LOAD-3": ("tak på vakter per uke", "a cap on shifts per week"),
    "R-LOT-5": ("et frø ingen kan velge", "a seed nobody can choose"),
    "R-VAC-1": ("ledig vakt etter publisering", "a vacancy after publication"),
    "R-VAC-2": ("tilbud om ledig vakt", "offering a vacancy"),
    "R-VAC-3": ("eskalering av ledig vakt", "escalating a vacancy"),
    "R-DATA-1": ("kontaktdata og kvalifikasjoner", "contact data and qualifications"),
    "R-REST-1": ("ingen overlappende vakter, og hviletid mellom vakter", "no overlapping shifts, and rest between them"),
    "R-TIME-1": ("norsk tid", "Oslo time"),
}


def rule_title(rule: str | None, lang: str) -> str:
    """A rule's few words in the page's language ('' for an unknown rule)."""
    pair = RULE_TITLES.get(rule or "")
    if pair is None:
        return ""
    return pair[0] if lang == "nb" else pair[1]


def text(key: str, lang: str) -> str:
    pair = TEXTS.get(key)
    if pair is None:
        return key
    return pair[0] if lang == "nb" else pair[1]


from web.i18n_edge import EDGE_TEXTS  # noqa: E402 - the edge's words, kept apart

TEXTS.update({k: v for k, v in EDGE_TEXTS.items() if k not in TEXTS})
