"""Hostile records: markup, script, template syntax, path-like ids and titles, NUL bytes and
bidirectional overrides in every text field (the reliability tests build a store from them)."""

from __future__ import annotations

SCRIPT = "<script>alert(1)</script>"
IMAGE = "<img src=x onerror=alert(2)>"
SVG = "<svg onload=alert(3)>"
CLOSING = "</script><script>alert(4)</script>"
JS_URL = "javascript:alert(5)"
TEMPLATE = "{{ 7*7 }}{% raw %}${7*7}"
PAYLOADS = (SCRIPT, IMAGE, SVG, CLOSING, JS_URL, TEMPLATE)
PATHLIKE = ("../../etc/x", "/abs/path", "..\\..\\windows", "/etc/passwd", "/etc/shadow")

RECORDS = [
    {
        "id": "../../etc/x",
        "title": f"Robust dropout {SCRIPT} against {JS_URL}",
        "tldr": f"A tl;dr with {CLOSING} inside.",
        "abstract": f"We show {IMAGE} and {CLOSING} are text: dropout on MNIST. {TEMPLATE} <!-- --> ]]>",
        "authors": [
            {"name": f"Mallory {SVG}", "institutions": [{"name": f"<b>Bad</b> {TEMPLATE} University"}]},
            "Ada Lovelace",
        ],
        "year": 2021,
        "venue": JS_URL,
        "topics": [CLOSING, TEMPLATE],
    },
    {
        "id": "/abs/path\u0000nul",
        "title": "../../etc/passwd",
        "abstract": "Paths are only text: /etc/shadow and ..\\..\\windows. We train a ResNet on CIFAR-10.",
        "authors": ["/etc/shadow", "Ada Lovelace"],
        "year": 2020,
    },
    {
        "title": "A \u202eright-to-left\u202c title with a NUL\u0000 byte",
        "authors": ["Bob \u202eevil", "Ada Lovelace"],
        "year": 2019,
    },
]

# An input file whose name is hostile too (newline, shell syntax, quotes, dots, RTL override).
HOSTILE_FILE_NAME = "..evil\n$(touch pwned) `id` '\"\u202e<script>.jsonl"
NAMED_RECORD = {"title": "A paper from a file with a hostile name", "authors": ["Ada Lovelace"], "year": 2018}
