"""Deal pages: the board, the list, the detail page, forms, panels and pipeline settings."""
