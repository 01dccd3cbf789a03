"""Charts and the interactive explorer of notebook 03 (the sustainability formula)."""

from __future__ import annotations

from kimi_research.analysis.sustainability import (
    paying_users_needed,
    ratio_to_threshold_firm,
    required_revenue_cost_ratio,
    resolve_target,
    sustainable_growth_rate,
)
from kimi_research.presentation.plotting import millions_axis


def fmt_millions(ax, axis: str = "y") -> None:
    """Tick labels in millions ('300m') on a CNY or count axis."""
    millions_axis(ax, axis=axis, suffix="m")


def explorer_html(revenue: float, cost: float, share: float, alarm: float, price: float, mau: float) -> str:
    """The explorer's read-out for one set of inputs (CNY a month; shares as fractions)."""
    r = sustainable_growth_rate(revenue, cost, share)
    need = required_revenue_cost_ratio(resolve_target("threshold_firm", alarm), share)
    users = paying_users_needed(cost, price)
    return (f"<b>rate {r:.4f}</b> &middot; revenue/cost {revenue / cost:.3f} &middot; "
            f"{ratio_to_threshold_firm(share, alarm):.1%} of a firm at the alarm line (same revenue/cost) &middot; "
            f"revenue/cost needed to match a break-even firm at the alarm line: {need:.2f} &middot; "
            f"paying users to break even: {users / 1e6:.2f} million ({users / mau:.1%} of MAU)")


def build_explorer(revenue: float, cost: float, share: float, alarm: float, price: float, mau: float):
    """Sliders and a read-out that recomputes the rule on every change (ipywidgets).

    Uses an HTML widget updated by ``observe`` callbacks, not ``ipywidgets.interactive``: the
    latter writes through an Output widget, which can hang papermill/nbclient when no
    frontend is attached (nbclient issue #312, papermill issue #723). Returns the container.
    """
    import ipywidgets as w

    style = {"description_width": "150px"}
    layout = w.Layout(width="560px")
    sliders = {
        "revenue": w.FloatLogSlider(value=min(max(revenue, 1e4), 1e10), base=10, min=4, max=10, step=0.05,
                                    description="revenue (CNY/month)", style=style, layout=layout),
        "cost": w.FloatLogSlider(value=min(max(cost, 1e6), 1e10), base=10, min=6, max=10, step=0.05,
                                 description="total cost (CNY/month)", style=style, layout=layout),
        "share": w.FloatSlider(value=share, min=0, max=1, step=0.01, description="ad share", style=style, layout=layout),
        "alarm": w.FloatSlider(value=alarm, min=0, max=0.95, step=0.01, description="alarm line", style=style, layout=layout),
        "price": w.FloatSlider(value=min(max(price, 1), 500), min=1, max=500, step=1,
                               description="price (CNY/month)", style=style, layout=layout),
    }
    out = w.HTML()

    def update(_=None):
        v = {k: s.value for k, s in sliders.items()}
        out.value = explorer_html(v["revenue"], v["cost"], v["share"], v["alarm"], v["price"], mau)

    for s in sliders.values():
        s.observe(update, names="value")
    update()
    box = w.VBox([*sliders.values(), out])
    box.sliders, box.readout = sliders, out
    return box
