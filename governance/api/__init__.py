"""The REST API layer every app's API uses: errors, pagination, parsers, permissions, schema; and governance's own read API."""
