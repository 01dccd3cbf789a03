# %% [markdown] slideshow={"slide_type": "slide"}
# # Where Kimi stands: Doubao, DeepSeek, Yuanbao, Qwen and the rest
#
# The articles' verdict on Kimi is blunt: *whatever Kimi has, the others have too, and it is not
# the best*. This notebook puts that to the data, side by side: users (the ranking at a date and
# earlier snapshots), advertising spend per month, capabilities (context window, modalities,
# open weights, model launches, data ecosystem, own cloud), and big-tech backing.

# %% slideshow={"slide_type": "skip"}
import textwrap

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from IPython.display import Markdown, display
from matplotlib.patches import Patch
from matplotlib.ticker import FuncFormatter

import kimi_research as kr
from kimi_research.analysis import competitors
from kimi_research.data.units import DAYS_PER_MONTH, format_en
from kimi_research.presentation import plotting

# %% slideshow={"slide_type": "skip"} tags=["parameters"]
entities = "all"  # apps to compare by id or name, e.g. ["kimi", "Doubao", "腾讯元宝"], or "all" for every app with data; Kimi is always included
metric = "wau"  # user metric to rank by: "wau", "dau" or "mau"
as_of = "latest"  # "latest" (most recent period with data for the metric), an ISO date "2025-12-10" or a month "2025-12" with data for the metric
chars_per_token = 1.67  # ASSUMPTION: Chinese characters per token (DeepSeek API docs: ~0.6 token per character), to compare 万字 with tokens, in [0.1, 10]
evidence = "articles"  # which evidence to use: "articles" (the five articles) or "all" (also the public-report supplement)

# %% slideshow={"slide_type": "skip"}
ds = kr.load()
APPS = competitors.apps_with_data(ds)
P = kr.validate_parameters("04_competitor_comparison", globals(), ds)
SEL = competitors.selection(P.entities, APPS)
AS_OF = competitors.resolve_as_of(ds, P.metric, P.as_of, SEL)  # ParameterError listing the periods with data
NB = "04_competitor_comparison"
plotting.theme()

# %% slideshow={"slide_type": "skip"}
METRIC_NAME = ds.metrics.at[P.metric, "name"]
RANK_METRIC = competitors.rank_metric(ds, P.metric)
rk = competitors.ranking(ds, P.metric, AS_OF, SEL)
table, full = rk["table"], rk["full"]
VENDOR = ds.name(rk["vendor"]) if rk["vendor"] else "no measurement firm named"
ratios = competitors.ratios_to_kimi(table)
derived = competitors.derived_values(ds, P.metric, AS_OF, SEL)
KIMI_IN = "kimi" in table.index
kimi_rank = table.at["kimi", "rank"] if KIMI_IN else None
kimi_rank_text = table.at["kimi", "rank_text"] if KIMI_IN else "not in the list"
kimi_value = table.at["kimi", "value"] if KIMI_IN else np.nan
history = competitors.kimi_rank_history(ds)
change = (competitors.rank_change(history, RANK_METRIC, rk["vendor"], kimi_rank, AS_OF["end"])
          if RANK_METRIC else None)
year_before = competitors.year_before(history, AS_OF["end"])
snaps = competitors.multi_app_snapshots(ds, exclude=(P.metric, AS_OF["start"], AS_OF["end"]), entities=SEL)
spend = competitors.spend_table(ds, SEL)
byq = competitors.spend_by_quarter(spend)
QUARTER = competitors.comparison_quarter(byq, SEL)
KIMI_CAMP = competitors.camp_of(ds, "kimi")
camp_list = competitors.camps(ds, list(full.index[full.index.isin(SEL)]) + [e for e in SEL if e not in full.index],
                              include_others=P.entities == "all")
facts = competitors.capability_facts(ds, camp_list, P.chars_per_token)
matrix = competitors.capability_matrix(ds, facts, camp_list)
status = competitors.capability_status(facts, camp_list)
cw = competitors.context_windows(ds, P.chars_per_token)
cw = cw[cw["camp"].isin(camp_list) | (cw["entity"] == "industry")]
windows = competitors.window_comparison(cw)
overtaken = competitors.overtaken(cw, KIMI_CAMP)
breakeven = competitors.break_even_chars_per_token(cw, KIMI_CAMP)
BACKING = ds.entities["backing"].to_dict()
users_b = competitors.users_by_backing(table)
spend_b = competitors.spend_by_backing(byq, QUARTER, BACKING) if QUARTER else None
vt = competitors.verdict_rows(ds, table, P.metric, change, facts, status, byq, QUARTER, KIMI_CAMP)
V = competitors.verdict(vt, status, KIMI_CAMP)
lead = competitors.launch_lead(ds)

# %% slideshow={"slide_type": "slide"}
wan, yuan = competitors.wan, competitors.yuan
valued = table[table["value"].notna()]
rivals = valued[valued.index != "kimi"].sort_values("value", ascending=False)
if KIMI_IN and not np.isnan(kimi_value):
    ratio_line = ", ".join(f"{r['name']} {r['ratio_to_kimi']:.1f}×" for _, r in rivals.iterrows())
    rank_line = (f"Kimi is **{competitors.ordinal(kimi_rank) if kimi_rank else kimi_rank_text}** with "
                 f"**{wan(kimi_value)}**; the rivals have, relative to Kimi: {ratio_line}.")
elif KIMI_IN:
    rank_line = f"Kimi is ranked **{kimi_rank_text}**, with no value published."
else:
    rank_line = "Kimi is not in this list."
if len(rivals) >= 2:
    top2 = valued.sort_values("value", ascending=False)
    rank_line += (f" {top2.iloc[0]['name']} ({wan(top2.iloc[0]['value'])}) has {top2.iloc[0]['value'] / top2.iloc[1]['value']:.2f}× "
                  f"{top2.iloc[1]['name']} ({wan(top2.iloc[1]['value'])}).")
rank_line += "".join(f" {r['name']} ≈ {wan(r['value'], 0)} is derived ({r['formula']}, {r['inputs']}), not measured."
                     for _, r in derived.iterrows())
noval = table[table["value"].isna()]
noval_line = ("" if noval.empty else " " + ", ".join(f"{r['name']} ({r['rank_text']})" for _, r in noval.iterrows())
              + " are ranked but no value is published: they are shown without bars.")
chg_line = (f"A year earlier ({change['before_period']}) Kimi was **{competitors.ordinal(change['before_rank']) if change['exact'] else change['before_text']}** in the same list: "
            f"it lost **{change['places_lost']} places**." if change else
            "No rank a year earlier in the same list.")
