"""How people name periods and shifts, in Norwegian (bokmål) or English: a clinic says
"1. halvår 2027" and "Kveld 16–23", never a stream id like `web-3f2a1c` or `2027-01-07/evening`.

Pure functions of dates and names, so the pages, the calendar feed and the mails can all say the
same thing; unknown shift names are shown as they are (a district may name its own shifts)."""

from __future__ import annotations

from datetime import date, datetime

from domain.model import OSLO_TZ

_HALVES = {"nb": ("1. halvår %d", "2. halvår %d"), "en": ("1st half of %d", "2nd half of %d")}
_YEAR = {"nb": "Året %d", "en": "The year %d"}
_SHIFT_NAMES = {
    "nb": {"day": "Dag", "evening": "Kveld", "night": "Natt", "backup": "Bakvakt", "backup-day": "Bakvakt dag", "weekend": "Helg"},
    "en": {"day": "Day", "evening": "Evening", "night": "Night", "backup": "Backup", "backup-day": "Backup day", "weekend": "Weekend"},
}
_KINDS = {"nb": {"duty": "Legevakt", "backup": "Bakvakt"}, "en": {"duty": "Duty", "backup": "Backup"}}
WEEKDAYS = {"nb": ("man", "tir", "ons", "tor", "fre", "lør", "søn"), "en": ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")}


def _lang(lang: str) -> str:
    return lang if lang in _HALVES else "nb"


def day_text(day: date, lang: str = "nb") -> str:
    """`4.1.2027` in Norwegian, `2027-01-04` in English."""
    return f"{day.day}.{day.month}.{day.year}" if _lang(lang) == "nb" else day.isoformat()


def period_title(start: date, end: date, lang: str = "nb") -> str:
    """"1. halvår 2027" for January–June, "2. halvår 2027" for July–December, the year for a
    whole year; any other period is its date range."""
    lang = _lang(lang)
    if start.year == end.year:
        if (start.month, start.day, end.month, end.day) == (1, 1, 6, 30):
            return _HALVES[lang][0] % start.year
        if (start.month, start.day, end.month, end.day) == (7, 1, 12, 31):
            return _HALVES[lang][1] % start.year
        if (start.month, start.day, end.month, end.day) == (1, 1, 12, 31):
            return _YEAR[lang] % start.year
    return f"{day_text(start, lang)}–{day_text(end, lang)}"


def shift_name(name: str, lang: str = "nb") -> str:
    """A shift template's name in words ("evening" → "Kveld"); an unknown one as it is."""
    return _SHIFT_NAMES[_lang(lang)].get(name.lower(), name)


def kind_name(kind: str, lang: str = "nb") -> str:
    return _KINDS[_lang(lang)].get(str(kind), str(kind))


def _clock(moment: datetime) -> str:
    """`16` on the hour, else `16:30`: how a rota writes a shift's ends."""
    local = moment.astimezone(OSLO_TZ)
    return f"{local:%H}" if local.minute == 0 else f"{local:%H:%M}"


def hours_text(start: datetime, end: datetime) -> str:
    return f"{_clock(start)}–{_clock(end)}"


def shift_label(name: str, start: datetime, end: datetime, lang: str = "nb") -> str:
    """"Kveld 16–23"."""
    return f"{shift_name(name, lang)} {hours_text(start, end)}"


def shift_when(name: str, start: datetime, end: datetime, lang: str = "nb") -> str:
    """"tor 7.1 Kveld 16–23": the day and the shift, unique within a period."""
    local = start.astimezone(OSLO_TZ)
    return f"{WEEKDAYS[_lang(lang)][local.weekday()]} {local.day}.{local.month} {shift_label(name, start, end, lang)}"


def moment_text(moment: datetime, lang: str = "nb") -> str:
    """"tor 7.1 kl 12:00" / "Thu 7.1 at 12:00": a deadline a person reads at a glance."""
    local = moment.astimezone(OSLO_TZ)
    day = WEEKDAYS[_lang(lang)][local.weekday()]
    at = "kl" if _lang(lang) == "nb" else "at"
    return f"{day} {local.day}.{local.month} {at} {local:%H:%M}"
