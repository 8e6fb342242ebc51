"""Small SVG bar charts for the reports, drawn on the server (assessments/charts.py's style): each is shown beside a
table of the same figures. A suppressed figure draws no bar and is labelled as suppressed."""

from django.utils.html import escape

WIDTH, PLOT_HEIGHT = 640, 160
LEFT, RIGHT, TOP = 44, 16, 16
COLOURS = ["#1d70b8", "#f47738"]  # the two series; the key names them, the table gives the figures
FONT = 'font-family="Arial, sans-serif"'


def paired_bars(labels: list[str], series: list[tuple[str, list[int | None]]], *, title: str, empty: str) -> str:
    """Bars for each of ``labels``, one per series ((name, values): None is a suppressed value, drawn as ``empty``)."""
    plot_w, axis = WIDTH - LEFT - RIGHT, TOP + PLOT_HEIGHT
    height = axis + 50
    top = max([v for _name, values in series for v in values if v] + [1])
    slot = plot_w / max(len(labels), 1)
    bar = slot * 0.7 / max(len(series), 1)
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" width="100%" role="img" '
             f'aria-label="{escape(title)}" class="app-chart"><title>{escape(title)}</title>',
             f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{axis}" y2="{axis}" stroke="#0b0c0c" stroke-width="1"/>',
             f'<text x="{LEFT - 6}" y="{TOP + 4}" text-anchor="end" {FONT} font-size="12" fill="#505a5f">{top}</text>',
             f'<text x="{LEFT - 6}" y="{axis + 4}" text-anchor="end" {FONT} font-size="12" fill="#505a5f">0</text>']
    for i, label in enumerate(labels):
        x0 = LEFT + i * slot + slot * 0.15
        for s, (_name, values) in enumerate(series):
            value, x = values[i], x0 + s * bar
            if value is None:
                parts.append(f'<text x="{x + bar / 2:.1f}" y="{axis - 4}" text-anchor="middle" {FONT} '
                             f'font-size="10" fill="#505a5f">{escape(empty)}</text>')
                continue
            h = PLOT_HEIGHT * value / top
            parts.append(f'<rect x="{x:.1f}" y="{axis - h:.1f}" width="{bar - 2:.1f}" height="{h:.1f}" '
                         f'fill="{COLOURS[s % len(COLOURS)]}"/>')
        parts.append(f'<text x="{LEFT + i * slot + slot / 2:.1f}" y="{axis + 18}" text-anchor="middle" {FONT} '
                     f'font-size="12" fill="#0b0c0c">{escape(label)}</text>')
    for s, (name, _values) in enumerate(series):
        kx = LEFT + s * plot_w / 2
        parts.append(f'<rect x="{kx:.1f}" y="{axis + 30}" width="10" height="10" fill="{COLOURS[s % len(COLOURS)]}"/>'
                     f'<text x="{kx + 14:.1f}" y="{axis + 39}" {FONT} font-size="11" fill="#0b0c0c">'
                     f'{escape(name)}</text>')
    parts.append("</svg>")
    return "".join(parts)
