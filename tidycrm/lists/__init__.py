"""TidyCRM lists."""
