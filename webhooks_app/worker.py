"""The webhook worker: django-tasks-db's database worker, made to outlive database outages and to
recover the jobs of workers that died.

``manage.py webhook_worker`` runs :class:`ResilientWorker`. Its loop is the library's
(``django_tasks_db.management.commands.db_worker.Worker.run``, version 0.13: claim one ready job
under a row lock, run it, sleep ``--interval`` when the queue is empty) with two additions:

- **Database outages.** The library's loop ends on the first error that is not a locked SQLite
  file, so after a database restart its worker exits, or, under the autoreloader (the default
  with ``DEBUG``), stays alive and runs nothing. Here an unreachable database (restart,
  failover, network cut: ``OperationalError``/``InterfaceError``) is logged, the connections are
  dropped, and the worker tries again after 0.5 s, 1 s, 2 s, 4 s... up to
  ``WEBHOOKS_RECONNECT_MAX_DELAY``; it logs when the database answers again and goes on. A job
  whose run the outage cut short (its outcome could not be saved) is put back in the queue at
  once: delivery jobs are idempotent.
- **Periodic jobs.** The worker keeps the trash purge (``core_app.tasks.purge_trash``) scheduled:
  once a minute it queues a run when none is waiting or running.
- **Lost jobs.** Every ``WEBHOOKS_RECOVERY_INTERVAL`` seconds (and when it starts) the worker
  requeues import jobs without progress for ``IMPORT_STALE_AFTER`` seconds
  (:func:`transfers_app.tasks.requeue_stalled_imports`) and the deliveries whose job was lost (:func:`webhooks_app.recovery.requeue_lost_deliveries`),
  e.g. a job still "running" ``WEBHOOKS_STALE_AFTER`` seconds after a worker that was killed
  mid-call claimed it. Every worker sweeps; the requeue re-checks each delivery under a row lock,
  so two sweeps never queue two jobs for one delivery.

Example::

    worker = ResilientWorker(queue_names=["default"], interval=1, batch=False, backend_name="default",
                             startup_delay=True, max_tasks=None, worker_id="w1", excluded_queue_names=[])
    worker.run()
"""

from __future__ import annotations

import logging
import random
import time

from django.db import InterfaceError, OperationalError, close_old_connections, connections
from django.db.utils import Error as DatabaseError
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult
from django_tasks_db.utils import exclusive_transaction, is_locked_database_exception

from core_app.tasks import ensure_trash_purge_scheduled
from transfers_app.tasks import requeue_stalled_imports
from webhooks_app import conf
from webhooks_app.recovery import requeue_lost_deliveries

try:  # Django 6 ships the Tasks API; on Django 5.2 the django-tasks backport provides it.
    from django.tasks import TaskResultStatus
except ImportError:
    from django_tasks import TaskResultStatus

__all__ = ["DATABASE_UNAVAILABLE", "ResilientWorker", "reconnect_delay"]

logger = logging.getLogger("webhooks_app.worker")

#: Errors that mean "the database cannot be reached right now", not "this code is wrong".
DATABASE_UNAVAILABLE = (OperationalError, InterfaceError)
#: Wait after the first failed try; each further one doubles it, up to ``WEBHOOKS_RECONNECT_MAX_DELAY``.
FIRST_RECONNECT_DELAY = 0.5


def reconnect_delay(failures: int, max_delay: float) -> float:
    """Seconds to wait after the ``failures``-th failed try in a row: 0.5, 1, 2, 4... at most ``max_delay``."""
    return min(max_delay, FIRST_RECONNECT_DELAY * 2 ** min(failures - 1, 32))


def drop_connections() -> None:
    """Close every database connection of this thread, broken ones included, so the next query reconnects."""
    for connection in connections.all(initialized_only=True):
        try:
            connection.close()
        except DatabaseError:
            connection.connection = None


