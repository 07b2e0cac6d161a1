"""``python -m axonal`` runs the ``axonal`` command."""

import sys

from .cli import main

sys.exit(main())
