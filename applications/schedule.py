"""When the periodic jobs run: cron fields for APScheduler's CronTrigger (Asia/Shanghai).

``manage.py run_scheduler`` enqueues each job at its times; the worker runs it. Run one
scheduler (a second one would enqueue each job twice, which the jobs tolerate: each is
idempotent, and a mail is claimed before it is sent).
"""

from applications import tasks
from outbox.tasks import sweep_outbox

SCHEDULE = (
    # (job, cron fields)
    (sweep_outbox, {"minute": "*/2"}),
    (tasks.remind_drafts, {"minute": "7"}),
    (tasks.cleanup_orphan_files, {"minute": "37"}),
    (tasks.expire_unconfirmed_drafts, {"minute": "47"}),
    (tasks.purge_personal_data, {"hour": "3", "minute": "17"}),
    (tasks.close_publicity, {"minute": "*/10"}),
)
