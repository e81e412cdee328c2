"""The read-only REST API at /api/v1/: every record type that declares an `ApiEndpoint`.

Serializers, viewsets and routes are derived from the declarations (portal.records) and the
models; nothing here names an app. See docs/api.md.
"""
