"""A small HTML tree for tests that read what a page draws (SVG maps and charts, their tables),
built with the standard library's parser."""

from dataclasses import dataclass, field
from html.parser import HTMLParser

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}


@dataclass
class Element:
    tag: str
    attrs: dict
    children: list = field(default_factory=list)
    parent: "Element | None" = None
    data: str = ""  # the text of a "#text" node

    def iter(self, tag=None):
        for child in self.children:
            if child.tag != "#text" and (tag is None or child.tag == tag):
                yield child
            yield from child.iter(tag)

    def find_all(self, tag=None, **attrs):
        """Descendants with `tag` whose attributes include `attrs` (class_ matches one class)."""
        wanted_class = attrs.pop("class_", None)
        for element in self.iter(tag):
            if wanted_class and wanted_class not in element.attrs.get("class", "").split():
                continue
            if all(element.attrs.get(name) == value for name, value in attrs.items()):
                yield element

    def find(self, tag=None, **attrs):
        return next(self.find_all(tag, **attrs), None)

    @property
    def text(self):
        """The text of the element and its descendants, in order, spaces collapsed."""
        if self.tag == "#text":
            return " ".join(self.data.split())
        return " ".join(t for t in (child.text for child in self.children) if t)

    def ancestors(self):
        node = self.parent
        while node is not None:
            yield node
            node = node.parent


class _Builder(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.root = self.current = Element("#document", {})

    def handle_starttag(self, tag, attrs):
        element = Element(
            tag, {k: (v if v is not None else "") for k, v in attrs}, parent=self.current
        )
        self.current.children.append(element)
        if tag not in VOID:
            self.current = element

    def handle_startendtag(self, tag, attrs):
        element = Element(
            tag, {k: (v if v is not None else "") for k, v in attrs}, parent=self.current
        )
        self.current.children.append(element)

    def handle_endtag(self, tag):
        node = self.current
        while node is not None and node.tag != tag:
            node = node.parent
        if node is not None and node.parent is not None:
            self.current = node.parent

    def handle_data(self, data):
        self.current.children.append(Element("#text", {}, parent=self.current, data=data))


def parse(html):
    builder = _Builder()
    builder.feed(html if isinstance(html, str) else html.decode())
    builder.close()
    return builder.root
