"""The roster as a printable PDF: A4 portrait, one month per page (in a district with several
stations, one page per month and station), a row per day and a column per shift, the holder by
name; uncovered and unsafe shifts (R-QUAL-3) and drawn ones (with the draw's number) marked in
words. Drawn with ReportLab's canvas and the Bitstream Vera font ReportLab ships (Unicode, so
æøå and the dash print), embedded: no system font or library needed.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import date
from functools import lru_cache
from pathlib import Path

import reportlab
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

from app.roster.views import RoundRoster
from domain.period import titles
from domain.period.ledger import RosterEntry, station_of
from web import roster_words as words
from web import shift_names
from web.i18n import text

FONT, BOLD = "VaktVera", "VaktVera-Bold"
MARGIN = 14 * mm


@lru_cache(maxsize=1)
def _fonts() -> None:
    folder = Path(reportlab.__file__).parent / "fonts"
    pdfmetrics.registerFont(TTFont(FONT, str(folder / "Vera.ttf")))
    pdfmetrics.registerFont(TTFont(BOLD, str(folder / "VeraBd.ttf")))


@lru_cache(maxsize=8192)  # names and shift words repeat on every page
def _fit(said: str, width: float, size: float, font: str = FONT) -> str:
    if pdfmetrics.stringWidth(said, font, size) <= width:
        return said
    while said and pdfmetrics.stringWidth(said + "…", font, size) > width:
        said = said[:-1]
    return said + "…"


def _pages(entries: Sequence[RosterEntry]) -> list[tuple[str, str | None, list[RosterEntry]]]:
    """(month, station, entries) per page, in order."""
    pages: dict[tuple[str, str | None], list[RosterEntry]] = {}
    for e in entries:
        pages.setdefault((e.shift.day.isoformat()[:7], e.station), []).append(e)
    return [(m, s, es) for (m, s), es in sorted(pages.items(), key=lambda kv: (kv[0][0], words._station_order(kv[0][1] or "")))]


def _cell(entry: RosterEntry, roster: RoundRoster, lang: str) -> str:
    said = roster.name(entry.doctor) if entry.doctor else text("roster.uncovered" if entry.uncovered else "roster.open", lang)
    if entry.unsafe:
        said += " (" + text("roster.mark.unsafe", lang).lower() + ")"
    if entry.draw is not None:
        said += f" #{entry.draw}"
    return said


def roster_pdf(roster: RoundRoster, entries: Sequence[RosterEntry], lang: str, made: date) -> bytes:
    _fonts()
    out = io.BytesIO()
    pdf = Canvas(out, pagesize=A4, pageCompression=1)
    title = text("roster.title", lang)
    pdf.setTitle(f"{title} – {roster.district_name}")
    pdf.setAuthor("Vaktfordeling")
    pdf.setSubject(roster.period)
    width, height = A4
    order: dict[str, int] = {}  # the template's order: day, evening, night, backup …
    for template in roster.source.state.require_config().shift_template:
        order.setdefault(station_of(template.name)[1], len(order))
    pages = _pages(entries) or [(f"{roster.start:%Y-%m}", None, [])]
    for number, (month, station, page_entries) in enumerate(pages, start=1):
        kinds = sorted(dict.fromkeys(e.kind for e in page_entries), key=lambda k: order.get(k, len(order)))
        days: dict[date, dict[str, list[RosterEntry]]] = {}
        for e in page_entries:
            days.setdefault(e.shift.day, {}).setdefault(e.kind, []).append(e)
        heading = f"{title} {shift_names.month_title(month, lang)} – {roster.district_name}"
        if station:
            heading += f" – {words.station_name(station, lang)}"
        pdf.setFont(BOLD, 13)
        pdf.drawString(MARGIN, height - MARGIN, _fit(heading, width - 2 * MARGIN, 13, BOLD))
        pdf.setFont(FONT, 8)
        pdf.drawString(MARGIN, height - MARGIN - 5 * mm, text("pdf.subtitle", lang, title=titles.period_title(roster.start, roster.end, lang)))
        top = height - MARGIN - 12 * mm
        day_w = 22 * mm
        col_w = (width - 2 * MARGIN - day_w) / max(len(kinds), 1)
        rows = sorted(days)
        row_h = min(7.2 * mm, (top - MARGIN - 14 * mm) / max(len(rows) + 1, 1))
        pdf.setFont(BOLD, 7.5)
        pdf.drawString(MARGIN + 1 * mm, top - row_h + 2 * mm, text("export.col.date", lang))
        for i, kind in enumerate(kinds):
            sample = next(iter(e for e in page_entries if e.kind == kind))
            pdf.drawString(MARGIN + day_w + i * col_w + 1 * mm, top - row_h + 2 * mm,
                           _fit(words.shift_short(sample, lang), col_w - 2 * mm, 7.5, BOLD))
        pdf.setLineWidth(0.4)
        pdf.line(MARGIN, top - row_h, width - MARGIN, top - row_h)
        y = top - row_h
        for day in rows:  # shading and rules first, then all the page's words in one text object
            if day.weekday() >= 5:
                pdf.setFillGray(0.93)
                pdf.rect(MARGIN, y - (rows.index(day) + 1) * row_h, width - 2 * MARGIN, row_h, stroke=0, fill=1)
                pdf.setFillGray(0)
        pdf.setStrokeGray(0.8)
        pdf.lines([(MARGIN, y - n * row_h, width - MARGIN, y - n * row_h) for n in range(1, len(rows) + 1)])
        pdf.setStrokeGray(0)
        words_out = pdf.beginText()
        for day in rows:
            base = y - row_h + 2 * mm
            words_out.setFont(FONT, 8)
            words_out.setTextOrigin(MARGIN + 1 * mm, base)
            words_out.textOut(f"{text(f'wd.{day.weekday()}', lang)} {day.day}.")
            for i, kind in enumerate(kinds):
                held = days[day].get(kind, [])
                if not held:
                    continue
                said = "; ".join(_cell(e, roster, lang) for e in held)
                font = BOLD if any(e.uncovered or e.unsafe for e in held) else FONT
                words_out.setFont(font, 7.5)
                words_out.setTextOrigin(MARGIN + day_w + i * col_w + 1 * mm, base)
                words_out.textOut(_fit(said, col_w - 2 * mm, 7.5, font))
            y -= row_h
        pdf.drawText(words_out)
        pdf.setFont(FONT, 7)
        pdf.drawString(MARGIN, MARGIN - 4 * mm, text("pdf.legend", lang))
        pdf.drawRightString(width - MARGIN, MARGIN - 4 * mm,
                            text("pdf.footer", lang, page=str(number), pages=str(len(pages)), made=made.isoformat()))
        pdf.showPage()
    pdf.save()
    return out.getvalue()
