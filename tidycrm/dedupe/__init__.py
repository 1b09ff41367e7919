"""TidyCRM dedupe."""
