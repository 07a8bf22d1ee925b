"""The HTTP service: REST API (and, to come, the web workbench)."""
