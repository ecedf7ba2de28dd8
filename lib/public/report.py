"""The situation report ("lägesbild") as an A4 PDF, from a meeting briefing.

ReportLab lays out the pages; the one chart is drawn with matplotlib (no browser needed).
Text is set in DejaVu Sans where the system has it (Debian's fonts-dejavu-core), else in
ReportLab's Helvetica, which covers Swedish letters too.
"""

from __future__ import annotations

import datetime as dt
import html
import io
from pathlib import Path
from zoneinfo import ZoneInfo

import pandas as pd
from matplotlib.figure import Figure  # no pyplot: no display or global state needed
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import (
    Image,
    KeepTogether,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from lib.i18n import fmt_date, fmt_month_short, t
from lib.public.briefing import Briefing
from lib.public.charts import BLUE, GREY, tick_months

FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")


def now() -> dt.datetime:
    """The clock the report is dated by (a function, so a test can set it)."""
    return dt.datetime.now(dt.UTC)


def local_day(zone: str = "Europe/Stockholm") -> dt.date:
    """Today where the council meets: a server on UTC would date a report made at 00.30
    Swedish time the day before."""
    return now().astimezone(ZoneInfo(zone)).date()


def _fonts() -> tuple[str, str]:
    regular, bold = FONT_DIR / "DejaVuSans.ttf", FONT_DIR / "DejaVuSans-Bold.ttf"
    if regular.exists() and bold.exists():
        if "DejaVu" not in pdfmetrics.getRegisteredFontNames():
            pdfmetrics.registerFont(TTFont("DejaVu", str(regular)))
            pdfmetrics.registerFont(TTFont("DejaVu-Bold", str(bold)))
        return "DejaVu", "DejaVu-Bold"
    return "Helvetica", "Helvetica-Bold"


def pdf_styles():
    regular, bold = _fonts()
    base = getSampleStyleSheet()
    styles = {
        "title": ParagraphStyle("title", parent=base["Title"], fontName=bold, fontSize=20),
        "h2": ParagraphStyle("h2", parent=base["Heading2"], fontName=bold, fontSize=13),
        "body": ParagraphStyle("body", parent=base["BodyText"], fontName=regular, fontSize=10),
        "small": ParagraphStyle(
            "small", parent=base["BodyText"], fontName=regular, fontSize=8, textColor=GREY
        ),
        "cell": ParagraphStyle("cell", fontName=regular, fontSize=8, leading=10),
        "head": ParagraphStyle("head", fontName=bold, fontSize=8, leading=10),
        "figure": ParagraphStyle("figure", fontName=bold, fontSize=16, leading=20),
        "warning": ParagraphStyle(
            "warning",
            fontName=bold,
            fontSize=10,
            leading=13,
            textColor=colors.HexColor("#7A4A00"),
            backColor=colors.HexColor("#FFF4D6"),
            borderPadding=4,
            spaceAfter=8,
        ),
    }
    for style in styles.values():  # lines break at spaces only: no word is ever cut in two
        style.splitLongWords = 0
        style.hyphenationLang = ""
        style.embeddedHyphenation = 0
        style.uriWasteReduce = 0
    return styles


def pdf_escape(text) -> str:
    """ReportLab's paragraphs read a little markup: data must not be taken for it."""
    return "" if text is None else html.escape(str(text), quote=False)


PADDING = 12  # a cell's left and right padding together (ReportLab's default 6 + 6)


def column_widths(frame: pd.DataFrame, styles, total: float) -> list[float]:
    """Widths that fit each column's longest word (lines break only at spaces) and share
    the rest by how much text each column holds."""
    head, cell = styles["head"], styles["cell"]

    def width(text: str, style) -> float:
        return pdfmetrics.stringWidth(text, style.fontName, style.fontSize)

    least, wanted = [], []
    for name, values in frame.astype(str).items():
        texts = [(str(name), head), *((v, cell) for v in values)]
        least.append(max(width(w, st) for x, st in texts for w in x.split() or [""]) + PADDING)
        wanted.append(max(width(x, st) for x, st in texts) + PADDING)
    spare = total - sum(least)
    if spare <= 0:
        return [total * w / sum(least) for w in least]
    extra = [max(w - m, 0) for w, m in zip(wanted, least, strict=True)]
    if sum(extra) <= spare:
        return [w + (spare - sum(extra)) / len(wanted) for w in wanted]
    return [m + spare * e / sum(extra) for m, e in zip(least, extra, strict=True)]


def pdf_table(frame: pd.DataFrame, styles, widths=None) -> Table | Paragraph:
    if frame.empty or len(frame.columns) == 0:
        return Paragraph("–", styles["cell"])
    if widths is None:
        widths = column_widths(frame, styles, A4[0] - 36 * mm)
    head = [Paragraph(pdf_escape(c), styles["head"]) for c in frame.columns]
    body = [
        [Paragraph(pdf_escape(v), styles["cell"]) for v in row]
        for row in frame.astype(object).itertuples(index=False)
    ]
    table = Table([head, *body], colWidths=widths, repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#F2F5F8")),
                ("LINEBELOW", (0, 0), (-1, 0), 0.6, colors.HexColor("#6E6E6E")),
                ("LINEBELOW", (0, 1), (-1, -1), 0.25, colors.HexColor("#D0D0D0")),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    return table


def trend_png(monthly: pd.DataFrame, threshold: int) -> bytes:
    """Incidents per month, this period against the year before; suppressed months are gaps."""
    fig = Figure(figsize=(7.2, 2.6), dpi=150)
    ax = fig.subplots()
    labels = {"current": t("meeting.chart_current"), "previous": t("meeting.chart_previous")}
    for series, colour, width in (("previous", GREY, 1.5), ("current", BLUE, 2.5)):
        part = monthly[monthly["series"] == series].sort_values("start")
        values = part["n"].where(part["n"] >= threshold)
        ax.plot(part["start"], values, marker="o", color=colour, lw=width, label=labels[series])
    starts = [pd.Timestamp(s) for s in sorted(monthly["start"].unique())]
    ticks = tick_months(starts[0], starts[-1]) if starts else []
    ax.set_xticks(ticks)
    ax.set_xticklabels(_tick_labels(ticks), fontsize=8)
    ax.set_ylim(bottom=0)
    ax.grid(axis="y", color="#E5E5E5")
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    ax.legend(frameon=False, fontsize=8, loc="lower left")
    ax.set_ylabel(t("meeting.chart_axis"), fontsize=8)
    fig.tight_layout()
    out = io.BytesIO()
    fig.savefig(out, format="png")
    return out.getvalue()


def _tick_labels(ticks: list[pd.Timestamp]) -> list[str]:
    """Month abbreviations, the year under the first tick and under each January; the
    year alone when every tick is a January."""
    if len(ticks) > 1 and all(m.month == 1 for m in ticks):
        return [str(m.year) for m in ticks]
    return [
        f"{fmt_month_short(m)}\n{m.year}" if i == 0 or m.month == 1 else fmt_month_short(m)
        for i, m in enumerate(ticks)
    ]


def situation_report(b: Briefing, made_on: dt.date | None = None) -> bytes:
    """The A4 report: summary, key figures with verdicts, trend, categories, top places,
    promise follow-up, sources, date and period. Dated ``made_on``, by default today in
    Swedish time."""
    made_on = made_on or local_day()
    styles = pdf_styles()
    out = io.BytesIO()
    doc = SimpleDocTemplate(
        out,
        pagesize=A4,
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        topMargin=16 * mm,
        bottomMargin=16 * mm,
        title=t("meeting.report_title", municipality=b.municipality),
        author=b.municipality,
    )
    width = A4[0] - 36 * mm
    story = [
        Paragraph(
            pdf_escape(t("meeting.report_title", municipality=b.municipality)), styles["title"]
        ),
        Paragraph(
            pdf_escape(t("meeting.report_period", period=b.period_text, previous=b.previous_text)),
            styles["body"],
        ),
        Paragraph(pdf_escape(t("meeting.report_made", day=fmt_date(made_on))), styles["small"]),
        Spacer(1, 4 * mm),
    ]
    if b.sample:
        story.append(Paragraph(pdf_escape(t("meeting.report_sample")), styles["warning"]))
    story += [Paragraph(pdf_escape(s), styles["body"]) for s in b.summary]
    story.append(Spacer(1, 4 * mm))
    figures = [
        [
            Paragraph(pdf_escape(t("meeting.fig_total")), styles["head"]),
            Paragraph(pdf_escape(t("meeting.fig_previous")), styles["head"]),
            Paragraph(pdf_escape(t("meeting.fig_change")), styles["head"]),
            Paragraph(pdf_escape(t("meeting.fig_rate")), styles["head"]),
        ],
        [
            Paragraph(pdf_escape(b.total), styles["figure"]),
            Paragraph(pdf_escape(b.previous_total), styles["figure"]),
            Paragraph(pdf_escape(f"{b.change} ({b.verdict})"), styles["body"]),
            Paragraph(pdf_escape(b.rate), styles["figure"]),
        ],
    ]
    story.append(Table(figures, colWidths=[width / 4] * 4))
    chart = trend_png(b.monthly, b.threshold)
    story.append(
        KeepTogether(
            [
                Paragraph(pdf_escape(t("meeting.trend_heading")), styles["h2"]),
                Image(io.BytesIO(chart), width=width, height=width * 2.6 / 7.2),
            ]
        )
    )
    story.append(
        KeepTogether(
            [
                Paragraph(pdf_escape(t("meeting.categories_heading")), styles["h2"]),
                pdf_table(b.categories, styles),
            ]
        )
    )
    places = [Paragraph(pdf_escape(t("meeting.hotspots_heading")), styles["h2"])]
    if b.hotspots is not None and not b.hotspots.empty:
        places.append(pdf_table(b.hotspots, styles))
    places.append(Paragraph(pdf_escape(b.hotspot_note), styles["small"]))
    story.append(KeepTogether(places))
    promise = [
        Paragraph(pdf_escape(t("meeting.promise_title")), styles["h2"]),
        Paragraph(pdf_escape(b.promise_heading), styles["small"]),
    ]
    if b.promise_status is not None and not b.promise_status.empty:
        promise.append(pdf_table(b.promise_status, styles))
    story.append(KeepTogether(promise))
    story.append(
        KeepTogether(
            [
                Paragraph(pdf_escape(t("meeting.sources_heading")), styles["h2"]),
                pdf_table(b.sources, styles),
            ]
        )
    )
    notes = [t("meeting.report_rules", threshold=b.threshold)]
    if b.coverage_note:
        notes.append(t("source.coverage_note"))
    story += [Spacer(1, 2 * mm), *[Paragraph(pdf_escape(n), styles["small"]) for n in notes]]
    doc.build(story)
    return out.getvalue()
