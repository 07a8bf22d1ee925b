"""Background jobs (后台任务): see :mod:`service.jobs.runner`; the kinds are in :mod:`service.jobs.work`."""

from service.jobs import work  # noqa: F401  (registers the job kinds)
from service.jobs.runner import KINDS, JobRunner, ThreadJobRunner, create_job, recover, run_job

__all__ = ["KINDS", "JobRunner", "ThreadJobRunner", "create_job", "recover", "run_job"]
