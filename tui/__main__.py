"""`python -m tui`: same as the `appbuilder-tui` console script."""

from tui.cli import main

raise SystemExit(main())
