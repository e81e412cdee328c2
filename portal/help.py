"""The editors' guides (docs/*.md) served as admin pages at /admin/help/<name>/.

The Markdown is the repository's own; markdown-it-py renders it with raw HTML off (any HTML in
the text is shown escaped) and its link check on (no javascript: or data: links), so the output
is safe to put into the page as it is.
"""

import re
from functools import lru_cache

from django.conf import settings
from django.contrib import admin
from django.http import FileResponse, Http404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.safestring import mark_safe
from markdown_it import MarkdownIt
from mdit_py_plugins.anchors import anchors_plugin

# name in the URL -> file in docs/, in the order the help index lists them.
HELP_PAGES = {
    "editorial-workflow": "editorial-workflow.md",
    "spreadsheets": "spreadsheets.md",
}
DOC_LINK = re.compile(r"^(?P<file>[\w-]+\.md)(?P<anchor>#[\w-]*)?$")
DOC_IMAGE = re.compile(r"^img/(?P<name>[\w-]+)\.png$")


def _markdown():
    md = MarkdownIt("js-default").use(anchors_plugin, min_level=2, max_level=3)
    # Wide tables scroll inside the page instead of widening it (phones).
    md.add_render_rule("table_open", lambda *args: '<div class="table-wrap"><table>\n')
    md.add_render_rule("table_close", lambda *args: "</table></div>\n")
    return md


def _link_to_help(href):
    """'spreadsheets.md#rules' -> the help page's URL; other links stay as they are."""
    match = DOC_LINK.match(href)
    if match is None:
        return href
    for name, filename in HELP_PAGES.items():
        if filename == match["file"]:
            return reverse("admin-help", args=[name]) + (match["anchor"] or "")
    return href


@lru_cache(maxsize=len(HELP_PAGES) * 2)
def _render(source, modified):
    md = _markdown()
    tokens = md.parse(source.read_text(encoding="utf-8"))
    title = source.stem
    if len(tokens) >= 3 and tokens[0].type == "heading_open" and tokens[0].tag == "h1":
        title = tokens[1].content
        tokens = tokens[3:]  # the page template shows the title as its heading
    for token in tokens:
        for child in token.children or ():
            if child.type == "link_open":
                child.attrSet("href", _link_to_help(child.attrGet("href") or ""))
            if child.type == "image":
                # The guides' screenshots (docs/img/*.png), served to signed-in staff below.
                image = DOC_IMAGE.match(child.attrGet("src") or "")
                if image:
                    child.attrSet("src", reverse("admin-help-image", args=[image["name"]]))
    return title, md.renderer.render(tokens, md.options, {})


def render_help(name):
    """(title, HTML) of a help page, rendered again when its file changes; None without it."""
    source = settings.BASE_DIR / "docs" / HELP_PAGES[name]
    try:
        modified = source.stat().st_mtime_ns
    except FileNotFoundError:  # a deployment without docs/
        return None
    return _render(source, modified)


def help_index(request):
    pages = []
    for name in HELP_PAGES:
        rendered = render_help(name)
        if rendered is not None:
            pages.append({"title": rendered[0], "url": reverse("admin-help", args=[name])})
    context = {**admin.site.each_context(request), "title": "Help for editors", "pages": pages}
    return TemplateResponse(request, "admin/portal/help_index.html", context)


def help_page(request, name):
    rendered = render_help(name) if name in HELP_PAGES else None
    if rendered is None:
        raise Http404("No such help page.")
    title, html = rendered
    context = {
        **admin.site.each_context(request),
        "title": title,
        # Safe: markdown-it's output with raw HTML off and links checked (see the docstring).
        "body": mark_safe(html),
    }
    return TemplateResponse(request, "admin/portal/help_page.html", context)


def help_image(request, name):
    source = settings.BASE_DIR / "docs" / "img" / f"{name}.png"
    try:
        return FileResponse(source.open("rb"), content_type="image/png")
    except FileNotFoundError as missing:
        raise Http404("No such image.") from missing


urlpatterns = [
    path("", admin.site.admin_view(help_index), name="admin-help-index"),
    path("<slug:name>/", admin.site.admin_view(help_page), name="admin-help"),
    path("img/<slug:name>.png", admin.site.admin_view(help_image), name="admin-help-image"),
]