yb_other = year_before[year_before["metric"] != RANK_METRIC] if RANK_METRIC else year_before
yb_line = "; ".join(f"{r['metric'].replace('_rank', '').upper()} rank {r['rank_text']} ({r['vendor_name']}, {r['period']})"
                    for _, r in yb_other.iterrows())
snap_lines = []
for _, s in snaps.iterrows():
    a = competitors.resolve_as_of(ds, s["metric"], s["period_end"].date().isoformat(), SEL)
    t = competitors.ranking(ds, s["metric"], a, SEL)["table"]
    vals = ", ".join(f"{r['name']} {wan(r['value'])}" for _, r in t[t["value"].notna()].iterrows())
    d = competitors.derived_values(ds, s["metric"], a, SEL)
    dl = "".join(f"; {r['name']} ≈ {wan(r['value'], 0)} (derived: {r['formula']})" for _, r in d.iterrows())
    snap_lines.append(f"{s['metric'].upper()} {s['period']}: {vals}{dl}")
if QUARTER:
    q = byq[byq["quarter"] == QUARTER].set_index("entity")
    others_q = q.drop(index="kimi", errors="ignore")["per_month"].sum()
    spend_line = (f"In {QUARTER} Kimi spent **{yuan(q.at['kimi', 'per_month'])} a month** on advertising (AppGrowing), "
                  f"{q.at['kimi', 'per_month'] / others_q:.1f}× what {' and '.join(ds.name(e) for e in q.index if e != 'kimi')} "
                  f"spent together ({yuan(others_q)} a month)." if "kimi" in q.index and others_q > 0 else
                  f"In {QUARTER}: " + ", ".join(f"{ds.name(e)} {yuan(v)}/month" for e, v in q["per_month"].items()))
else:
    spend_line = "No quarter with spending figures for the selected apps."
kw = windows.loc[KIMI_CAMP] if KIMI_CAMP in windows.index else None
win_line = ("" if kw is None else
            f"Kimi's largest context window, {kw['value_text']}, is about {wan(kw['tokens_equiv'])} tokens at "
            f"{P.chars_per_token} characters per token (assumption); largest overall: "
            f"{competitors.camp_name(ds, windows.index[0])} {windows.iloc[0]['value_text']}.")
holds = "holds" if V["holds"] else "does not hold"
cap_line = (f"capabilities Kimi shares with at least one rival: {', '.join(V['shared_with_rivals']) or 'none'}"
            + (f"; Kimi's alone: {', '.join(V['unique_to_kimi'])}" if V["unique_to_kimi"] else "")
            + (f"; not stated for any selected rival: {', '.join(V['not_stated_for_rivals'])}" if V["not_stated_for_rivals"] else "")
            + ".")
display(Markdown(f"""
## What this notebook finds

* **Ranking** ({VENDOR}, {METRIC_NAME.lower()}, {table['period'].iloc[0]}): {rank_line}{noval_line}
* **A year before**: {chg_line} {('Also: ' + yb_line + '.') if yb_line else ''}
* **Other snapshots**: {'; '.join(snap_lines) if snap_lines else 'none for the selected apps'}.
* **Advertising**: {spend_line}
* **Capabilities**: {cap_line} Rivals have what Kimi lacks: {', '.join(V['rivals_have_kimi_lacks']) or 'nothing'}. {win_line}
* **Verdict**: "whatever Kimi has, the others have too, and it is not the best" **{holds}**:
  Kimi leads on {len(V['leads_now'])} of {int(vt['current'].sum())} current comparisons, is level on
  {len(V['par_now'])}, trails on {len(V['trails_now'])}; it led before on {', '.join(V['leads_before']) or 'nothing'}.
"""))

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 1. The ranking at the chosen date
#
# One vendor's list at one date. Values and ranks come from different sentences of the same
# article: the leaders are given as values and "the top three", some apps only as a rank. The
# table merges them; ranks that follow from the values are marked *derived* (explained below).

# %% slideshow={"slide_type": "subslide"}
show = table.assign(value=[wan(v) if not np.isnan(v) else "— (none published)" for v in table["value"]],
                    ratio=[f"{x:.1f}×" if not np.isnan(x) else "" for x in table["ratio_to_kimi"]])
display(show[["name", "backing", "value", "rank_text", "basis", "ratio", "value_obs", "rank_obs"]]
        .rename(columns={"rank_text": "rank", "ratio": "÷ Kimi", "value_obs": "value row", "rank_obs": "rank rows"})
        .style.hide(axis="index"))
if len(rk["other_lists"]):
    o = rk["other_lists"]
    display(Markdown("Other vendors' rows in the same period (not ranked together with this list): " +
                     "; ".join(f"{ds.name(r['entity'])} {r['metric']} {r['value_text']} ({ds.name(r['vendor'])}, {r['obs_id']})"
                               for _, r in o.iterrows())))

# %% slideshow={"slide_type": "subslide"}
why = competitors.explain_ranks(full, rk["rank_rows"])
display(Markdown("**Where each rank comes from** (an app's rank is the only integer consistent with the stated "
                 "ranks and bounds, the order of the values, and the ranks other apps hold; otherwise the "
                 "bound is kept):\n\n" + "\n".join(f"* {why[e]}" for e in full.index if e in table.index)))


# %% [markdown] slideshow={"slide_type": "subslide"}
# The chart shows the values as bars and the ratio to Kimi beside each; apps with a rank but no
# published value get a row with their rank and the range their neighbours imply, but no bar.

# %% slideshow={"slide_type": "subslide"}
def millions(prefix=""):
    return FuncFormatter(lambda v, _: f"{prefix}{v / 1e6:,.0f}m" if v >= 1e6 or v == 0 else f"{prefix}{v / 1e6:,.1f}m")


fig, ax = plt.subplots(figsize=(10, 0.55 * (len(table) + len(derived)) + 2.2))
xmax = np.nanmax(list(table["value"]) + list(derived["value"])) if table["value"].notna().any() else 1
ylabels = []
for i, (e, r) in enumerate(table.iterrows()):
    color = plotting.ENTITY_COLORS.get(e, "#888888")
    if not np.isnan(r["value"]):
        ax.barh(i, r["value"], color=color, height=0.62)
        extra = f"   {r['ratio_to_kimi']:.1f}× Kimi" if e != "kimi" and not np.isnan(r["ratio_to_kimi"]) else ""
        ax.text(r["value"] + xmax * 0.01, i, f"{format_en(r['value'], 'count')}{extra}", va="center", fontsize=11)
    else:
        rng = (f" (between {format_en(r['value_low_by_rank'], 'count')} and {format_en(r['value_high_by_rank'], 'count')}"
               " by its rank)" if not np.isnan(r["value_low_by_rank"]) and not np.isnan(r["value_high_by_rank"]) else "")
        ax.text(xmax * 0.01, i, f"ranked {r['rank_text']}, no value published{rng}", va="center", fontsize=10.5,
                style="italic", color="#555555")
    exact = r["rank"] is not None and not pd.isna(r["rank"])
    ylabels.append((f"#{r['rank_text']}  " if exact else "") + plotting.label(ds, e)
                   + (" (derived rank)" if exact and r["basis"].startswith("derived") else
                      f" (rank {r['rank_text']})" if not exact and r["rank_text"] != "not stated" else ""))
