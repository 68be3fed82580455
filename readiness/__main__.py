"""``python -m readiness`` runs the ``readiness`` command."""

from readiness._cli import main

raise SystemExit(main())
