"""TidyCRM segments."""
