#!/usr/bin/env python3
"""html_refs.py PAGE.html: exit 1 (and print what) when the page could load
anything from outside itself: an element that loads (script, img, link,
iframe...), an attribute holding a reference other than to a #fragment
(src, href, srcset, xlink:href...), an event handler or style attribute, a
meta refresh, url() other than url(#id) or @import in a style sheet.  Parsed
as HTML (html.parser), so escaped journal text is text, not markup."""
import re
import sys
from html.parser import HTMLParser

LOADS = {"script", "link", "iframe", "object", "embed", "img", "base", "audio", "video", "source", "frame",
         "image", "use", "feimage"}
REFS = {"src", "href", "srcset", "action", "xlink:href", "poster", "data", "formaction", "background"}


class Page(HTMLParser):
    def __init__(self):
        super().__init__()
        self.bad, self.style = [], False

    def handle_starttag(self, tag, attrs):
        self.style = tag == "style"
        if tag in LOADS:
            self.bad.append("<%s>" % tag)
        for k, v in attrs:
            if (k in REFS and not (v or "").startswith("#")) or k == "style" or k.startswith("on"):
                self.bad.append("%s=%r" % (k, v))
        if tag == "meta" and (dict(attrs).get("http-equiv") or "").lower() == "refresh":
            self.bad.append("meta refresh")

    def handle_data(self, data):
        if self.style and ("@import" in data or re.search(r"url\((?!#)", data)):
            self.bad.append("style sheet with url() or @import")

    def handle_endtag(self, tag):
        self.style = False


p = Page()
p.feed(open(sys.argv[1], encoding="utf-8").read())
print("\n".join(p.bad[:5]))
sys.exit(1 if p.bad else 0)
