"""The host name a test worker reports to Airflow (``[core] hostname_callable``).

Both Celery workers of the distributed-executor test run on this machine; each is given its own name, as if on its
own host, so the test can tell from ``task_instance.hostname`` which worker ran what.
"""

from __future__ import annotations

import os

HOSTNAME_ENV = "SOCIAL_TEST_WORKER_HOSTNAME"


def hostname() -> str:
    """This worker's host name: the environment's ``SOCIAL_TEST_WORKER_HOSTNAME``."""
    return os.environ[HOSTNAME_ENV]
