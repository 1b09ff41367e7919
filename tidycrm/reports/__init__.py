"""TidyCRM reports."""
