"""``python -m rnnquiz``: the ``rnnquiz`` command."""
from rnnquiz.commands.cli import main

raise SystemExit(main())