for k, (_, d) in enumerate(derived.iterrows()):
    i = len(table) + k
    color = plotting.ENTITY_COLORS.get(d["entity"], "#888888")
    ax.barh(i, d["value"], height=0.62, facecolor="white", edgecolor=color, hatch="//", lw=1.5)
    ax.text(d["value"] + xmax * 0.01, i, f"{format_en(d['value'], 'count')}  derived: {d['inputs'].replace(', ', ' ÷ ')}",
            va="center", fontsize=10.5)
    ylabels.append(f"{plotting.label(ds, d['entity'])} (derived, not ranked)")
ax.set_yticks(range(len(ylabels)), ylabels)
ax.invert_yaxis()
ax.set_xlim(0, xmax * (1.9 if len(derived) else 1.45))
ax.xaxis.set_major_formatter(millions())
ax.set_xlabel(f"{METRIC_NAME.lower()} (users, millions)")
ax.set_ylabel("rank and app")
ttl = f"{P.metric.upper()} ranking, {table['period'].iloc[0]} ({VENDOR}): Kimi " + (
    competitors.ordinal(kimi_rank) if kimi_rank else kimi_rank_text)
ax.set_title(ttl if len(ttl) < 75 else ttl.replace(" (", "\n(", 1))
plotting.footnote(fig, plotting.source_text(ds, rk["source_rows"]),
                  caption="Figure 1. Bars = published values; rows without a bar have a rank only; hatched = derived from a share. "
                  "Ratios are each app's value ÷ Kimi's.")
plotting.save(fig, NB, "ranking")
plt.show()

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 2. Earlier snapshots: other comparisons the articles make
#
# Every other period in which the articles give the same user metric for two or more apps.
# A figure implied by a share (DeepSeek's DAU stated as a share of ChatGPT's) is computed and
# drawn hatched, labelled *derived*: no article states it.

# %% slideshow={"slide_type": "subslide"}
if snaps.empty:
    display(Markdown("No other period compares two or more of the selected apps."))
else:
    n = len(snaps)
    fig, axes = plt.subplots(1, n, figsize=(min(5 * n + 1, 12), 5), squeeze=False)
    src_rows, snap_results = [], []
    for ax, (_, s) in zip(axes[0], snaps.iterrows(), strict=False):
        a = competitors.resolve_as_of(ds, s["metric"], s["period_end"].date().isoformat(), SEL)
        r = competitors.ranking(ds, s["metric"], a, SEL)
        t = r["table"][r["table"]["value"].notna()]
        d = competitors.derived_values(ds, s["metric"], a, SEL)
        src_rows.append(r["source_rows"])
        names = [plotting.label(ds, e) for e in t.index] + [f"{n_} (derived)" for n_ in d["name"]]
        vals = list(t["value"]) + list(d["value"])
        colors = [plotting.ENTITY_COLORS.get(e, "#888888") for e in t.index] + \
                 [plotting.ENTITY_COLORS.get(e, "#888888") for e in d["entity"]]
        bars = ax.bar(names, vals, color=colors)
        for b, e in zip(bars[len(t):], d["entity"], strict=True):
            b.set_hatch("//")
            b.set_facecolor("white")
            b.set_edgecolor(plotting.ENTITY_COLORS.get(e, "#888888"))
            b.set_linewidth(1.5)
        for i, v in enumerate(vals):
            ax.text(i, v, format_en(v, "count"), ha="center", va="bottom", fontsize=11)
        for i, (_, dr) in enumerate(d.iterrows()):
            ax.text(len(t) + i, dr["value"] / 2, "derived:\n" + dr["inputs"].replace(", ", " ÷\n"),
                    ha="center", va="center", fontsize=9, bbox=dict(boxstyle="round,pad=0.2", fc="white", ec="none"))
        ax.yaxis.set_major_formatter(millions())
        ax.set_ylim(0, max(vals) * 1.15)
        ax.set_title(f"{s['metric'].upper()}, {s['period']} ({ds.name(r['vendor']) if r['vendor'] else 'no firm named'})",
                     fontsize=12.5)
        ax.set_ylabel(f"{ds.metrics.at[s['metric'], 'name'].lower()} (users, millions)")
        ax.set_xlabel("app")
        snap_results.append({"metric": s["metric"], "period": s["period"], "vendor": r["vendor"],
                             "values": {e: v for e, v in t["value"].items()},
                             "derived": [{"entity": x["entity"], "value": x["value"], "formula": x["formula"],
                                          "inputs": x["inputs"]} for _, x in d.iterrows()]})
        if len(d):
            src_rows.append(ds.observations.loc[[i.strip() for x in d["inputs"] for i in x.split(",")]])
    fig.suptitle("Earlier snapshots: the apps the articles compare", fontsize=15, fontweight="bold", x=0.01, ha="left")
    plotting.footnote(fig, plotting.source_text(ds, pd.concat(src_rows)),
                      caption="Figure 2. Hatched bars are derived from a share, not measured: value ÷ share.")
    plotting.save(fig, NB, "snapshots")
    plt.show()

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Kimi's rank a year before, and since
#
# Each vendor's list is its own line (QuestMobile's weekly list, QuestMobile's monthly list,
# AI产品榜's lists); a line is never drawn across vendors or scopes. "Top three" is drawn as an
# open triangle at 3: Kimi was there or higher.

# %% slideshow={"slide_type": "subslide"}
h = history.copy()
h["key"] = h["vendor_name"] + " " + h["metric"].str.replace("_rank", "").str.upper() + " (" + \
    h["scope"].fillna("").str.replace("-", " ").map(lambda s: " ".join(sorted(s.lower().split()))) + ")"
fig, ax = plt.subplots(figsize=(10, 5.2))
palette = plt.get_cmap("tab10")
for i, (_, g) in enumerate(h.groupby("key", sort=False)):
    g = g.sort_values("period_mid")
    lab = f"{g['vendor_name'].iloc[0]} {g['metric'].iloc[0].replace('_rank', '').upper()}: {g['scope'].iloc[0]}"
    ax.plot(g["period_mid"], g["value"], "-", color=palette(i), lw=1.6, label=lab)
    for _, r in g.iterrows():
        bound = r["qualifier"] == "<="
        ax.plot(r["period_mid"], r["value"], "^" if bound else "o", ms=10, color=palette(i),
                mfc="white" if bound else palette(i), mew=2)
        ax.annotate(("top " if bound else "#") + f"{int(r['value'])}", (r["period_mid"], r["value"]),
                    xytext=(9, -12 if bound else 0), textcoords="offset points", fontsize=10.5, va="center")
