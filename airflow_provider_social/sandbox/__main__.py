"""``python -m airflow_provider_social.sandbox --host 127.0.0.1 --port 8765`` (``--port 0``: free port)."""

import sys

from .server import main

sys.exit(main())
