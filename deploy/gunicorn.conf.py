"""Gunicorn settings for an app server: `gunicorn -c deploy/gunicorn.conf.py governance.wsgi`.

Every value can be changed from the environment (docs/deploy.md lists them); the defaults
suit one app server per container or machine behind the load balancer.
"""

import os


def _cpus() -> int:
    # The CPUs this process may run on (a container's cpuset), not the host's count.
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
# Sync workers: each request holds one worker and one PostgreSQL connection, so the
# number of connections is known (app servers x workers + the worker process).
# 2 x CPUs + 1 keeps the CPUs busy while some workers wait on PostgreSQL.
workers = int(os.environ.get("WEB_CONCURRENCY", 2 * _cpus() + 1))
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
# A request that runs longer than this is killed and its worker replaced; long work
# (e-mail to the whole roll, large counts) belongs to the task worker, not a request.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", "30"))
keepalive = int(os.environ.get("GUNICORN_KEEPALIVE", "5"))
# Replace each worker after a while, with jitter so they do not all restart at once.
# The application is loaded once, in the master, before the workers are forked: a new
# worker serves at once instead of importing Django again (about a second of CPU taken
# from the workers still serving; benchmarks/load_votes.py saw p99 spikes of a second).
preload_app = os.environ.get("GUNICORN_PRELOAD", "true").lower() not in ("0", "false", "no")
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "2000"))
max_requests_jitter = int(os.environ.get("GUNICORN_MAX_REQUESTS_JITTER", "200"))
# The workers' heartbeat files on a memory file system: a container's overlay disk can
# stall them long enough for the arbiter to kill healthy workers.
if os.path.isdir("/dev/shm"):
    worker_tmp_dir = "/dev/shm"

# Logs to standard output and error, where the container runtime collects them.
accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
# The client's address as the load balancer saw it, and the time taken in milliseconds.
access_log_format = '%({x-forwarded-for}i)s %(h)s "%(r)s" %(s)s %(b)s %(M)sms "%(f)s" "%(a)s"'
proc_name = "governance"