ax.set_ylim(h["value"].max() + 1.5, 0.3)
ax.yaxis.set_major_locator(plt.MaxNLocator(integer=True))
ax.set_ylabel("Kimi's rank (1 = top)")
ax.set_xlabel("period (midpoint)")
best_r, last_r = h.loc[h["value"].idxmin()], h.iloc[-1]
ax.set_title(f"Kimi's rank, each vendor's list apart: best {best_r['rank_text']} ({best_r['period']}), "
             f"latest {last_r['rank_text']} ({last_r['period']})", fontsize=13.5)
ax.legend(loc="lower left", fontsize=9)
plotting.annotate_events(ax, ds.events[ds.events["kind"] == "model_launch"], max_labels=5, fontsize=8)
plotting.footnote(fig, plotting.source_text(ds, h), caption="Figure 3. Lists differ in scope (domestic vs global, AI-native apps); only rows of one list are joined.")
plotting.save(fig, NB, "kimi_rank_history")
plt.show()
display(h[["period", "list", "rank_text", "obs_id", "source_id"]].style.hide(axis="index"))

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 3. Advertising, side by side, per month
#
# AppGrowing's figures as quoted: Kimi's are monthly, Doubao's and Yuanbao's quarterly. A
# quarter is divided by its three months to put it beside a month. Flags travel with the numbers.

# %% slideshow={"slide_type": "fragment"}
flagged = spend[(spend["flag_text"] != "") & (spend["repeat_of"] == "")]
seen_notes, lines = set(), []
for _, r in flagged.iterrows():
    note = r["note"] if isinstance(r["note"], str) and r["note"] not in seen_notes else ""
    seen_notes.add(r["note"])
    lines.append(f"* **{r['name']} {r['value_text']}** ({r['period']}, {r['vendor_name']}, {r['obs_id']}; "
                 f"{yuan(r['per_month'])} a month): {r['flag_text']}" + (f". {note}" if note else " (note as above)"))
display(Markdown("**Flagged rows** (data/observations.csv, with their notes):\n\n" + "\n".join(lines)))

# %% slideshow={"slide_type": "subslide"}
sp = spend.assign(per_month_text=[yuan(v) for v in spend["per_month"]])
display(sp[["name", "metric", "period", "value_text", "per_month_text", "vendor_name", "flag_text", "all_sources", "repeat_of"]]
        .rename(columns={"per_month_text": "per month", "vendor_name": "vendor", "flag_text": "flags",
                         "all_sources": "articles", "repeat_of": "same fact as"}).style.hide(axis="index"))

# %% [markdown] slideshow={"slide_type": "subslide"}
# Each figure is drawn over the period it covers, at its monthly rate (log scale: the values span
# two orders of magnitude). Dashed = lower bound; red outline = flagged suspicious; dotted
# lines across = undated statements.

# %% slideshow={"slide_type": "subslide"}
prim = spend[(spend["repeat_of"] == "") & spend["dated"] & spend["metric"].isin(["ad_spend", "ad_spend_monthly"])]
undated = spend[(spend["repeat_of"] == "") & ~spend["dated"] & spend["metric"].isin(["ad_spend", "ad_spend_monthly"])]
fig, ax = plt.subplots(figsize=(10.5, 5.6))
for _, r in prim.iterrows():
    x0, x1 = r["period_start"], r["period_end"] + pd.Timedelta(days=1)
    color = plotting.ENTITY_COLORS.get(r["entity"], "#888888")
    susp = "suspicious" in r["flag_list"]
    ax.plot([x0, x1], [r["per_month"]] * 2, color=color, lw=4 if not r["lower_bound"] else 2.5,
            ls="--" if r["lower_bound"] else "-", solid_capstyle="butt",
            path_effects=None)
    if susp:
        ax.plot([x0, x1], [r["per_month"]] * 2, color="#d62728", lw=8, alpha=0.35, solid_capstyle="butt")
    if r["lower_bound"]:
        ax.annotate("", (x0 + (x1 - x0) / 2, r["per_month"] * 1.6), (x0 + (x1 - x0) / 2, r["per_month"]),
                    arrowprops=dict(arrowstyle="->", color=color))
    tag = " (suspicious)" if susp else " (≥)" if r["lower_bound"] else ""
    same = prim[(prim["period_start"] == r["period_start"]) & (prim["period_end"] == r["period_end"])]
    below = (same["per_month"] > r["per_month"]).any()
    ax.annotate(format_en(r["per_month"], "CNY") + tag, (x0 + (x1 - x0) / 2, r["per_month"]), xytext=(0, -14 if below else 6),
                textcoords="offset points", ha="center", fontsize=8.5, color=color)
for k, (_, r) in enumerate(undated.sort_values("per_month", ascending=False).iterrows()):
    color = plotting.ENTITY_COLORS.get(r["entity"], "#888888")
    ax.axhline(r["per_month"], color=color, ls=":", lw=1.5)
    what = "budget" if r["metric"] == "ad_spend_monthly" else f"{int(r['duration_days'])}-day figure"
    ax.text(prim["period_end"].max() + pd.Timedelta(days=1), r["per_month"],
            f"{plotting.label(ds, r['entity'])} {what}, undated: {format_en(r['per_month'], 'CNY')}/mo"
            + (" (conflicts with AppGrowing)" if "conflict" in r["flag_list"] else ""), fontsize=8.5, color=color,
            va="bottom" if k % 2 == 0 else "top", ha="right")
ax.set_ylim(prim["per_month"].min() / 2, max(prim["per_month"].max(), undated["per_month"].max() if len(undated) else 0) * 12)
ax.set_yscale("log")
ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"CNY {v / 1e6:,.0f}m" if v >= 1e6 else f"CNY {v / 1e6:.1f}m"))
ax.set_ylabel("advertising spend per month (CNY, log scale)")
ax.set_xlabel("period covered by the figure")
ax.set_title("Advertising per month: Kimi's monthly peak against rivals' quarters")
ax.legend(handles=[Patch(color=plotting.ENTITY_COLORS.get(e, "#888888"), label=plotting.label(ds, e))
                   for e in prim["entity"].unique()] +
          [plt.Line2D([], [], color="#444444", ls="--", label="lower bound (≥)"),
           plt.Line2D([], [], color="#d62728", lw=8, alpha=0.35, label="flagged suspicious")],
          loc="lower right", fontsize=9, ncol=2)
