"""``python -m carejourneys``: the same as the ``carejourneys`` command."""

import sys

from carejourneys.cli import main

sys.exit(main())
