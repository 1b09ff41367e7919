"""TidyCRM deals."""
