from tests.conftest import browser_page, chromium  # noqa: F401  (the browser fixtures)
