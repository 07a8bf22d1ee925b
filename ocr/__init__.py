"""ocr: reads scanned pingan sheets (扫描识读) — page images and form layouts in, field readings out.

A pure library: it never imports ``service`` and knows no database and no web.
"""
