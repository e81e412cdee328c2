"""drf-spectacular hooks: the errors every operation may answer, in the schema."""

ERROR = {
    "type": "object",
    "description": "What was wrong: `detail`, or the invalid parameters with their messages.",
    "additionalProperties": True,
}
ERRORS = {
    "400": "An invalid filter value, page size or cursor: the message names it.",
    "404": "No public record has this identifier.",
    "429": "Too many requests from this address: wait the `Retry-After` seconds.",
}


def add_error_responses(result, generator, request, public):
    """Each operation's 400 (lists), 404 (records) and 429 answers, with JSON bodies."""
    components = result.setdefault("components", {}).setdefault("schemas", {})
    components["Error"] = ERROR
    reference = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
    for path, operations in result.get("paths", {}).items():
        for operation in operations.values():
            codes = ["429"]
            if any(p.get("in") == "query" for p in operation.get("parameters", ())):
                codes.append("400")
            if "{" in path:
                codes.append("404")
            for code in codes:
                operation["responses"].setdefault(
                    code, {"description": ERRORS[code], "content": reference}
                )
    return result