plotting.annotate_events(ax, ds.events[ds.events["kind"].isin(["ad_campaign", "funding", "legal"])], max_labels=5, fontsize=8.5)
plotting.footnote(fig, plotting.source_text(ds, pd.concat([prim, undated])),
                  caption=f"Figure 4. Quarterly totals ÷ 3; figures for a stated number of days ÷ (days / {DAYS_PER_MONTH:.2f}). "
                  "Conflict groups shown: "
                  + ", ".join(sorted(set(pd.concat([prim, undated])["conflict_group"].dropna()))) + " (see the table above).")
plotting.save(fig, NB, "ad_spend")
plt.show()

# %% slideshow={"slide_type": "subslide"}
if QUARTER:
    q = byq.pivot_table(index="quarter", columns="entity", values="per_month", aggfunc="sum")
    q.columns = [ds.name(c) for c in q.columns]
    display(Markdown(f"**Per month, by quarter** (point figures only; Kimi's quarter is the mean of the months "
                     f"given). The comparison quarter is **{QUARTER}**, the latest with figures for the most apps:"))
    display(q.map(lambda v: "" if pd.isna(v) else yuan(v)))

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 4. Capabilities: the matrix
#
# One row per company (the app's owner: Ant Afu belongs with Alibaba), one column per capability
# the articles discuss. Each cell quotes the data and ends with the article ids in brackets;
# the record ids are in the table after it. "—" means the articles say nothing, which is not the
# same as "does not have". † = characters converted to tokens with `chars_per_token` (an
# assumption).

# %% slideshow={"slide_type": "subslide"}
display(matrix.style.set_properties(**{"white-space": "pre-wrap", "font-size": "0.85em", "text-align": "left"}))

# %% slideshow={"slide_type": "subslide"}
short = competitors.capability_short(ds, facts, camp_list)
srcs = competitors.capability_sources(facts, camp_list)
codes = status.apply(lambda col: col.map({"has": 2, "lacks": 0, "not stated": 1}))
colors = {2: "#c7e9c0", 1: "#f2f2f2", 0: "#fcbba1"}
fig, ax = plt.subplots(figsize=(12.5, 0.95 * len(camp_list) + 1.6))
for i, c in enumerate(camp_list):
    for j, d in enumerate(competitors.CAP_DIMENSIONS):
        ax.add_patch(plt.Rectangle((j, i), 1, 1, facecolor=colors[codes.loc[c, d]], edgecolor="white", lw=2))
        txt = "\n".join(textwrap.fill(part, 20) for part in short.loc[c, d].split("\n"))
        ax.text(j + 0.5, i + 0.45, txt, ha="center", va="center", fontsize=7.5 if txt.count("\n") > 2 else 8.5)
        if srcs.loc[c, d]:
            ax.text(j + 0.97, i + 0.95, srcs.loc[c, d], ha="right", va="bottom", fontsize=6.5, color="#666666")
ax.set_xlim(0, len(competitors.CAP_DIMENSIONS))
ax.set_ylim(len(camp_list), 0)
apps_of = {c: ", ".join(plotting.label(ds, a) for a in SEL if competitors.camp_of(ds, a) == c) for c in camp_list}
ax.set_yticks(np.arange(len(camp_list)) + 0.5,
              [competitors.camp_name(ds, c) + (f"\n({apps_of[c]})" if apps_of[c] else "") for c in camp_list])
ax.set_xticks(np.arange(len(competitors.CAP_DIMENSIONS)) + 0.5, [d.replace(" ", "\n") for d in competitors.CAP_DIMENSIONS])
ax.xaxis.tick_top()
ax.tick_params(length=0)
ax.grid(False)
ax.set_xlabel("capability (as the articles describe it)")
ax.set_ylabel("company (apps)")
ax.set_title("Who has what, according to the articles", pad=38)
ax.legend(handles=[Patch(color=colors[2], label="has (article says so)"), Patch(color=colors[0], label="lacks (article says none)"),
                   Patch(color=colors[1], label="not stated")], loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=9)
plotting.footnote(fig, ds.source_label(facts["source_id"]),
                  caption=f"Figure 5. * = reasoning model; small grey ids = articles. † = characters ÷ {P.chars_per_token} characters per token (assumption).")
plotting.save(fig, NB, "capability_matrix")
plt.show()

# %% slideshow={"slide_type": "skip"}
pd.set_option("display.max_colwidth", 90)
display(facts[["camp", "dimension", "text", "record", "source_id"]].assign(camp=lambda f: f["camp"].map(lambda c: competitors.camp_name(ds, c)))
        .sort_values(["camp", "dimension"]).style.hide(axis="index"))

# %% [markdown] slideshow={"slide_type": "slide"}
# ### Context windows over time
#
# Kimi's windows are stated in 万字 (Chinese characters); Qwen's and MiniMax's in tokens. To
# put them on one axis, characters are divided by `chars_per_token` (an **assumption**, marked †
# and drawn with open markers). The industry's "a few thousand characters" (几千字) at Kimi's
# launch is drawn as a band: the range recorded for it in `data/observations.csv` (our reading).

# %% slideshow={"slide_type": "subslide"}
dated = cw[cw["period_start"].notna()].drop_duplicates(["entity", "base_value", "period_start"])
fig, ax = plt.subplots(figsize=(10.5, 5.4))
for ent, g in dated[dated["entity"] != "industry"].groupby("entity", sort=False):
    g = g.sort_values("period_start")
    # the most precise date of each value (a month beats a year)
    g = g.assign(span=(g["period_end"] - g["period_start"]).dt.days).sort_values("span").drop_duplicates("base_value").sort_values("period_start")
    camp = g["camp"].iloc[0]
    color = plotting.ENTITY_COLORS.get(ent, {"minimax": "#17becf", "alibaba": "#e31a1c"}.get(camp, "#888888"))
    conv = bool(g["converted"].iloc[0])
    ax.plot(g["period_mid"], g["tokens_equiv"], "-o", color=color, ms=10, mfc="white" if conv else color, mew=2,
            label=plotting.label(ds, ent) + (" († converted)" if conv else ""))
    for _, r in g.iterrows():
        txt = format_en(r["base_value"], r["dimension"]) + (f"\n≈ {format_en(r['tokens_equiv'], 'tokens')}†" if conv else "")
        ax.annotate(txt, (r["period_mid"], r["tokens_equiv"]), xytext=(8, -4), textcoords="offset points", fontsize=9.5, va="top")
