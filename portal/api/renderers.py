"""JSON with the characters HTML gives meaning to escaped (\\u003c for "<", ...): the same data
for any JSON reader, and an error message that repeats a hostile query value can never become
markup, whatever a browser guesses the response to be."""

from rest_framework.renderers import JSONRenderer

HTML_SIGNIFICANT = {ord("<"): "\\u003c", ord(">"): "\\u003e", ord("&"): "\\u0026"}


class SafeJSONRenderer(JSONRenderer):
    def render(self, data, accepted_media_type=None, renderer_context=None):
        rendered = super().render(data, accepted_media_type, renderer_context)
        if not rendered:
            return rendered
        return rendered.decode().translate(HTML_SIGNIFICANT).encode()
