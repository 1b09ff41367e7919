"""TidyCRM activities."""