ind = dated[dated["entity"] == "industry"]
for _, r in ind.iterrows():
    lo_, hi_ = r["tokens_equiv"], r["tokens_equiv_high"] if not np.isnan(r["tokens_equiv_high"]) else r["tokens_equiv"]
    if r["converted"]:
        ax.fill_between([r["period_start"], r["period_end"]], lo_, hi_, color="#999999", alpha=0.3, lw=0)
        ax.text(r["period_start"], hi_ * 1.3, f"industry at the time: {format_en(r['base_value'], 'characters', r['qualifier'], r['base_value_high'])}†",
                fontsize=9, color="#555555")
    else:
        ax.plot([r["period_start"], r["period_end"]], [lo_, lo_], color="#555555", lw=3, alpha=0.6)
        ax.text(r["period_start"] + (r["period_end"] - r["period_start"]) / 2, lo_ * 1.15,
                f"mainstream standard:\n{format_en(r['base_value'], 'tokens')} ({r['period']})", fontsize=9, color="#555555",
                ha="center", va="bottom")
ax.set_yscale("log")
ax.set_ylim(cw["tokens_equiv"].min() * 0.4, cw["tokens_equiv"].max() * 3)
ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: format_en(v, "tokens")))
ax.set_ylabel("context window (tokens; log scale)")
ax.set_xlabel("date stated (period midpoint)")
ax.set_title("Kimi's long-context lead: first by far, then overtaken")
ax.legend(loc="lower right", fontsize=9.5)
ax.set_xlim(dated["period_start"].min() - pd.Timedelta(days=30), dated["period_end"].max() + pd.Timedelta(days=150))
ev = ds.events[ds.events["kind"].isin(["model_launch", "product_launch"]) & ds.events["entity"].isin(set(dated["entity"]))]
plotting.annotate_events(ax, ev, end=dated["period_end"].max(), max_labels=6, fontsize=8)
plotting.footnote(fig, ds.source_label(dated["source_id"]),
                  caption=f"Figure 6. † characters ÷ {P.chars_per_token} characters per token (assumption, parameter chars_per_token).")
plotting.save(fig, NB, "context_windows")
plt.show()

# %% slideshow={"slide_type": "subslide"}
be = ", ".join(f"{competitors.camp_name(ds, c)} ({windows.at[c, 'value_text']}) if chars_per_token < {v:.2f}"
               for c, v in sorted(breakeven.items(), key=lambda kv: -kv[1]))
lead_line = (f"At launch ({lead['period']}) Kimi's {lead['kimi']} was {lead['ratio_low']:.0f}–{lead['ratio_high']:.0f}× "
             f"the industry's {lead['industry']} ({lead['kimi_obs']}, {lead['industry_obs']})"
             + (f", and article 001 ranks it {lead['capability_rank']} in the world ({lead['capability_rank_obs']})" if lead["capability_rank"] else "")
             + "." if lead else "")
over_line = ("" if not overtaken else
             f"A rival first stated a larger window {overtaken['months_later']:.0f} months after Kimi's "
             f"{overtaken['kimi_period']} figure: {competitors.camp_name(ds, overtaken['by'])} "
             f"{overtaken['value_text']} ({overtaken['period']}, {overtaken['obs_id']}).")
display(Markdown(f"""
{lead_line} With `chars_per_token` = {P.chars_per_token} (**assumption**), Kimi's largest window
({windows.at[KIMI_CAMP, 'value_text'] if KIMI_CAMP in windows.index else '—'}) is about
{wan(windows.at[KIMI_CAMP, 'tokens_equiv']) if KIMI_CAMP in windows.index else '—'} tokens†. Kimi's window is the larger one against:
{be or 'no other window'}. Each threshold is where the order flips: an assumption close to a
threshold makes that comparison uncertain, one far from it does not.
{over_line}

"""))
display(windows.assign(company=[competitors.camp_name(ds, c) for c in windows.index],
                       tokens=[f"{wan(v)}" + ("†" if c else "") for v, c in zip(windows["tokens_equiv"], windows["converted"], strict=True)])
        [["company", "entity", "value_text", "period", "tokens", "obs_id", "source_id"]].style.hide(axis="index"))

# %% [markdown] slideshow={"slide_type": "slide"}
# ### Release cadence
#
# Model launches the articles name, by company; a star marks a reasoning model (DeepSeek R1
# and Kimi k1.5 came out on the same day). These are the launches the articles mention, not a
# complete release history.

# %% slideshow={"slide_type": "subslide"}
la = facts[facts["dimension"] == "model launches"].sort_values("date")
order = [c for c in camp_list if c in set(la["camp"])]
fig, ax = plt.subplots(figsize=(10.5, 0.7 * len(order) + 2.4))
for i, c in enumerate(order):
    g = la[la["camp"] == c]
    color = {"moonshot": plotting.ENTITY_COLORS["kimi"], "bytedance": plotting.ENTITY_COLORS["doubao"],
             "deepseek_co": plotting.ENTITY_COLORS["deepseek"], "alibaba": plotting.ENTITY_COLORS["qwen"],
             "tencent": plotting.ENTITY_COLORS["yuanbao"]}.get(c, "#17becf")
    ax.plot(g["date"], [i] * len(g), color=color, lw=0.8, alpha=0.5)
    for k, (_, r) in enumerate(g.iterrows()):
        ax.plot(r["date"], i, "*" if r["reasoning"] else "o", ms=16 if r["reasoning"] else 9, color=color)
        ax.annotate(r["chart"].rsplit(" ", 1)[0], (r["date"], i), xytext=(0, 11 if k % 2 == 0 else -17),
                    textcoords="offset points", ha="center", fontsize=8.5)
ax.set_yticks(range(len(order)), [competitors.camp_name(ds, c) for c in order])
ax.set_ylim(len(order) - 0.4, -0.9)
ax.set_xlabel("launch date (month precision where the article gives only the month)")
ax.set_ylabel("company")
ax.set_title("Model launches named in the articles (★ = reasoning model)")
plotting.annotate_events(ax, ds.events[ds.events["kind"].isin(["funding", "legal"])], max_labels=4, fontsize=8)
plotting.footnote(fig, ds.source_label(la["source_id"]), caption="Figure 7. Dates read from version names (0324, 0528) are marked date_inferred in data/events.csv.")
plotting.save(fig, NB, "release_cadence")
plt.show()

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 5. Big-tech-backed vs independent
#
# `data/entities.csv` says who stands behind each app: ByteDance, Tencent, Alibaba (and Ant)
# on one side; Moonshot and DeepSeek, start-ups, on the other. Users at the chosen date and ad
# spend in the comparison quarter, summed by backing. Apps ranked without a value add an unknown
# amount, bounded by their neighbours' values.

