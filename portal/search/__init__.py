from . import signals  # noqa: F401  (connects the index updates for authorships)
