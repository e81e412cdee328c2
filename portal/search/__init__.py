"""Global search: the index table, its upkeep (signals, portal/search_index.py) and the page."""