class ResilientWorker(Worker):
    """django-tasks-db's worker that survives database outages and sweeps for lost delivery jobs."""

    def __init__(self, **options) -> None:
        super().__init__(**options)
        self.failures = 0
        self.outage_started = 0.0
        self.interrupted_job = None
        self.next_sweep = 0.0  # time.monotonic() of the next sweep; the first one runs at start

    def run(self) -> None:
        """Run jobs until stopped (or, with ``batch``/``max_tasks``, until done), whatever the database does."""
        logger.info("Starting worker worker_id=%s queues=%s", self.worker_id, ",".join(self.queue_names))
        if self.startup_delay and self.interval:
            time.sleep(random.random())  # spreads workers started together (the library does the same)
        while self.running:
            try:
                if self.step():
                    return
            except DATABASE_UNAVAILABLE as error:
                self.wait_for_database(error)

    def step(self) -> bool:
        """One turn of the library's loop, plus the sweep; True when the worker is done."""
        close_old_connections()  # drops connections that failed or outlived CONN_MAX_AGE
        task_result, retrieved = self.claim_next()
        if self.failures:
            self.database_back()
        self.sweep_if_due()
        ensure_trash_purge_scheduled()  # the periodic trash purge (core_app.tasks), checked once a minute
        if task_result is not None:
            self.run_task(task_result)
        if self.batch and retrieved and task_result is None:
            logger.info("No more tasks to run for worker_id=%s - exiting gracefully.", self.worker_id)
            return True
        if self.max_tasks is not None and self._run_tasks >= self.max_tasks:
            logger.info("Run maximum tasks (%d) on worker=%s - exiting gracefully.", self._run_tasks, self.worker_id)
            return True
        close_old_connections()
        if self.running and task_result is None:
            time.sleep(self.interval)
        return False

    def claim_next(self) -> tuple[DBTaskResult | None, bool]:
        """Claim the next ready job under a row lock: (job or None, whether the queue could be read)."""
        tasks = DBTaskResult.objects.ready().filter(backend_name=self.backend_name)
        if not self.process_all_queues:
            tasks = tasks.filter(queue_name__in=self.queue_names)
        if self.excluded_queue_names:
            tasks = tasks.exclude(queue_name__in=self.excluded_queue_names)
        with exclusive_transaction(tasks.db):
            try:
                task_result = tasks.get_locked()
                if task_result is not None:
                    task_result.claim(self.worker_id)  # RUNNING, so no other worker takes it
            except OperationalError as error:
                if not is_locked_database_exception(error):
                    raise
                return None, False  # a locked SQLite file unlocks soon: try again next turn
        return task_result, True

    def run_task(self, db_task_result: DBTaskResult) -> None:
        """Run a job like the library; remember it when an outage keeps its outcome from being saved."""
        try:
            super().run_task(db_task_result)
        except DATABASE_UNAVAILABLE:
            self.interrupted_job = db_task_result.pk
            raise

    def wait_for_database(self, error: Exception) -> None:
        """Log the failed try, drop the connections, and wait before the next one."""
        self.failures += 1
        if self.failures == 1:
            self.outage_started = time.monotonic()
        delay = reconnect_delay(self.failures, conf.reconnect_max_delay())
        reason = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        logger.warning(
            "Database unavailable (%s); worker_id=%s tries again in %.1f s (failed tries: %d)",
            reason,
            self.worker_id,
            delay,
            self.failures,
        )
        drop_connections()
        time.sleep(delay)

    def database_back(self) -> None:
        """Log the end of an outage and put back in the queue the job it interrupted, if any."""
        logger.warning(
            "Database reachable again after %.1f s (failed tries: %d); worker_id=%s goes on",
            time.monotonic() - self.outage_started,
            self.failures,
            self.worker_id,
        )
        self.failures = 0
        if self.interrupted_job is not None:
            # Still RUNNING unless the library's own retries managed to save the outcome.
            requeued = DBTaskResult.objects.filter(pk=self.interrupted_job, status=TaskResultStatus.RUNNING).update(
                status=TaskResultStatus.READY
            )
            if requeued:
                logger.warning("Job %s, cut short by the outage, is queued again", self.interrupted_job)
            self.interrupted_job = None

    def sweep_if_due(self) -> None:
        """Requeue deliveries whose job was lost, every ``WEBHOOKS_RECOVERY_INTERVAL`` seconds."""
        interval = conf.recovery_interval()
        if not interval or time.monotonic() < self.next_sweep:
            return
        self.next_sweep = time.monotonic() + interval
        requeued = requeue_lost_deliveries()
        if requeued:
            logger.warning("Requeued %d webhook deliveries whose job was lost (worker_id=%s)", requeued, self.worker_id)
        stalled = requeue_stalled_imports()
        if stalled:
            logger.warning("Requeued %d import jobs without progress (worker_id=%s)", stalled, self.worker_id)
