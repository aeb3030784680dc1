"""Export jobs as a capability: "Mijn exports", the job's page, the download, asking for an export;
the task that makes an export (ret_app/jobs/tasks.py) and the periodic housekeeping (expired files
removed, stopped runs failed, waiting jobs handed over again)."""

from ret_app.exports import audit_words, routes, services  # noqa: F401  (views registered)
from ret_app.exports.blueprint import bp
from ret_app.exports.labels import GENERAL_FAILURE, STATUS_LABELS, STATUS_SENTENCES
from ret_app.expected import EVERYONE
from ret_app.jobs import registry as jobs
from ret_app.jobs import tasks
from ret_app.kernel.registry import Capability

tasks.register(services.TASK, services.run)
jobs.register("export-housekeeping", services.housekeeping, "*/5 * * * *",
              "Remove expired export files, fail stopped export runs, hand over waiting ones again")

capability = (
    Capability("exports")
    .blueprint(bp)
    .audit_words(audit_words.WORDS, audit_words.NAMES)
    .template_global("export_status_labels", STATUS_LABELS)
    .template_global("export_status_sentences", STATUS_SENTENCES)
    .template_global("export_general_failure", GENERAL_FAILURE)
    .expected_access({
        "exports.index": EVERYONE,
        "exports.job": EVERYONE,
        "exports.download": EVERYONE,
        "exports.request_export": EVERYONE,
    })
)
