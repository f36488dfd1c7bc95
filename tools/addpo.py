"""Adds (or replaces) one message in both catalogues of a domain, keeping gettext's
`python-format` flag on messages with `%(name)s` parameters (Babel infers it from the msgid,
and ours are symbolic ids).

usage: python tools/addpo.py DOMAIN KEY NB EN
"""

import re
import sys

from babel.messages.pofile import read_po, write_po


def add(domain: str, key: str, said: dict[str, str]) -> None:
    for lang, text in said.items():
        path = f"web/locale/{lang}/LC_MESSAGES/{domain}.po"
        with open(path, "rb") as f:
            catalogue = read_po(f, locale=lang)
        if key in catalogue:
            catalogue[key].string = text
        else:
            catalogue.add(key, text)
        with open(path, "wb") as f:
            write_po(f, catalogue, width=0, sort_output=False)
        _flag_formats(path)


def _flag_formats(path: str) -> None:
    blocks = open(path, encoding="utf-8").read().strip("\n").split("\n\n")
    for i, block in enumerate(blocks):
        if "%(" in block and "msgid" in block and "#, python-format" not in block:
            blocks[i] = re.sub(r"^msgid ", "#, python-format\nmsgid ", block, count=1, flags=re.M)
    open(path, "w", encoding="utf-8").write("\n\n".join(blocks) + "\n")


if __name__ == "__main__":
    domain, key, nb, en = sys.argv[1:5]
    add(domain, key, {"nb": nb, "en": en})
