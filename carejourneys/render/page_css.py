"""The style sheet of every published page (report pages, index and site pages).

Kept apart from :mod:`carejourneys.render.report` so that writing the index does not import pandas.
"""

CSS = """
.cj-banner{border:2px solid #b35900;background:#fff4e5;color:#222;padding:.6em .9em;margin:.5em 0 1em;
 border-radius:6px;font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif}
.cj-banner[data-origin=real]{border-color:#1d4f91;background:#eef4fb}
.cj-banner[data-origin=public]{border-color:#2e6b30;background:#eef7ee}
.cj-banner strong.cj-origin{font-size:1.1em;display:block}
.cj-banner dl{display:flex;flex-wrap:wrap;gap:.2em 1.2em;margin:.4em 0 0}
.cj-banner dt{font-weight:600} .cj-banner dd{margin:0 0 0 .3em;overflow-wrap:anywhere}
.cj-banner dl div{display:flex}
.cj-table{margin:1em 0;max-width:100%;overflow-x:auto;-webkit-overflow-scrolling:touch}
.cj-table table{border-collapse:collapse;font:14px/1.35 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif}
.cj-table caption{caption-side:top;text-align:left;font-weight:600;padding:.3em 0}
.cj-table th,.cj-table td{border-bottom:1px solid #ccc;padding:.3em .6em;vertical-align:top}
.cj-table thead th{border-bottom:2px solid #555;text-align:left}
.cj-table tr>:first-child{position:sticky;left:0;z-index:1;background:#fff;box-shadow:inset -1px 0 #ccc}
.cj-table td.num,.cj-table th.num{text-align:right;font-variant-numeric:tabular-nums}
.cj-table td.date{white-space:nowrap}
.cj-table tr.cj-total td,.cj-table tr.cj-total th{font-weight:600;border-top:2px solid #555}
.cj-table p.cj-footnote{font-size:12px;color:#444;margin:.3em 0}
.cj-figure{margin:1em 0} .cj-figure img{max-width:100%;height:auto}
.cj-figure figcaption{font-size:14px;color:#333}
.cj-note{font-size:15px} .cj-caveat{border-left:4px solid #b35900;padding:.3em .8em;background:#fafafa}
.cj-keyfigures{display:flex;flex-wrap:wrap;gap:.6em;margin:1em 0;padding:0;list-style:none}
.cj-keyfigures li{border:1px solid #ccc;border-radius:6px;padding:.4em .8em;min-width:8em}
.cj-keyfigures .cj-value{display:block;font-size:1.6em;font-weight:700}
.cj-quote{border-left:4px solid #888;margin:.8em 0;padding:.2em .9em;font-style:italic}
.cj-quote footer{font-style:normal;color:#444;font-size:.9em}
""".strip()
