"""The wording of every message: Norwegian first, then English, in plain text.

Pure functions from facts (domain/mail/facts.py) to a `MailMessage`. A message names only its
recipient (their own name, quota, balance and shifts), never another doctor. Times are shown as
Europe/Oslo wall-clock (R-TIME-1); a shift's length is computed on absolute time, so the night
into the spring DST change reads 8 hours. Links point at the web service (`VAKT_PUBLIC_URL`).
"""

from __future__ import annotations

from datetime import date, datetime
from urllib.parse import quote

from domain.mail.ics import shifts_calendar
from domain.mail.facts import (
    Attachment,
    InvitationFacts,
    MailMessage,
    PeriodLine,
    Quota,
    ReminderFacts,
    ResultsFacts,
    ShiftFact,
)
from domain.model import OSLO_TZ, ShiftKind

_NB_DAYS = ("mandag", "tirsdag", "onsdag", "torsdag", "fredag", "lørdag", "søndag")
_NB_MONTHS = ("januar", "februar", "mars", "april", "mai", "juni", "juli", "august", "september", "oktober",
              "november", "desember")
_EN_DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_EN_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
              "November", "December")
_KIND = {ShiftKind.DUTY: ("legevakt", "duty"), ShiftKind.BACKUP: ("bakvakt", "backup")}
_RULE = "-" * 60


# -- formatting ----------------------------------------------------------------------------------

def _number(value: float, lang: str) -> str:
    text = f"{value:.0f}" if float(value).is_integer() else f"{value:.1f}"
    return text.replace(".", ",") if lang == "nb" else text


def _signed(value: float, lang: str) -> str:
    return ("+" if value > 0 else "") + _number(value, lang).replace("-", "−")


def day_text(day: date, lang: str) -> str:
    if lang == "nb":
        return f"{day.day}. {_NB_MONTHS[day.month - 1]} {day.year}"
    return f"{day.day} {_EN_MONTHS[day.month - 1]} {day.year}"


def when_text(moment: datetime, lang: str) -> str:
    """e.g. "tirsdag 23. november 2027 kl. 18:00" / "Tuesday 23 November 2027 at 18:00"."""
    local = moment.astimezone(OSLO_TZ)
    if lang == "nb":
        return f"{_NB_DAYS[local.weekday()]} {day_text(local.date(), 'nb')} kl. {local:%H:%M}"
    return f"{_EN_DAYS[local.weekday()]} {day_text(local.date(), 'en')} at {local:%H:%M}"


def period_text(period: PeriodLine, lang: str) -> str:
    return f"{day_text(period.start, lang)} – {day_text(period.end, lang)}"


def _shifts_word(value: float, weighted: bool, lang: str) -> str:
    if weighted:
        return "poeng" if lang == "nb" else ("point" if value == 1 else "points")
    if lang == "nb":
        return "vakt" if value == 1 else "vakter"
    return "shift" if value == 1 else "shifts"


def _amount(value: float, weighted: bool, lang: str) -> str:
    return f"{_number(value, lang)} {_shifts_word(value, weighted, lang)}"


def _carried_text(quota: Quota, lang: str) -> str:
    c = quota.carried
    if not c:
        return "0 (ingen saldo fra tidligere perioder)" if lang == "nb" else "0 (no balance from earlier periods)"
    amount = _amount(abs(c), quota.weighted, lang)
    if lang == "nb":
        more = "mer" if c > 0 else "mindre"
        why = f"du har tatt {amount} {more} enn kvoten i tidligere perioder; loddtrekningen tar hensyn til det"
    else:
        more = "more" if c > 0 else "fewer"
        why = f"you took {amount} {more} than your quota in earlier periods; the lottery takes it into account"
    return f"{_signed(c, lang)} ({why})"


def _greeting(name: str | None, lang: str) -> str:
    hello = "Hei" if lang == "nb" else "Hello"
    return f"{hello} {name}," if name else f"{hello},"


def _table(rows: list[tuple[str, str]]) -> str:
    width = max(len(label) for label, _ in rows) + 2
    return "\n".join(f"  {label + ':':<{width}}{value}" for label, value in rows)


def _footer(period: PeriodLine, lang: str) -> str:
    if lang == "nb":
        return f"Denne e-posten er sendt automatisk av Vaktfordeling for {period.district_name}."
    return f"This e-mail was sent automatically by Vaktfordeling for {period.district_name}."


def _bilingual(nb: list[str], en: list[str]) -> str:
    return "\n\n".join(nb) + f"\n\n{_RULE}\nEnglish below\n{_RULE}\n\n" + "\n\n".join(en) + "\n"


def period_link(public_url: str, period_id: str, page: str = "") -> str:
    """Where the web service shows this period to the signed-in doctor."""
    return f"{public_url.rstrip('/')}/periods/{quote(period_id, safe='')}" + (f"/{page}" if page else "")


