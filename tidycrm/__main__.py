"""`python -m tidycrm` runs the same command as `tidycrm`."""

from tidycrm.cli import main

main()
