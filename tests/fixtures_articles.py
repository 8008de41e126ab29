"""Realistic article files for the loading and indexing tests, written into a test's folder.

Each helper writes a real file in a real format (an HTML page with navigation, scripts and a footer
around the story; a PDF drawn by reportlab) so the loaders are exercised the way users feed them.
"""

from __future__ import annotations

import json
from pathlib import Path

NEWS_HTML = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>Haftar forces advance on Tripoli | The Daily Courier</title>
<meta property="og:title" content="Haftar forces advance on Tripoli">
<meta property="og:site_name" content="The Daily Courier">
<meta name="author" content="Jane Reporter">
<meta property="article:published_time" content="2019-04-05T08:30:00Z">
<link rel="canonical" href="https://courier.example.com/world/haftar-tripoli">
<script>var trackingPixel = "SCRIPTSECRETTOKEN"; function ads() { return 1; }</script>
<style>.nav { color: red }</style>
</head><body>
<nav><ul><li><a href="/">Home</a></li><li><a href="/world">NAVMENUWORLD</a></li>
<li><a href="/sport">Sport</a></li></ul></nav>
<header><div class="banner">Subscribe now: SUBSCRIBEBANNEROFFER</div></header>
<main><article>
<h1>Haftar forces advance on Tripoli</h1>
<p>Forces loyal to the eastern commander Khalifa Haftar began moving towards Tripoli on Thursday,
according to a statement posted by his media office. The advance raised fears of a new round of
fighting in the Libyan capital.</p>
<p>The United Nations-backed government of Fayez al-Serraj, based in Tripoli, said it had put its
own forces on alert. Diplomats in the region warned that a full assault could derail a national
conference planned for mid-April in Ghadames.</p>
<p>Haftar enjoys the support of Egypt, Saudi Arabia and the United Arab Emirates, analysts say, and
has spent months extending his control over the south of the country.</p>
</article></main>
<aside>Most read: FOOTERASIDEPOPULAR story about football</aside>
<footer><p>Copyright 2019 The Daily Courier. FOOTERCOPYRIGHTLINE All rights reserved.</p></footer>
<script>document.write("SCRIPTBODYWRITE");</script>
</body></html>
"""
HTML_BOILERPLATE = ["SCRIPTSECRETTOKEN", "SCRIPTBODYWRITE", "NAVMENUWORLD", "SUBSCRIBEBANNEROFFER",
                    "FOOTERASIDEPOPULAR", "FOOTERCOPYRIGHTLINE", "trackingPixel", "<p>", "color: red"]

ENGLISH_TEXT = (
    "The central bank of Ghana raised its main interest rate on Monday to fight inflation. "
    "Governor Ernest Addison said prices had risen faster than expected over the summer. "
    "Economists expect another increase before the end of the year."
)
FRENCH_TEXT = (
    "La mairie de Lyon a inauguré jeudi une nouvelle ligne de tramway vers l'est de la ville. "
    "Les habitants des quartiers concernés attendaient ce chantier depuis plus de dix ans. "
    "Le maire a promis deux autres lignes avant la fin du mandat."
)

PDF_LINES = [
    "Les pecheurs de Sfax face a la secheresse.",
    "La saison de la sardine a ete la plus mauvaise depuis vingt ans dans le golfe de Gabes.",
    "Les cooperatives demandent une aide de l'Etat pour renouveler leurs filets.",
]


def write_pdf(path: Path, lines: list[str], title: str | None = None) -> Path:
    """A one-page PDF with real text objects (what a newspaper's 'print' export produces)."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    pdf = canvas.Canvas(str(path), pagesize=A4)
    if title:
        pdf.setTitle(title)
    y = 800
    for line in lines:
        pdf.drawString(60, y, line)
        y -= 20
    pdf.showPage()
    pdf.save()
    return path


def write_json(path: Path, obj: object) -> Path:
    path.write_text(json.dumps(obj, ensure_ascii=False), encoding="utf-8")
    return path


def write_jsonl(path: Path, rows: list[object]) -> Path:
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n", encoding="utf-8")
    return path


def write_bad_inputs(folder: Path) -> dict[str, Path]:
    """One file per kind of bad input, keyed by the problem the loader must name."""
    folder.mkdir(parents=True, exist_ok=True)
    files = {
        "empty": folder / "a1.txt",
        "binary": folder / "a2.txt",
        "utf-8": folder / "a3.txt",
        "malformed JSON": folder / "a4.json",
        "missing field 'text'": folder / "a5.json",
        "unreadable PDF": folder / "a6.pdf",
    }
    files["empty"].write_bytes(b"")
    files["binary"].write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 8)
    files["utf-8"].write_bytes("Le maréchal avance vers la capitale libyenne.".encode("latin-1"))
    files["malformed JSON"].write_text('{"title": "Cut short", "text": "Le début', encoding="utf-8")
    write_json(files["missing field 'text'"], {"title": "Title only", "date": "2019-04-05"})
    files["unreadable PDF"].write_bytes(b"%PDF-1.4\n1 0 obj << /Type /Catalog >> garbage without end")
    return files