def ics_filename(period_id: str) -> str:
    return f"vakter-{period_id}.ics"


# -- messages --------------------------------------------------------------------------------------

def invitation(period: PeriodLine, facts: InvitationFacts, *, name: str | None, public_url: str) -> MailMessage:
    """R-PROC-6: the invitation states the doctor's quota; with R-LOAD-1 its carried balance."""
    link = period_link(public_url, period.period_id, "wishes")
    q = facts.quota

    def part(lang: str) -> list[str]:
        nb = lang == "nb"
        place = facts.meeting_place or ("sted kunngjøres senere" if nb else "place to be announced")
        rows = [
            ("Periode" if nb else "Period", period_text(period, lang)),
            ("Frist for vaktønsker" if nb else "Wishes due", when_text(facts.wishes_due, lang)),
            ("Vaktfordelingsmøte" if nb else "Allocation meeting", f"{when_text(facts.meeting_at, lang)}, {place}"),
            ("Tilbudstavla stenger" if nb else "Offering closes", when_text(facts.offering_closes, lang)),
            ("Din kvote" if nb else "Your quota", _amount(q.quota, q.weighted, lang)),
            ("Overført saldo" if nb else "Carried balance", _carried_text(q, lang)),
        ]
        if nb:
            body = [
                _greeting(name, lang),
                f"Du innkalles til vaktfordeling for {period.district_name}.",
                _table(rows),
                "Oppmøte på møtet er obligatorisk for fastleger. Har du gyldig fravær (sykdom, ferie, kurs, "
                "vakt under møtet eller annen grunn godkjent av legevaktsjefen på forhånd), kan du levere "
                "vaktønskene dine før fristen.",
                f"Gi vaktønskene dine her:\n  {link}",
                "Vakter som ikke blir tatt på møtet, legges ut på tilbudstavla. Vakter som fortsatt er ledige "
                "når den stenger, fordeles ved loddtrekning blant legene som ligger under kvoten.",
            ]
        else:
            body = [
                _greeting(name, lang),
                f"You are invited to the shift allocation for {period.district_name}.",
                _table(rows),
                "Attending the meeting is mandatory for GPs. With a valid absence (illness, holiday, a course, "
                "on duty during the meeting, or another reason approved by the clinic head beforehand) you may "
                "give your wishes before the deadline.",
                f"Give your wishes here:\n  {link}",
                "Shifts not taken at the meeting are offered on the offering board. Shifts still open when it "
                "closes are drawn by lottery among the doctors below their quota.",
            ]
        return [*body, _footer(period, lang)]

    subject = (
        f"Innkalling til vaktfordeling / Invitation to the shift allocation – {period.district_name}, "
        f"{period.start:%d.%m.%Y}–{period.end:%d.%m.%Y}"
    )
    return MailMessage(subject=subject, text=_bilingual(part("nb"), part("en")))


def _progress_rows(facts: ReminderFacts | ResultsFacts, lang: str) -> list[tuple[str, str]]:
    nb = lang == "nb"
    rows: list[tuple[str, str]] = []
    q = facts.quota
    if facts.taken is not None:
        weighted = bool(q and q.weighted)
        total = q.quota if q else facts.taken
        of = (f" av {q.quota}" if nb else f" of {q.quota}") if q else ""
        rows.append(("Du har" if nb else "You hold", f"{_number(facts.taken, lang)}{of} {_shifts_word(total, weighted, lang)}"))
    elif q is not None:
        rows.append(("Din kvote" if nb else "Your quota", _amount(q.quota, q.weighted, lang)))
    if q is not None and q.carried:
        rows.append(("Overført saldo" if nb else "Carried balance", _carried_text(q, lang)))
    return rows


def reminder(period: PeriodLine, facts: ReminderFacts, *, name: str | None, public_url: str) -> MailMessage:
    """Before `wishes_due` or before the offering closes, to a doctor who can still act."""
    wishes = facts.kind == "reminder-wishes"
    link = period_link(public_url, period.period_id, "wishes" if wishes else "offering")

    def part(lang: str) -> list[str]:
        nb = lang == "nb"
        rows = [("Frist" if nb else "Deadline", when_text(facts.deadline, lang))]
        if not wishes and facts.open_shifts is not None:
            rows.append(("Ledige vakter" if nb else "Open shifts", str(facts.open_shifts)))
        rows += _progress_rows(facts, lang)
        if wishes:
            what = (
                "Du kan fortsatt gi eller endre vaktønskene dine før fristen."
                if nb else "You can still give or change your wishes before the deadline."
            )
            action = f"Gi vaktønsker her:\n  {link}" if nb else f"Give your wishes here:\n  {link}"
        else:
            what = (
                "Tilbudstavla er åpen: første gyldige krav på en ledig vakt vinner. Vakter som fortsatt er "
                "ledige når fristen går ut, fordeles ved loddtrekning blant legene under kvoten."
                if nb else
                "The offering board is open: the first valid claim on an open shift wins. Shifts still open "
                "at the deadline are drawn by lottery among the doctors below their quota."
            )
            action = f"Se ledige vakter her:\n  {link}" if nb else f"See the open shifts here:\n  {link}"
        intro = (
            f"Påminnelse fra vaktfordelingen for {period.district_name}, {period_text(period, lang)}."
            if nb else f"A reminder from the shift allocation for {period.district_name}, {period_text(period, lang)}."
        )
        return [_greeting(name, lang), intro, _table(rows), what, action, _footer(period, lang)]

    deadline = facts.deadline.astimezone(OSLO_TZ)
    if wishes:
        subject = f"Påminnelse: frist for vaktønsker / Reminder: wishes due {deadline:%d.%m.%Y %H:%M}"
    else:
        subject = f"Påminnelse: tilbudstavla stenger / Reminder: the offering closes {deadline:%d.%m.%Y %H:%M}"
    return MailMessage(subject=f"{subject} – {period.district_name}", text=_bilingual(part("nb"), part("en")))


