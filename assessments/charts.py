"""A small SVG line chart of each domain's score across assessments of one subject: is the context getting safer?

Drawn on the server, so the same picture goes in the page and in the PDF. Scores run from 0 (serious concern)
to 100 (safe); a domain with no score in an assessment leaves a gap.
"""

from django.utils.html import escape

WIDTH, PLOT_HEIGHT = 640, 180
LEFT, RIGHT, TOP = 44, 16, 16
# Distinguishable for most colour vision; each line also has its own marker shape and a table of the figures.
COLOURS = ["#1d70b8", "#d4351c", "#00703c", "#4c2c92", "#b58840", "#f47738", "#5694ca", "#28a197"]
MARKERS = ["circle", "square", "diamond", "triangle"]


def _marker(shape: str, x: float, y: float, colour: str) -> str:
    if shape == "circle":
        return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4" fill="{colour}"/>'
    if shape == "square":
        return f'<rect x="{x - 4:.1f}" y="{y - 4:.1f}" width="8" height="8" fill="{colour}"/>'
    if shape == "diamond":
        path = f"M{x:.1f} {y - 5:.1f}L{x + 5:.1f} {y:.1f}L{x:.1f} {y + 5:.1f}L{x - 5:.1f} {y:.1f}Z"
        return f'<path d="{path}" fill="{colour}"/>'
    return f'<path d="M{x:.1f} {y - 5:.1f}L{x + 5:.1f} {y + 4:.1f}L{x - 5:.1f} {y + 4:.1f}Z" fill="{colour}"/>'


def change_chart(labels: list[str], series: list[tuple[str, list[int | None]]], *, title: str) -> str:
    """``labels`` for the x axis (one per assessment), ``series`` as (domain title, score per assessment)."""
    plot_w, plot_h = WIDTH - LEFT - RIGHT, PLOT_HEIGHT
    axis = TOP + plot_h  # the x axis; its labels and then the key go below it
    height = axis + 30 + 14 * -(-len(series) // 3) + 6
    step = plot_w / max(len(labels) - 1, 1)

    def x(i):
        return LEFT + (i * step if len(labels) > 1 else plot_w / 2)

    def y(score):
        return TOP + plot_h * (1 - score / 100)

    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" width="100%" '
             f'role="img" aria-labelledby="chart-title" class="app-chart">'
             f'<title id="chart-title">{escape(title)}</title>']
    for tick in (0, 50, 100):
        parts.append(f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y(tick):.1f}" y2="{y(tick):.1f}" stroke="#b1b4b6" '
                     f'stroke-width="1"/><text x="{LEFT - 6}" y="{y(tick) + 4:.1f}" text-anchor="end" '
                     f'font-family="Arial, sans-serif" font-size="12" fill="#505a5f">{tick}</text>')
    parts.append(f'<text x="{LEFT}" y="{TOP - 4}" font-family="Arial, sans-serif" font-size="11" fill="#505a5f">'
                 f'safer</text>')
    for i, label in enumerate(labels):
        parts.append(f'<text x="{x(i):.1f}" y="{axis + 18}" text-anchor="middle" '
                     f'font-family="Arial, sans-serif" font-size="12" fill="#0b0c0c">{escape(label)}</text>')
    for n, (name, scores) in enumerate(series):
        colour, shape = COLOURS[n % len(COLOURS)], MARKERS[n % len(MARKERS)]
        points = [(x(i), y(s)) for i, s in enumerate(scores) if s is not None]
        if len(points) > 1:
            path = " ".join(f"{px:.1f},{py:.1f}" for px, py in points)
            parts.append(f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="2.5"/>')
        parts += [_marker(shape, px, py, colour) for px, py in points]
        # The key, in rows under the axis labels.
        kx, ky = LEFT + (n % 3) * (plot_w / 3), axis + 36 + (n // 3) * 14
        parts.append(_marker(shape, kx + 4, ky - 4, colour))
        parts.append(f'<text x="{kx + 12:.1f}" y="{ky:.1f}" font-family="Arial, sans-serif" font-size="11" '
                     f'fill="#0b0c0c">{escape(name[:38])}</text>')
    parts.append("</svg>")
    return "".join(parts)
