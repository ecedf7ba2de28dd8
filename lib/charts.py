"""Plotly figures. Colours are Okabe–Ito (colour-blind safe); text comes from the catalogue."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from lib.i18n import fmt_month_short, t
from lib.privacy import is_suppressed

BLUE, ORANGE, GREY = "#0072B2", "#E69F00", "#6E6E6E"
FONT = "Source Sans Pro, Arial, sans-serif"


def monthly_figure(monthly: pd.DataFrame, threshold: int) -> go.Figure:
    """Current period against the previous year on the same month axis. Months with a
    suppressed count are left as gaps, with the reason in the hover text."""
    fig = go.Figure()
    styles = {
        "current": (BLUE, "solid", "overview.trend_current"),
        "previous": (GREY, "dash", "overview.trend_previous"),
    }
    for series, (colour, dash, label) in styles.items():
        rows = monthly[monthly["series"] == series]
        hidden = rows["n"].map(lambda n: is_suppressed(int(n), threshold))
        values = rows["n"].where(~hidden)
        hover = [
            t("suppressed", threshold=threshold) if h else f"{int(n)}"
            for n, h in zip(rows["n"], hidden, strict=True)
        ]
        fig.add_trace(
            go.Scatter(
                x=[f"{fmt_month_short(m)} {m.year}" for m in rows["month"]],
                y=values,
                name=t(label),
                mode="lines+markers",
                line={"color": colour, "dash": dash, "width": 3},
                marker={"size": 7},
                customdata=hover,
                hovertemplate="%{x}: %{customdata}<extra>" + t(label) + "</extra>",
            )
        )
    fig.update_layout(
        height=320,
        margin={"l": 10, "r": 10, "t": 30, "b": 10},
        font={"family": FONT, "size": 14},
        legend={"orientation": "h", "y": 1.12, "x": 0},
        hovermode="x unified",
        yaxis={
            "title": t("overview.trend_count"),
            "rangemode": "tozero",
            "separatethousands": True,
        },
        xaxis={"title": None},
        separators=", ",
        plot_bgcolor="white",
    )
    fig.update_yaxes(gridcolor="#E5E5E5")
    return fig
