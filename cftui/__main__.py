"""`python -m cftui` runs the same CLI as the `cftui` script."""

from cftui.cli import main

raise SystemExit(main())
