"""The EST weekly situation picture as people read it: Swedish tables, the A4 PDF and the Excel
workbook for the weekly meeting, from ``lib.figures.signals``.

This is the EST group's internal material (signed-in analysts only): exact counts per named
place, but never a note, a reporter or a pin.
"""

from __future__ import annotations

import datetime as dt
import io

import pandas as pd
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer

from lib.figures.signals import REPEAT_MIN, WeeklyPicture
from lib.i18n import fmt_date, fmt_num, fmt_signed, t
from lib.public import exports
from lib.public.report import pdf_escape, pdf_styles, pdf_table


def week_number(week: dt.date) -> int:
    return week.isocalendar().week


def week_label(week: dt.date) -> str:
    return t(
        "weekly.week_label",
        week=week_number(week),
        start=fmt_date(week),
        end=fmt_date(week + dt.timedelta(days=6)),
    )


def summary(p: WeeklyPicture) -> str:
    return t(
        "weekly.summary",
        total=p.total,
        week=week_number(p.week),
        mean=fmt_num(p.previous_mean, 1),
        n=p.previous,
    )


def compare_table(table: pd.DataFrame, p: WeeklyPicture, labels: dict[str, str]) -> pd.DataFrame:
    """A comparison (by place, category or both) with Swedish headers."""
    out = pd.DataFrame(index=table.index)
    if "place" in table:
        out[t("cases.col_place")] = table["place"]
    if "category" in table:
        out[t("cases.col_what")] = table["category"].map(lambda c: labels.get(c, c))
    out[t("weekly.col_week")] = table["week"].astype(int)
    out[t("weekly.col_previous", n=p.previous)] = table["previous"].astype(int)
    out[t("weekly.col_mean")] = table["previous_mean"].map(lambda v: fmt_num(v, 1))
    out[t("weekly.col_change")] = table["change"].map(lambda v: fmt_signed(v, 1))
    return out.reset_index(drop=True)


def repeated_table(p: WeeklyPicture, labels: dict[str, str]) -> pd.DataFrame:
    r = p.repeated
    return pd.DataFrame(
        {
            t("cases.col_place"): r["place"],
            t("cases.col_reports"): r["reports"].astype(int),
            t("weekly.col_weeks"): r["weeks"].astype(int),
            t("weekly.col_serious"): r["serious"].astype(int),
            t("weekly.col_categories"): r["categories"].map(
                lambda cs: ", ".join(labels.get(c, c) for c in cs)
            ),
        }
    )


def actions_table(actions: pd.DataFrame) -> pd.DataFrame:
    open_ones = actions[actions["status"] == "planned"].sort_values("date")
    return pd.DataFrame(
        {
            t("cases.col_action"): open_ones["title"],
            t("cases.col_owner"): open_ones["owner"],
            t("cases.col_date"): open_ones["date"].map(lambda d: fmt_date(d.date())),
            t("cases.col_place"): open_ones["place"],
            t("cases.col_reports"): open_ones["reports"].astype(int),
        }
    ).reset_index(drop=True)


def tertial_label(start: dt.date, end: dt.date) -> str:
    return t(
        "weekly.tertial_label",
        n=(start.month - 1) // 4 + 1,
        year=start.year,
        start=fmt_date(start),
        end=fmt_date(end),
    )


def ranking_table(ranking: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame(
        {
            t("weekly.col_rank"): ranking["rank"].astype(int),
            t("cases.col_place"): ranking["place"],
            t("cases.col_reports"): ranking["reports"].astype(int),
            t("weekly.col_serious"): ranking["serious"].astype(int),
            t("weekly.col_score"): ranking["score"].astype(int),
        }
    )


def sections(
    p: WeeklyPicture, labels, actions: pd.DataFrame, ranking: pd.DataFrame, tertial: str
) -> list[tuple[str, pd.DataFrame, str]]:
    """(heading, table, note) in the order the meeting goes through them."""
    return [
        (t("weekly.by_place"), compare_table(p.by_place, p, labels), ""),
        (t("weekly.by_category"), compare_table(p.by_category, p, labels), ""),
        (
            t("weekly.repeated"),
            repeated_table(p, labels),
            t("weekly.repeated_help", n=REPEAT_MIN, weeks=p.previous),
        ),
        (t("weekly.open_actions"), actions_table(actions), ""),
        (f"{t('weekly.tertial')}: {tertial}", ranking_table(ranking), t("weekly.tertial_rule")),
    ]


def weekly_pdf(
    p: WeeklyPicture,
    labels: dict[str, str],
    actions: pd.DataFrame,
    ranking: pd.DataFrame,
    tertial: str,
    municipality: str,
    made_on: dt.date,
) -> bytes:
    styles = pdf_styles()
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        topMargin=16 * mm,
        bottomMargin=16 * mm,
        title=t("weekly.pdf_title", week=week_number(p.week)),
    )
    story = [
        Paragraph(pdf_escape(t("weekly.pdf_title", week=week_number(p.week))), styles["title"]),
        Paragraph(pdf_escape(week_label(p.week)), styles["body"]),
        Paragraph(
            pdf_escape(t("weekly.pdf_made", municipality=municipality, day=fmt_date(made_on))),
            styles["small"],
        ),
        Spacer(1, 4 * mm),
        Paragraph(pdf_escape(summary(p)), styles["figure"]),
        Spacer(1, 4 * mm),
    ]
    for heading, table, note in sections(p, labels, actions, ranking, tertial):
        story.append(Paragraph(pdf_escape(heading), styles["h2"]))
        if table.empty:
            story.append(Paragraph(pdf_escape(t("weekly.none")), styles["body"]))
        else:
            story.append(pdf_table(table, styles))
        if note:
            story.append(Paragraph(pdf_escape(note), styles["small"]))
        story.append(Spacer(1, 3 * mm))
    doc.build(story)
    return buffer.getvalue()


def weekly_excel(
    p: WeeklyPicture,
    labels: dict[str, str],
    actions: pd.DataFrame,
    ranking: pd.DataFrame,
    tertial: str,
) -> bytes:
    """One sheet per table, the place-and-category table among them; written as every
    export is (``lib.public.exports``: escaped characters, cells cut with a marker), and a
    workbook with a Swedish message should it still fail."""

    def build() -> bytes:
        tables = [
            (t("weekly.by_both"), compare_table(p.by_place_category, p, labels)),
            *((h, table) for h, table, _ in sections(p, labels, actions, ranking, tertial)),
        ]
        return exports.workbook_bytes([(h.split(":")[0], table) for h, table in tables])

    return exports.guarded(build, "xlsx")()
