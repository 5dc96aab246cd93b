"""``manage.py webhook_worker``: the task worker that sends webhook deliveries, as deployed.

The same options as django-tasks-db's ``db_worker`` (``--interval``, ``--batch``, ``--max-tasks``,
``--worker-id``, ``--queue-name``, ``--reload``...), running :class:`webhooks_app.worker.ResilientWorker`:
it survives database outages (reconnects with a capped exponential backoff, and logs both ends
of the outage) and requeues lost delivery jobs by itself. Use it instead of ``db_worker``, whose
loop ends at the first database error.
"""

from __future__ import annotations

import logging
import os

from django.core.management.base import CommandError
from django.utils.autoreload import DJANGO_AUTORELOAD_ENV, run_with_reloader
from django_tasks_db.management.commands import db_worker

from webhooks_app.worker import ResilientWorker

logger = logging.getLogger("webhooks_app.worker")


class Command(db_worker.Command):
    """django-tasks-db's ``db_worker`` with :class:`ResilientWorker` as its loop."""

    help = (
        "Run the webhook delivery worker (django-tasks-db's database worker that outlives database "
        "outages and requeues lost delivery jobs)."
    )

    def configure_logging(self, verbosity: int) -> None:
        """The library's logging set-up, extended to this worker's own logger."""
        super().configure_logging(verbosity)
        worker_logger = logging.getLogger("webhooks_app.worker")
        worker_logger.setLevel(logging.WARNING if verbosity == 0 else logging.INFO if verbosity == 1 else logging.DEBUG)
        if not worker_logger.hasHandlers():
            worker_logger.addHandler(logging.StreamHandler(self.stderr))

    def handle(
        self,
        *,
        verbosity: int,
        queue_name: str,
        interval: float,
        batch: bool,
        backend_name: str,
        startup_delay: bool,
        reload: bool,
        max_tasks: int | None,
        worker_id: str,
        exclude_queues: str,
        **options,
    ) -> None:
        # The library's handle(), with ResilientWorker in place of its Worker.
        self.configure_logging(verbosity)
        if reload and batch:
            logger.warning("Warning: --reload and --batch cannot be specified together. Disabling autoreload.")
            reload = False
        queue_names = queue_name.split(",")
        excluded_queue_names = exclude_queues.split(",") if exclude_queues else []
        if excluded_queue_names and "*" not in queue_names:
            raise CommandError("--exclude-queues can only be used with --queue-name=*")
        worker = ResilientWorker(
            queue_names=queue_names,
            interval=interval,
            batch=batch,
            backend_name=backend_name,
            startup_delay=startup_delay,
            max_tasks=max_tasks,
            worker_id=worker_id,
            excluded_queue_names=excluded_queue_names,
        )
        if not reload:
            worker.configure_signals()
            worker.run()
            return
        if os.environ.get(DJANGO_AUTORELOAD_ENV) == "true":
            worker.configure_signals()  # only the child process, which runs the loop

        def run_or_exit() -> None:
            # The autoreloader runs the loop in a thread: a crash there would leave a live process
            # that runs nothing. End the process instead, so that it shows.
            try:
                worker.run()
            except Exception:
                logger.exception("The webhook worker stopped on an unexpected error")
                os._exit(1)

        run_with_reloader(run_or_exit)
