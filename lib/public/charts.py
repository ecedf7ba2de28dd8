"""Plotly figures. Colours are Okabe–Ito (colour-blind safe); text comes from the catalogue.
Counts below the privacy threshold are never drawn: they appear as gaps or empty cells."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from lib.i18n import fmt_date, fmt_month_short, fmt_num, fmt_pct, t

BLUE, ORANGE, GREY, VERMILLION, SKY = "#0072B2", "#E69F00", "#6E6E6E", "#D55E00", "#56B4E9"
FONT = "Source Sans Pro, Arial, sans-serif"


def _layout_dict(height: int = 340, y_title: str | None = None) -> dict:
    """The house layout: Swedish separators, the legend above the plot, a light grid."""
    return {
        "height": height,
        "margin": {"l": 10, "r": 10, "t": 30, "b": 10},
        "font": {"family": FONT, "size": 14},
        # Anchored by its foot just above the plot: on a phone the legend wraps to several
        # lines and grows upwards into the margin (which Plotly widens), not over the lines.
        "legend": {"orientation": "h", "yanchor": "bottom", "y": 1.02, "x": 0},
        "hovermode": "x unified",
        "yaxis": {"title": y_title, "rangemode": "tozero", "gridcolor": "#E5E5E5"},
        "xaxis": {"title": None},
        "separators": ", ",
        "plot_bgcolor": "white",
    }


def _layout(fig: go.Figure, height: int = 340, y_title: str | None = None) -> go.Figure:
    fig.update_layout(**_layout_dict(height, y_title))
    return fig


def _label(start: pd.Timestamp, freq: str) -> str:
    if freq == "M":
        return f"{fmt_month_short(start)} {start.year}"
    return fmt_date(start.date())


# A chart on screen may be as narrow as a phone (390 px: a plot about 300 px wide), where
# more than seven month labels run together ("febmarsapr"); a label every other month reads
# well on a wide screen too. The PDF's chart has a fixed width and labels every month.
SCREEN_TICKS = 7
STEPS = (1, 2, 3, 6, 12, 24, 60, 120)  # months between labels: each divides the next's years


def tick_months(first, last, most: int | None = None) -> list[pd.Timestamp]:
    """The months to label on an axis from ``first`` to ``last``, by span: every month up
    to 14, every quarter up to 3 years, every half year up to 6, then every January. With
    ``most``, the shortest step of ``STEPS`` that labels at most that many months (labels
    fall on January and every step-th month after it, on Januaries of years divisible by
    the step's years beyond a year)."""
    months = pd.date_range(pd.Timestamp(first).to_period("M").start_time, last, freq="MS")
    if most is None:
        if len(months) <= 14:
            return list(months)
        step = 3 if len(months) <= 36 else 6 if len(months) <= 72 else 12
        return [m for m in months if (m.month - 1) % step == 0] or list(months[:1])
    for step in STEPS:
        chosen = [m for m in months if (m.year * 12 + m.month - 1) % step == 0]
        if len(chosen) <= most:
            return chosen or list(months[:1])
    return list(months[:1])


def tick_text(months: list[pd.Timestamp]) -> list[str]:
    """Swedish month abbreviations with the year under the first tick and under each
    January ("okt<br>2018", "nov", …, "jan<br>2019"); the year alone on yearly ticks."""
    yearly = len(months) > 1 and all(m.month == 1 for m in months)
    out = []
    for i, m in enumerate(months):
        if yearly:
            out.append(str(m.year))
        elif i == 0 or m.month == 1:
            out.append(f"{fmt_month_short(m)}<br>{m.year}")
        else:
            out.append(fmt_month_short(m))
    return out


def _category_axis(starts, freq: str) -> dict:
    """Readable ticks on a category axis of bucket labels (``_label``): a subset of the
    buckets by span, named by month and year (a week's tick is the first week of a month)."""
    starts = [pd.Timestamp(s) for s in starts]
    if not starts:
        return {}
    wanted = set(tick_months(min(starts), max(starts), most=SCREEN_TICKS))
    chosen, seen = [], set()
    for s in starts:
        month = s.to_period("M").start_time
        if freq != "M":  # the first week starting in a wanted month
            month = (s + pd.Timedelta(days=6)).to_period("M").start_time
        if month in wanted and month not in seen:
            seen.add(month)
            chosen.append((s, month))
    return {
        "type": "category",
        "tickmode": "array",
        "tickvals": [_label(s, freq) for s, _ in chosen],
        "ticktext": tick_text([m for _, m in chosen]),
        "tickangle": 0,
    }


def _category_ticks(fig: go.Figure, starts, freq: str) -> None:
    axis = _category_axis(starts, freq)
    if axis:
        fig.update_xaxes(**axis)


def bucket_length(start: pd.Timestamp, freq: str) -> int:
    return pd.Timestamp(start).days_in_month if freq == "M" else 7


def partial_buckets(series: pd.DataFrame, freq: str = "M") -> pd.Series:
    """Per row of a ``trends.period_series`` frame: the bucket has data but not for all of
    its days (the period starts or ends inside it, or the data do), so its count is not
    comparable with a whole month's."""
    full = series["start"].map(lambda s: bucket_length(s, freq))
    cut = (series["covered"] > 0) & (series["covered"] < full)
    if "incomplete" in series:
        cut |= series["incomplete"].astype(bool)
    return cut


def series_figure(
    series: pd.DataFrame, threshold: int | None = None, freq: str = "M", value: str = "n"
) -> go.Figure:
    """Current period against the previous year on the same axis (counts or rates), from a
    series already through the disclosure layer (``views.series_points``): hidden counts and
    months without data are gaps, with the reason in the hover text (column ``hover``).

    Built in one go, traces and layout handed to the constructor: each of Plotly's
    ``update_*`` calls costs several times what validating the same settings there does, and
    this chart is on every new question a viewer asks (bench/load.py)."""
    if threshold and "hidden_below" in series and len(series):
        threshold = int(series["hidden_below"].iloc[0])  # a fine series hides up to more
    styles = {
        "current": (BLUE, "solid", "overview.trend_current"),
        "previous": (GREY, "dash", "overview.trend_previous"),
    }
    partial = (
        partial_buckets(series, freq)
        if "covered" in series
        else pd.Series(False, index=series.index)
    )
    traces = []
    for name, (colour, dash, label) in styles.items():
        rows = series[series["series"] == name]
        values = rows[value]
        if value != "n":
            hover = [
                h if pd.isna(v) else fmt_num(v, 2)
                for v, h in zip(values, rows["hover"], strict=True)
            ]
        else:
            hover = list(rows["hover"])
        part = partial[rows.index]
        cover = rows["covered"] if "covered" in rows else pd.Series(0, index=rows.index)
        whole = rows["incomplete"] if "incomplete" in rows else pd.Series(False, index=rows.index)
        hover = [
            (
                t("chart.incomplete_hover", value=h)
                if w
                else t("chart.partial_hover", value=h, days=int(c), of=bucket_length(s, freq))
            )
            if p and not pd.isna(v)
            else h
            for h, p, v, c, s, w in zip(
                hover, part, values, cover, rows["start"], whole, strict=True
            )
        ]
        traces.append(
            {
                "type": "scatter",
                "x": [_label(s, freq) for s in rows["start"]],
                "y": values,
                "name": t(label),
                "mode": "lines+markers",
                "line": {"color": colour, "dash": dash, "width": 3},
                # A partial bucket is drawn hollow: fewer days, so a lower count.
                "marker": {
                    "size": 7 if freq == "M" else 4,
                    "symbol": ["circle-open" if p else "circle" for p in part],
                    "line": {"width": 2, "color": colour},
                },
                "customdata": hover,
                "hovertemplate": "%{x}: %{customdata}<extra>" + t(label) + "</extra>",
            }
        )
    if value == "n" and threshold:
        traces += _hidden_traces(series, threshold, freq)
    shapes, key = _partial_bands(series, partial, freq)
    traces += key
    title = t("overview.trend_count") if value == "n" else t("trends.rate_axis")
    layout = _layout_dict(y_title=title)
    layout["xaxis"] |= _category_axis(series["start"].drop_duplicates(), freq)
    if shapes:
        layout["shapes"] = shapes
    return go.Figure(data=traces, layout=layout)


HIDDEN = "#9ECAE1"  # the current period's colour, lighter


def _hidden_traces(series: pd.DataFrame, threshold: int, freq: str) -> list[dict]:
    """A month of the period whose count is hidden is no gap without a reason: a light bar
    from 0 to the threshold says "somewhere below it", named in the legend. It carries
    nothing but the threshold (the same height for every hidden month). The year before keeps
    its gaps (a second bar at the same month would read as this period's)."""
    hidden = series[
        (series["series"] == "current")
        & series["n"].isna()
        & (series["hover"] == t("suppressed", threshold=threshold))
    ]
    if hidden.empty:
        return []
    half = threshold / 2
    return [
        {
            "type": "scatter",
            "x": [_label(s, freq) for s in hidden["start"]],
            "y": [half] * len(hidden),
            "name": t("chart.hidden_legend", threshold=threshold),
            "mode": "markers",
            "marker": {"symbol": "line-ew", "size": 14, "line": {"width": 2, "color": HIDDEN}},
            "error_y": {"type": "constant", "value": half, "color": HIDDEN, "thickness": 5},
            "hovertemplate": "%{x}: " + t("suppressed", threshold=threshold) + "<extra></extra>",
        }
    ]


def _partial_bands(
    series: pd.DataFrame, partial: pd.Series, freq: str
) -> tuple[list[dict], list[dict]]:
    """A grey band behind each partial month of the current period, named in the legend
    ("ofullständig månad") by a key trace; the hover text gives its days. The bands as
    layout shapes (what ``add_vrect`` makes: the x span, the plot's full height)."""
    flags = partial[series["series"] == "current"].to_numpy()
    where = [i for i, p in enumerate(flags) if p]
    if not where:
        return [], []
    word = t("chart.partial_month" if freq == "M" else "chart.partial_week")
    shapes = [
        {
            "type": "rect",
            "xref": "x",
            "yref": "y domain",
            "x0": i - 0.5,
            "x1": i + 0.5,
            "y0": 0,
            "y1": 1,
            "fillcolor": "#9E9E9E",
            "opacity": 0.18,
            "line": {"width": 0},
            "layer": "below",
        }
        for i in where
    ]
    key = {  # the legend's key to the band
        "type": "scatter",
        "x": [None],
        "y": [None],
        "mode": "markers",
        "name": word,
        "marker": {"symbol": "square", "size": 14, "color": "rgba(158,158,158,0.35)"},
        "hoverinfo": "skip",
    }
    return shapes, [key]


def control_figure(chart: pd.DataFrame, threshold: int) -> go.Figure:
    """One category's months against its exact Poisson limits; unusual months marked."""
    x = [_label(m, "M") for m in chart["month"]]
    fig = go.Figure()
    fig.add_trace(
        go.Scatter(
            x=x,
            y=chart["upper"],
            mode="lines",
            line={"width": 0},
            showlegend=False,
            hoverinfo="skip",
        )
    )
    fig.add_trace(
        go.Scatter(
            x=x,
            y=chart["lower"],
            mode="lines",
            line={"width": 0},
            fill="tonexty",
            fillcolor="rgba(86,180,233,0.25)",
            name=t("trends.control_band"),
            hoverinfo="skip",
        )
    )
    fig.add_trace(
        go.Scatter(
            x=x,
            y=chart["expected"],
            mode="lines",
            name=t("trends.control_expected"),
            line={"color": GREY, "dash": "dot", "width": 2},
            hovertemplate="%{y:.1f}<extra>" + t("trends.control_expected") + "</extra>",
        )
    )
    hidden = chart["n"].isna()  # hidden by the disclosure layer
    fig.add_trace(
        go.Scatter(
            x=x,
            y=chart["n"].where(~hidden),
            mode="lines+markers",
            name=t("trends.control_observed"),
            line={"color": BLUE, "width": 3},
            marker={"size": 8},
        )
    )
    flagged = chart["flag"].notna() & ~hidden
    fig.add_trace(
        go.Scatter(
            x=[v for v, f in zip(x, flagged, strict=True) if f],
            y=chart["n"][flagged],
            mode="markers",
            name=t("trends.control_flagged"),
            marker={"size": 16, "color": VERMILLION, "symbol": "diamond"},
        )
    )
    _category_ticks(fig, chart["month"], "M")
    return _layout(fig, y_title=t("overview.trend_count"))


def heatmap_figure(matrix: np.ndarray, threshold: int | None = None) -> go.Figure:
    """Weekday × hour counts as the disclosure layer left them (hidden cells are NaN, and
    say in the hover what they are below)."""
    values = np.asarray(matrix, dtype=float)
    days = [t(f"weekday.{d}") for d in range(7)]
    hidden = t("suppressed", threshold=threshold) if threshold else ""
    text = [[hidden if np.isnan(v) else fmt_num(v, 0) for v in row] for row in values]
    fig = go.Figure(
        go.Heatmap(
            z=values,
            x=[f"{h:02d}" for h in range(24)],
            y=days,
            colorscale="Blues",
            customdata=text,
            hovertemplate="%{y} kl. %{x}: %{customdata}<extra></extra>",
            xgap=1,
            ygap=1,
            colorbar={"title": None},
        )
    )
    fig.update_layout(
        height=320,
        margin={"l": 10, "r": 10, "t": 10, "b": 10},
        font={"family": FONT, "size": 14},
        plot_bgcolor="white",
        yaxis={"autorange": "reversed"},
    )
    return fig


def night_figure(monthly: pd.DataFrame) -> go.Figure:
    """Monthly night share with its exact 95 % interval."""
    x = [_label(m, "M") for m in monthly["month"]]
    fig = go.Figure()
    fig.add_trace(
        go.Scatter(
            x=x,
            y=monthly["high"],
            mode="lines",
            line={"width": 0},
            showlegend=False,
            hoverinfo="skip",
        )
    )
    fig.add_trace(
        go.Scatter(
            x=x,
            y=monthly["low"],
            mode="lines",
            line={"width": 0},
            fill="tonexty",
            fillcolor="rgba(0,114,178,0.15)",
            showlegend=False,
            hoverinfo="skip",
        )
    )
    fig.add_trace(
        go.Scatter(
            x=x,
            y=monthly["share"],
            mode="lines+markers",
            line={"color": BLUE, "width": 3},
            name=t("trends.night_axis"),
            customdata=[fmt_pct(s, 0) for s in monthly["share"]],
            hovertemplate="%{x}: %{customdata}<extra></extra>",
        )
    )
    _category_ticks(fig, monthly["month"], "M")
    fig = _layout(fig, height=300, y_title=t("trends.night_axis"))
    fig.update_yaxes(tickformat=".0%", range=[0, 1])
    return fig


def timeline_figure(activities: pd.DataFrame, labels: dict[str, str], as_of) -> go.Figure:
    """Every activity as a dot on its promise's row, sized by quantity; those after the
    chosen date are greyed, so a replayed date shows what was known then."""
    fig = go.Figure()
    palette = [BLUE, ORANGE, "#009E73", VERMILLION, SKY, "#CC79A7"]
    cutoff = pd.Timestamp(as_of)
    for k, (indicator, label) in enumerate(labels.items()):
        rows = activities[activities["indicator_id"] == indicator]
        for past in (True, False):
            part = rows[(rows["date"] <= cutoff) == past]
            if part.empty:
                continue
            size = 8 + 10 * np.sqrt(part["quantity"] / max(rows["quantity"].max(), 1))
            fig.add_trace(
                go.Scatter(
                    x=part["date"],
                    y=[label] * len(part),
                    mode="markers",
                    name=label if past else t("promise.timeline_future"),
                    showlegend=False,
                    marker={
                        "size": size,
                        "color": palette[k % len(palette)] if past else "#C8C8C8",
                        "line": {"width": 1, "color": "white"},
                    },
                    customdata=[
                        [fmt_date(d.date()), fmt_num(q, 0), str(loc)]
                        for d, q, loc in zip(
                            part["date"], part["quantity"], part["locality"], strict=True
                        )
                    ],
                    hovertemplate="%{customdata[0]}: %{customdata[1]} – %{customdata[2]}<extra>"
                    + label
                    + "</extra>",
                )
            )
    fig.add_vline(x=cutoff, line={"color": GREY, "dash": "dot"})
    if not activities.empty:
        _swedish_month_ticks(fig, activities["date"].min(), activities["date"].max())
    fig.update_layout(
        height=80 + 45 * max(len(labels), 1),
        margin={"l": 10, "r": 10, "t": 10, "b": 10},
        font={"family": FONT, "size": 14},
        plot_bgcolor="white",
        yaxis={"autorange": "reversed"},
        xaxis={"gridcolor": "#E5E5E5"},
    )
    return fig


def _swedish_month_ticks(fig: go.Figure, first, last) -> None:
    """Plotly names months in English on a date axis: label the ticks ourselves."""
    if pd.isna(first) or pd.isna(last):
        return
    ticks = tick_months(first, last, most=SCREEN_TICKS)
    fig.update_xaxes(tickvals=ticks, ticktext=tick_text(ticks))


def funnel_figure(
    points: pd.DataFrame, curve: pd.DataFrame, group_rate: float, own: str, peers: list[str]
) -> go.Figure:
    """Rate per 100 000 against population: funnels at 95 % and 99.8 % around the group
    rate; the municipality in orange and labelled, its SKR peers outlined."""
    fig = go.Figure()
    for level, dash in ((0.998, "dot"), (0.95, "dash")):
        name = t("peers.funnel_line", level=fmt_pct(level, 1 if level > 0.99 else 0))
        for side in ("lower", "upper"):
            fig.add_trace(
                go.Scatter(
                    x=curve["population"],
                    y=curve[f"{side}_{level}"],
                    mode="lines",
                    line={"color": GREY, "dash": dash, "width": 1.5},
                    name=name,
                    showlegend=side == "upper",
                    legendgroup=name,
                    hoverinfo="skip",
                )
            )
    fig.add_hline(y=group_rate, line={"color": GREY, "width": 1})
    kinds = np.where(
        points["region_code"] == own, "own", np.where(points["region_code"].isin(peers), "peer", "")
    )
    styles = {
        "": (SKY, t("peers.legend_group"), 10, "white"),
        "peer": (BLUE, t("peers.legend_peers"), 12, "#1A1A1A"),
        "own": (ORANGE, None, 16, "#1A1A1A"),
    }
    for kind, (colour, label, size, edge) in styles.items():
        part = points[kinds == kind]
        if part.empty:
            continue
        fig.add_trace(
            go.Scatter(
                x=part["pop"],
                y=part["rate_per_100k"],
                mode="markers+text" if kind == "own" else "markers",
                text=part["region"] if kind == "own" else None,
                textposition="top center",
                marker={"color": colour, "size": size, "line": {"width": 1.5, "color": edge}},
                name=label or str(part["region"].iloc[0]),
                customdata=[
                    [name, fmt_num(r, 0), fmt_num(n, 0), fmt_num(p, 0)]
                    for name, r, n, p in zip(
                        part["region"], part["rate_per_100k"], part["n"], part["pop"], strict=True
                    )
                ],
                hovertemplate=t("peers.hover") + "<extra></extra>",
            )
        )
    fig = _layout(fig, height=420, y_title=t("peers.axis_rate"))
    fig.update_layout(hovermode="closest")
    low, high = float(curve["population"].min()), float(curve["population"].max())
    ticks = [v for v in (1e3, 2e3, 5e3, 1e4, 2e4, 5e4, 1e5, 2e5, 5e5, 1e6) if low <= v <= high]
    fig.update_xaxes(
        type="log",
        title=t("peers.axis_population"),
        gridcolor="#E5E5E5",
        tickvals=ticks,
        ticktext=[fmt_num(v, 0) for v in ticks],
    )
    fig.update_yaxes(rangemode="normal", tickformat=",d")
    return fig


def peer_trend_figure(trend: pd.DataFrame, own_name: str) -> go.Figure:
    """The municipality's rate by year against the other municipalities' median and middle
    50 % band."""
    fig = go.Figure()
    years = trend["year"].astype(int)
    fig.add_trace(
        go.Scatter(
            x=pd.concat([years, years[::-1]]),
            y=pd.concat([trend["q3"], trend["q1"][::-1]]),
            fill="toself",
            mode="lines",
            fillcolor="rgba(86,180,233,0.25)",
            line={"width": 0},
            name=t("peers.band"),
            hoverinfo="skip",
        )
    )
    fig.add_trace(
        go.Scatter(
            x=years,
            y=trend["median"],
            mode="lines+markers",
            line={"color": BLUE, "width": 2, "dash": "dash"},
            name=t("peers.median"),
            customdata=[fmt_num(v, 0) for v in trend["median"]],
            hovertemplate="%{customdata}",
        )
    )
    fig.add_trace(
        go.Scatter(
            x=years,
            y=trend["own"],
            mode="lines+markers",
            line={"color": ORANGE, "width": 3},
            name=own_name,
            customdata=[fmt_num(v, 0) if pd.notna(v) else "–" for v in trend["own"]],
            hovertemplate="%{customdata}",
        )
    )
    fig = _layout(fig, height=340, y_title=t("peers.axis_rate"))
    fig.update_xaxes(tickvals=list(years), ticktext=[str(y) for y in years])
    fig.update_yaxes(tickformat=",d")
    return fig


def projector(fig: go.Figure) -> go.Figure:
    """For the back of the room: large type, thick lines, no minor gridlines, black text."""
    # Every text at least 28 px, as on the rest of the projector's page (presentation.py).
    fig.update_layout(
        font={"family": FONT, "size": 28, "color": "#000000"},
        legend={"font": {"size": 28}, "yanchor": "bottom", "y": 1.02},
        margin={"l": 20, "r": 20, "t": 60, "b": 20},
        height=560,
    )
    fig.update_traces(line={"width": 6}, marker={"size": 14}, selector={"type": "scatter"})
    fig.update_xaxes(showgrid=False, tickfont={"size": 28, "color": "#000000"})
    fig.update_yaxes(
        gridcolor="#D0D0D0",
        nticks=5,
        tickfont={"size": 28, "color": "#000000"},
        title_font={"size": 28, "color": "#000000"},
    )
    return fig
