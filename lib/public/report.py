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
    PageBreak,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from lib.i18n import fmt_date, fmt_month_short, t
from lib.public.briefing import Briefing, method_notes
from lib.public.charts import BLUE, GREY, tick_months
from lib.public.views import FEW_EVENTS

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


def pdf_styles(scale: float = 1.0):
    """The report's paragraph styles; ``scale`` shrinks the table and note sizes (a page
    with a long promise table still fits its page)."""
    regular, bold = _fonts()
    base = getSampleStyleSheet()
    styles = {
        "title": ParagraphStyle("title", parent=base["Title"], fontName=bold, fontSize=20),
        "h2": ParagraphStyle("h2", parent=base["Heading2"], fontName=bold, fontSize=13),
        "h3": ParagraphStyle(
            "h3", parent=base["Heading3"], fontName=bold, fontSize=9, spaceBefore=6, spaceAfter=2
        ),
        "lead": ParagraphStyle(
            "lead", parent=base["BodyText"], fontName=bold, fontSize=12, leading=16
        ),
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
    for name in ("cell", "head", "small", "h2", "h3"):
        styles[name].fontSize *= scale
        styles[name].leading *= scale
        styles[name].spaceBefore *= scale
        styles[name].spaceAfter *= scale
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


def trend_png(monthly: pd.DataFrame, threshold: int, size=(7.2, 2.6)) -> bytes:
    """Incidents per month, this period against the year before; suppressed months are gaps."""
    fig = Figure(figsize=size, dpi=150)
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


# --- The two pages ----------------------------------------------------------------------------

MARGIN = 18 * mm
TOP, BOTTOM = 16 * mm, 18 * mm  # the bottom margin holds the page footer
WIDTH = A4[0] - 2 * MARGIN
CHART_WIDTH = 7.2  # inches: page 1's chart, the width of the text
CHART_HEIGHTS = (4.4, 3.8, 3.3, 2.8, 2.3)  # the tallest that lets page 1 fit
SCALES = (1.0, 0.92, 0.85, 0.78, 0.72, 0.66)  # page 2's type, the largest that fits
# The category table in the report: what a reader of the minutes needs (the rates per
# 1 000 and their reliability stay on the pages; "jämförda dagar" only where they differ).
CATEGORY_COLUMNS = ("col.total_period", "col.compared_now", "col.previous", "col.change_ci")
CATEGORY_LAST = "col.verdict"


def report_categories(categories: pd.DataFrame) -> pd.DataFrame:
    """The briefing's category table as the report prints it (``CATEGORY_COLUMNS``)."""
    if categories.empty or len(categories.columns) == 0:
        return categories
    wanted = [categories.columns[0]]
    for key in (*CATEGORY_COLUMNS, CATEGORY_LAST):
        name = t(key)
        if name not in categories.columns:
            continue
        if (
            key == "col.compared_now"
            and (
                categories[name].astype(str) == categories[t("col.total_period")].astype(str)
            ).all()
        ):
            continue  # the whole period is compared: the column would repeat the first
        wanted.append(name)
    return categories[wanted]


def report_places(places: pd.DataFrame | None) -> pd.DataFrame | None:
    """The top places as the report prints them: place, counts, verdict and hot spot (the
    cell's coordinates and the change stay on the map page)."""
    if places is None or places.empty:
        return places
    drop = {t("col.cell"), t("col.change")}
    return places[[c for c in places.columns if c not in drop]]


def _figures(b: Briefing, styles) -> Table:
    """The key figures: four boxes, the number large and what it is above it."""
    verdict = Paragraph(pdf_escape(b.verdict), styles["small"])
    cells = [
        (t("meeting.fig_total"), b.total, None),
        (t("meeting.fig_previous"), b.previous_total, None),
        (t("meeting.fig_change"), b.change, verdict),
        (t("meeting.fig_rate"), b.rate, None),
    ]
    head = [Paragraph(pdf_escape(label), styles["head"]) for label, _, _ in cells]
    values = [
        [Paragraph(pdf_escape(value), styles["figure"]), *([below] if below else [])]
        for _, value, below in cells
    ]
    table = Table([head, values], colWidths=[WIDTH / 4] * 4)
    table.setStyle(
        TableStyle(
            [
                ("BACKGROUND", (0, 0), (-1, -1), colors.HexColor("#F2F5F8")),
                ("LINEBEFORE", (1, 0), (-1, -1), 2, colors.white),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("TOPPADDING", (0, 0), (-1, -1), 5),
                ("BOTTOMPADDING", (0, -1), (-1, -1), 8),
            ]
        )
    )
    return table


def _page_one(b: Briefing, styles, made_on: dt.date, chart_height: float) -> list:
    """Headline, key figures and the monthly chart; the sources under it."""
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
    headline, rest = b.summary[:2], b.summary[2:]
    story.append(Paragraph(pdf_escape(" ".join(headline)), styles["lead"]))
    story += [Paragraph(pdf_escape(s), styles["body"]) for s in rest]
    story += [Spacer(1, 4 * mm), _figures(b, styles), Spacer(1, 2 * mm)]
    chart = trend_png(b.monthly, b.threshold, (CHART_WIDTH, chart_height))
    story += [
        Paragraph(pdf_escape(t("meeting.trend_heading")), styles["h2"]),
        Image(io.BytesIO(chart), width=WIDTH, height=WIDTH * chart_height / CHART_WIDTH),
        Paragraph(pdf_escape(t("meeting.sources_heading")), styles["h2"]),
        pdf_table(b.sources, styles, [WIDTH * 0.6, WIDTH * 0.4]),
    ]
    if b.coverage_note:
        story.append(Paragraph(pdf_escape(t("source.coverage_note")), styles["small"]))
    return story


def _page_two(b: Briefing, styles) -> list:
    """Categories, places, the promise; the details and the method note at the foot."""
    story = [
        Paragraph(pdf_escape(t("meeting.categories_heading")), styles["h2"]),
        pdf_table(report_categories(b.categories), styles)
        if b.categories_note is None
        else Paragraph(pdf_escape(b.categories_note), styles["small"]),
        Paragraph(pdf_escape(t("meeting.hotspots_heading")), styles["h2"]),
    ]
    places = report_places(b.hotspots)
    if places is not None and not places.empty:
        story.append(pdf_table(places, styles))
    story.append(Paragraph(pdf_escape(b.hotspot_note), styles["small"]))
    story += [
        Paragraph(pdf_escape(t("meeting.promise_title")), styles["h2"]),
        Paragraph(pdf_escape(b.promise_heading), styles["small"]),
    ]
    if b.promise_status is not None and not b.promise_status.empty:
        story.append(pdf_table(b.promise_status, styles))
    if b.details:
        story += [
            Paragraph(pdf_escape(t("change.details_heading")), styles["h3"]),
            Paragraph(pdf_escape(t("change.details_intro", few=FEW_EVENTS)), styles["small"]),
            *[Paragraph(pdf_escape(line), styles["small"]) for line in b.details],
        ]
    notes = method_notes(b)
    if notes:
        story += [
            Paragraph(pdf_escape(t("meeting.method_heading")), styles["h3"]),
            Paragraph(pdf_escape(" ".join(notes)), styles["small"]),
        ]
    return story


def _footer(b: Briefing):
    """Municipality, period and page number at the foot of each page."""
    regular, _ = _fonts()

    def draw(canvas, doc) -> None:
        canvas.saveState()
        canvas.setFont(regular, 7)
        canvas.setFillColor(GREY)
        left = t("meeting.report_footer", municipality=b.municipality, period=b.period_text)
        canvas.drawString(MARGIN, BOTTOM / 2, left)
        page = t("meeting.report_page", n=doc.page, total=2)
        canvas.drawRightString(A4[0] - MARGIN, BOTTOM / 2, page)
        canvas.restoreState()

    return draw


def _document(out: io.BytesIO, b: Briefing) -> SimpleDocTemplate:
    return SimpleDocTemplate(
        out,
        pagesize=A4,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=TOP,
        bottomMargin=BOTTOM,
        title=t("meeting.report_title", municipality=b.municipality),
        author=b.municipality,
    )


def _pages(b: Briefing, story: list) -> int:
    """How many pages ``story`` takes."""
    doc = _document(io.BytesIO(), b)
    doc.build(story)
    return doc.page


def _fitting(b: Briefing, make, options) -> list:
    """The story ``make(option)`` of the first option that fits one page (else the last)."""
    for option in options:
        story = make(option)
        if _pages(b, make(option)) == 1:
            return story
    return story


def situation_report(b: Briefing, made_on: dt.date | None = None) -> bytes:
    """The two-page A4 lägesbild: page 1 the headline, the key figures and the monthly
    chart (and the sources); page 2 the categories, the places and the promise, with the
    method note made from the methods the briefing used. Page 1's chart is as tall as fits,
    page 2's tables and notes as large as fit, so the report is two pages. Dated
    ``made_on``, by default today in Swedish time."""
    made_on = made_on or local_day()
    styles = pdf_styles()
    one = _fitting(b, lambda h: _page_one(b, styles, made_on, h), CHART_HEIGHTS)
    two = _fitting(b, lambda scale: _page_two(b, pdf_styles(scale)), SCALES)
    out = io.BytesIO()
    footer = _footer(b)
    _document(out, b).build([*one, PageBreak(), *two], onFirstPage=footer, onLaterPages=footer)
    return out.getvalue()
