"""Shifts and dates in words a doctor reads on a phone: "Kveld fre 1. jan 16–23, Moss"
("Evening Fri 1 Jan 16–23, Moss" in English) instead of `2027-01-01/evening`.

Pure functions of the domain's facts (the template's name, the Europe/Oslo wall-clock start and
end, a place) and the page's language; every word comes from the catalogue (board.po), so the
two languages stay one table. The hours are the wall clock the rota is written in: the spring
night is still "23–08" though it lasts seven hours (R-TIME-1). The place is a parameter — today
the district's name, a station's name once there are stations.

The names a board prints for every shift row are remembered (`lru_cache`): they are pure, and
a month of a large district is hundreds of rows, read by every doctor again and again.
"""

from __future__ import annotations

from datetime import date, datetime
from functools import lru_cache

from domain.model import OSLO_TZ
from web.i18n import has, text

NAMES = 1 << 16  # names remembered per function: every shift of a large year, in two languages


def kind_word(template: str, lang: str) -> str:
    """The template's word (`evening` → Kveld); a template without one shows its own name."""
    key = f"shift.{template}"
    return text(key, lang) if has(key) else template


def clock(moment: datetime, lang: str) -> str:
    """`16`, `08` (a rota's morning: "23–08"), or `16.30` (nb) / `16:30` (en) with minutes;
    Europe/Oslo wall clock."""
    local = moment.astimezone(OSLO_TZ)
    if local.minute == 0:
        return f"{local.hour:02d}"
    return text("clock_hm", lang, h=f"{local.hour:02d}", m=f"{local.minute:02d}")


def hours(start: datetime, end: datetime, lang: str) -> str:
    return f"{clock(start, lang)}–{clock(end, lang)}"


def day_parts(day: date, lang: str) -> dict[str, str]:
    return {"weekday": text(f"wd.{day.weekday()}", lang), "day": str(day.day), "month": text(f"mon.{day.month}", lang)}


@lru_cache(maxsize=NAMES)
def shift_name(template: str, start: datetime, end: datetime, lang: str, place: str | None = None) -> str:
    """The whole name: kind, day, hours and (when given) the place."""
    day = start.astimezone(OSLO_TZ).date()
    name = text("shift_name", lang, kind=kind_word(template, lang), hours=hours(start, end, lang), **day_parts(day, lang))
    return text("shift_name_at", lang, name=name, place=place) if place else name


@lru_cache(maxsize=NAMES)
def shift_short(template: str, start: datetime, end: datetime, lang: str) -> str:
    """Kind and hours only, where the day is already said (a day's row): `Kveld 16–23`."""
    return text("shift_short", lang, kind=kind_word(template, lang), hours=hours(start, end, lang))


@lru_cache(maxsize=NAMES)
def shift_when(start: datetime, lang: str, place: str) -> str:
    """The rest of the name beside `shift_short`: `fre 1. jan, Moss`."""
    return text("shift_when", lang, place=place, **day_parts(start.astimezone(OSLO_TZ).date(), lang))


@lru_cache(maxsize=NAMES)
def day_label(day: date, lang: str) -> str:
    return text("day_label", lang, weekday=text(f"wd.{day.weekday()}", lang), day=str(day.day))


@lru_cache(maxsize=NAMES)
def week_heading(week: int, first: date, last: date, lang: str) -> str:
    """`Uke 1 · 4.–10. jan`, or across months `Uke 5 · 1.–7. feb` / `Uke 53 · 28. des–3. jan`."""
    end = text("date_short", lang, day=str(last.day), month=text(f"mon.{last.month}", lang))
    if first.month == last.month:
        start = text("day_only", lang, day=str(first.day))
    else:
        start = text("date_short", lang, day=str(first.day), month=text(f"mon.{first.month}", lang))
    return text("week_heading", lang, week=str(week), first=start, last=end)


@lru_cache(maxsize=NAMES)
def month_title(month: str, lang: str) -> str:
    """`2027-01` → `januar 2027`."""
    year, number = month.split("-")
    return text("month_title", lang, month=text(f"monthlong.{int(number)}", lang), year=year)


def deadline_when(moment: datetime, lang: str) -> str:
    """A deadline in Norwegian wall-clock: `tirsdag 8.12 kl 12` (`kl 12.30` with minutes)."""
    local = moment.astimezone(OSLO_TZ)
    at = str(local.hour) if local.minute == 0 else text("clock_hm", lang, h=f"{local.hour:02d}", m=f"{local.minute:02d}")
    month = str(local.month) if lang == "nb" else text(f"mon.{local.month}", lang)
    return text("deadline_when", lang, weekday=text(f"wdlong.{local.weekday()}", lang), day=str(local.day),
                month=month, time=at if lang == "nb" or local.minute else f"{local.hour:02d}:00")


def standing(held: int, quota: int | None, deadline: datetime | None, lang: str) -> str:
    """Where the doctor stands, in one line: `Du har 2 av 12 vakter – frist tirsdag 8.12 kl 12`."""
    said = text("standing", lang, held=str(held), quota=str(quota)) if quota is not None else \
        text("standing_no_quota", lang, held=str(held))
    return text("standing_deadline", lang, standing=said, when=deadline_when(deadline, lang)) if deadline else said