# %% slideshow={"slide_type": "subslide"}
ub = users_b.assign(users=[wan(v) for v in users_b["users"]], share=[f"{x:.0%}" for x in users_b["share_of_valued"]],
                    unvalued=[("" if n == 0 else f"+ {a}: between {wan(lo)} and {wan(h)} in total" if not np.isnan(lo) else f"+ {a}: unknown")
                              for n, a, lo, h in zip(users_b["n_unvalued"], users_b["apps_without_value"], users_b["unvalued_low"], users_b["unvalued_high"], strict=True)])
display(ub[["apps_with_value", "users", "share", "unvalued"]].rename(columns={"apps_with_value": "apps with a value",
        "users": f"{P.metric.upper()} (sum)", "share": "share of the valued total", "unvalued": "ranked, no value"}))
if spend_b is not None:
    display(spend_b.assign(per_month=[yuan(v) for v in spend_b["per_month"]]).rename(
        columns={"per_month": f"ad spend per month, {QUARTER}"}))

# %% slideshow={"slide_type": "subslide"}
fig, axes = plt.subplots(1, 2 if spend_b is not None else 1, figsize=(11, 4.8), squeeze=False)
ax = axes[0][0]
order_b = list(users_b.index)
for i, b in enumerate(order_b):
    left = 0.0
    for e, r in table[(table["backing"] == b) & table["value"].notna()].sort_values("value", ascending=False).iterrows():
        ax.barh(i, r["value"], left=left, color=plotting.ENTITY_COLORS.get(e, "#888888"), edgecolor="white", height=0.6)
        if r["value"] > users_b["users"].max() * 0.15:
            ax.text(left + r["value"] / 2, i, plotting.label(ds, e), ha="center", va="center", fontsize=9.5, color="white")
        else:
            ax.text(left + r["value"] / 2, i + 0.32, plotting.label(ds, e), ha="center", va="bottom", fontsize=9,
                    color=plotting.ENTITY_COLORS.get(e, "#555555"), fontweight="bold")
        left += r["value"]
    ax.text(left, i, f" {format_en(left, 'count')}", va="center", fontsize=10.5)
    ub_row = users_b.loc[b]
    if ub_row["n_unvalued"]:
        ax.text(left, i - 0.2, f" + {ub_row['apps_without_value']} (ranked, no value)", va="center", fontsize=8.5,
                style="italic", color="#555555")
ax.set_yticks(range(len(order_b)), [b.replace("_", " ") for b in order_b])
ax.set_xlim(0, users_b["users"].max() * 1.45)
ax.xaxis.set_major_formatter(millions())
ax.set_xlabel(f"{METRIC_NAME.lower()} (users, millions)")
ax.set_ylabel("backing")
ax.set_title(f"Users, {table['period'].iloc[0]}", fontsize=12.5)
src = [rk["source_rows"]]
if spend_b is not None:
    ax = axes[0][1]
    qq = byq[byq["quarter"] == QUARTER].assign(backing=lambda d: d["entity"].map(BACKING))
    for i, b in enumerate(spend_b.index):
        left = 0.0
        for k, (_, r) in enumerate(qq[qq["backing"] == b].sort_values("per_month", ascending=False).iterrows()):
            ax.barh(i, r["per_month"], left=left, color=plotting.ENTITY_COLORS.get(r["entity"], "#888888"), edgecolor="white",
                    height=0.6)
            if r["per_month"] > spend_b["per_month"].max() * 0.2:
                ax.text(left + r["per_month"] / 2, i, plotting.label(ds, r["entity"]), ha="center", va="center",
                        fontsize=9, color="white")
            else:
                ax.text(left + r["per_month"] / 2, i + 0.32 + 0.14 * (k % 2), plotting.label(ds, r["entity"]), ha="center",
                        va="bottom", fontsize=9, color=plotting.ENTITY_COLORS.get(r["entity"], "#555555"), fontweight="bold")
            left += r["per_month"]
        ax.text(left, i, f" {format_en(left, 'CNY')}/mo", va="center", fontsize=10.5)
    ax.set_yticks(range(len(spend_b)), [b.replace("_", " ") for b in spend_b.index])
    ax.set_xlim(0, spend_b["per_month"].max() * 1.6)
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v / 1e6:,.0f}m"))
    ax.set_xlabel("advertising per month (CNY, millions)")
    ax.set_ylabel("backing")
    ax.set_title(f"Ad spend per month, {QUARTER}", fontsize=12.5)
    src.append(spend[spend["obs_id"].isin([i.strip() for o in qq["obs"] for i in o.split(",")])])
ttl = "Big-tech-backed vs independent apps"
if spend_b is not None and {"big_tech", "independent"} <= set(spend_b.index) and {"big_tech", "independent"} <= set(users_b.index):
    ttl += (f": independents spent {spend_b.at['independent', 'per_month'] / spend_b.at['big_tech', 'per_month']:.1f}× as much "
            f"({QUARTER}), have {users_b.at['independent', 'users'] / users_b.at['big_tech', 'users']:.2f}× the users")
fig.suptitle(ttl, fontsize=13, fontweight="bold", x=0.01, ha="left")
plotting.footnote(fig, plotting.source_text(ds, pd.concat(src)), caption="Figure 8. Backing from data/entities.csv.")
plotting.save(fig, NB, "backing")
plt.show()

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 6. Where Kimi leads, where it trails, and the verdict
#
# Each comparison from the sections above, with Kimi's figure and the best rival's. *Current*
# comparisons describe Kimi today and decide the verdict; the others are history.

# %% slideshow={"slide_type": "subslide"}
display(vt.assign(**{"Kimi ÷ best": [f"{x:.2f}" if not np.isnan(x) else "" for x in vt["kimi_over_best"]],
                     "when": np.where(vt["current"], "now", "before")})
        [["dimension", "kimi", "best rival", "Kimi ÷ best", "status", "when"]].style.hide(axis="index"))

# %% slideshow={"slide_type": "subslide"}
num = vt[vt["kimi_over_best"].notna()].iloc[::-1]
scol = {"leads": "#2ca02c", "par": "#7f7f7f", "trails": "#d62728", "lacks": "#8c1d1d"}
fig, ax = plt.subplots(figsize=(11, 0.6 * len(num) + 2))
ax.barh(range(len(num)), num["kimi_over_best"], color=[scol[s] for s in num["status"]],
        hatch=None)
for bar, c in zip(ax.patches, num["current"], strict=True):
    if not c:
        bar.set_hatch("//")
        bar.set_alpha(0.6)
for i, (_, r) in enumerate(num.iterrows()):
    ax.text(r["kimi_over_best"], i, f" {r['kimi_over_best']:.3g}×" + ("" if r["current"] else " (before)"), va="center", fontsize=10)