def shift_line(shift: ShiftFact, lang: str) -> str:
    """e.g. "lør 27.03.2027 23:00 – søn 28.03.2027 08:00  legevakt (night), 8 t"."""
    start, end = shift.start.astimezone(OSLO_TZ), shift.end.astimezone(OSLO_TZ)
    days = _NB_DAYS if lang == "nb" else _EN_DAYS
    hours = shift.hours  # on UTC times: the spring DST night is 8 hours
    kind = _KIND[shift.kind][0 if lang == "nb" else 1]
    unit = "t" if lang == "nb" else "h"
    return (
        f"{days[start.weekday()][:3]} {start:%d.%m.%Y %H:%M} – {days[end.weekday()][:3]} {end:%d.%m.%Y %H:%M}"
        f"  {kind} ({shift.name}), {_number(hours, lang)} {unit}"
    )


def results(period: PeriodLine, facts: ResultsFacts, *, name: str | None, public_url: str) -> MailMessage:
    """The doctor's published shifts, with the same shifts as an .ics attachment."""
    shifts = sorted(facts.shifts, key=lambda s: (s.start, s.shift_id))
    link = period_link(public_url, period.period_id)
    filename = ics_filename(period.period_id)

    def part(lang: str) -> list[str]:
        nb = lang == "nb"
        intro = (
            f"Vaktlista for {period.district_name}, {period_text(period, lang)}, er publisert."
            if nb else f"The roster for {period.district_name}, {period_text(period, lang)}, is published."
        )
        if shifts:
            heading = "Dine vakter:" if nb else "Your shifts:"
            listing = heading + "\n" + "\n".join(f"  {shift_line(s, lang)}" for s in shifts)
        else:
            listing = "Du har ingen vakter i denne perioden." if nb else "You have no shifts in this period."
        rows = _progress_rows(facts, lang)
        calendar = (
            f"Vaktene dine ligger i vedlegget {filename}; åpne det for å legge dem i kalenderen din. "
            "En senere oppdatering erstatter de samme hendelsene."
            if nb else
            f"Your shifts are in the attachment {filename}; open it to add them to your calendar. "
            "A later update replaces the same events."
        )
        see = f"Vaktlista og vaktbytter:\n  {link}" if nb else f"The roster and swaps:\n  {link}"
        parts = [_greeting(name, lang), intro, listing]
        if rows:
            parts.append(_table(rows))
        return [*parts, calendar, see, _footer(period, lang)]

    ics = shifts_calendar(period.period_id, period.district_name, shifts, stamp=facts.published_at,
                          sequence=facts.sequence)
    subject = (
        f"Vaktlista er publisert / The roster is published – {period.district_name}, "
        f"{period.start:%d.%m.%Y}–{period.end:%d.%m.%Y}"
    )
    attachment = Attachment(filename=filename, content_type="text/calendar", params={"method": "PUBLISH"}, data=ics)
    return MailMessage(subject=subject, text=_bilingual(part("nb"), part("en")), attachments=(attachment,))


def sign_in(link: str, *, expires_minutes: int = 15) -> MailMessage:
    """A sign-in link (the embedded sign-in): single-use, short-lived."""
    nb = [
        "Hei,",
        f"Logg inn i Vaktfordeling med denne lenken:\n  {link}",
        f"Lenken virker én gang og går ut om {expires_minutes} minutter. Har du ikke bedt om den, "
        "kan du se bort fra denne e-posten.",
    ]
    en = [
        "Hello,",
        f"Sign in to Vaktfordeling with this link:\n  {link}",
        f"The link works once and expires in {expires_minutes} minutes. If you did not ask for it, "
        "you can ignore this e-mail.",
    ]
    return MailMessage(subject="Innlogging i Vaktfordeling / Sign in to Vaktfordeling", text=_bilingual(nb, en))