ax.axvline(1, color="#333333", lw=1)
ax.set_xscale("log")
ax.set_xlim(min(num["kimi_over_best"].min() / 2, 0.5), max(num["kimi_over_best"].max() * 4, 2))
ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}×"))
ax.set_yticks(range(len(num)), [textwrap.shorten(d, 48) for d in num["dimension"]])
ax.set_xlabel("Kimi ÷ best rival (log scale; > 1 = Kimi ahead)")
ax.set_ylabel("comparison")
ax.set_title("Kimi against the best rival on each measurable comparison")
ax.legend(handles=[Patch(color=scol[s], label=s) for s in ["leads", "trails"]]
          + [Patch(facecolor="white", edgecolor="#555555", hatch="//", label="before (history)")],
          loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=9)
plotting.footnote(fig, "the sections above (data/observations.csv, capabilities.csv, events.csv)",
                  caption=f"Figure 9. Context windows use chars_per_token = {P.chars_per_token} (assumption).")
plotting.save(fig, NB, "verdict")
plt.show()

# %% slideshow={"slide_type": "subslide"}
cur = vt[vt["current"]]
spend_rows = vt[vt["dimension"].str.startswith("ad spend")]
spend_sentence = ("" if spend_rows.empty else
                  f"Where Kimi did lead, in advertising ({spend_rows.iloc[0]['dimension']}: {spend_rows.iloc[0]['kimi']}, "
                  f"{spend_rows.iloc[0]['kimi_over_best']:.1f}× the biggest rival spender), the money did not hold its rank"
                  + (f": {change['text']} in {VENDOR}'s {change['metric'].replace('_rank', '').upper()} list." if change else "."))
ctx_sentence = ("" if not lead else
                f"The early lead in context length was real ({lead['ratio_low']:.0f}–{lead['ratio_high']:.0f}× the industry in {lead['period']})"
                + (f", and a rival stated a larger window {overtaken['months_later']:.0f} months after Kimi's largest "
                   f"({competitors.camp_name(ds, overtaken['by'])}, {overtaken['period']})." if overtaken else "."))
def _list(xs):
    return ", ".join(xs) if xs else "nothing"
lines = [
    f"**Kimi leads now on:** {_list(V['leads_now'])}.",
    f"**Level with the best rival on:** {_list(V['par_now'])}.",
    f"**Trails or lacks on:** {_list(V['trails_now'])}.",
    f"**It led before on:** {_list(V['leads_before'])}.",
]
part1 = ("every capability Kimi has that the articles also discuss for a rival is held by at least one rival ("
         + _list(V["shared_with_rivals"]) + ")" if V["others_have_what_kimi_has"] else "Kimi alone has: " + _list(V["unique_to_kimi"]))
if V["not_stated_for_rivals"]:
    part1 += f"; for {_list(V['not_stated_for_rivals'])} the articles say nothing about the selected rivals"
part2 = ("Kimi is ahead of every rival on none of the current comparisons" if V["kimi_best_nowhere"]
         else "Kimi is ahead on: " + _list(V["leads_now"]))
display(Markdown("\n\n".join(lines) + f"""

**Verdict: the articles' "whatever Kimi has, the others have too, and it is not the best" {holds}.**
Part one: {part1}. Part two: {part2}. If anything the articles are generous: Kimi does not even
have everything the others have ({_list(V['rivals_have_kimi_lacks'])}: the big techs' moats).
{spend_sentence} {ctx_sentence}

The verdict would change with the `chars_per_token` assumption only if Kimi's window beat the
largest rival's, i.e. below {min(breakeven.values()) if breakeven else float('nan'):.2f} characters per token
(the default is {P.chars_per_token}).
"""))


# %% slideshow={"slide_type": "skip"}
def _num(x):
    return None if x is None or (isinstance(x, float) and np.isnan(x)) else x

results = {
    "metric": P.metric,
    "as_of": {"requested": P.as_of, "start": AS_OF["start"], "end": AS_OF["end"], "label": table["period"].iloc[0]},
    "vendor": rk["vendor"],
    "ranking": [{"entity": e, "name": r["name"], "value": _num(r["value"]), "rank": _num(r["rank"]),
                 "rank_text": r["rank_text"], "rank_basis": r["basis"], "value_obs": r["value_obs"] or None,
                 "rank_obs": r["rank_obs"] or None, "backing": r["backing"],
                 "value_low_by_rank": _num(r["value_low_by_rank"]), "value_high_by_rank": _num(r["value_high_by_rank"])}
                for e, r in table.iterrows()],
    "kimi_rank": _num(kimi_rank),
    "kimi_rank_text": kimi_rank_text,
    "kimi_value": _num(kimi_value),
    "ratio_to_kimi": {e: round(v, 4) for e, v in ratios.items()},
    "ratio_to_leader": ({e: round(v / valued["value"].max(), 4) for e, v in valued["value"].items()} if len(valued) else {}),
    "derived": [{"entity": r["entity"], "value": r["value"], "formula": r["formula"], "inputs": r["inputs"],
                 "label": r["label"]} for _, r in derived.iterrows()],
    "rank_change": change,
    "kimi_rank_year_before": [{"metric": r["metric"], "period": r["period"], "rank": int(r["value"]),
                               "rank_text": r["rank_text"], "vendor": r["vendor"], "obs_id": r["obs_id"]}
                              for _, r in year_before.iterrows()],
    "snapshots": snap_results if not snaps.empty else [],
    "ad_spend_quarter": QUARTER,
    "ad_spend_per_month": ({e: v for e, v in byq[byq["quarter"] == QUARTER].set_index("entity")["per_month"].items()}
                           if QUARTER else {}),
    "ad_spend_flags": {i: f for i, f in spend["flag_text"].items() if f},
    "users_by_backing": {b: {"users": r["users"], "apps": r["apps_with_value"], "unvalued_apps": r["apps_without_value"],
                             "unvalued_low": _num(r["unvalued_low"]), "unvalued_high": _num(r["unvalued_high"])}
                         for b, r in users_b.iterrows()},
    "spend_by_backing": ({b: r["per_month"] for b, r in spend_b.iterrows()} if spend_b is not None else {}),
    "chars_per_token": P.chars_per_token,
    "context_window_tokens_equiv": {c: r["tokens_equiv"] for c, r in windows.iterrows()},
    "break_even_chars_per_token": breakeven,
    "capability_matrix": matrix.to_dict(orient="index"),
    "capability_status": status.to_dict(orient="index"),
    "verdict_table": [{k: _num(v) if not isinstance(v, str) else v for k, v in r.items()} for r in vt.to_dict(orient="records")],
    "verdict": V,
}
results["headline"] = competitors.headline(ds, results, P)
print(kr.write_results("04_competitor_comparison", results, P))
