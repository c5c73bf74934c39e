"""What failed in a Snakemake run, read from its log: for the workflow's onerror handler
(handlers.smk), so a run of several datasets ends saying which one failed, in which job."""

import re


def failed_jobs(log_text):
    """``[(rule, dataset or None, job log or None)]`` of every job the Snakemake log text
    ``log_text`` reports in an ``Error in rule <name>:`` block, once each, in the log's
    order. The dataset is read from the job's paths (``results/<dataset>/...``,
    ``logs/<dataset>/...``)."""
    lines = log_text.splitlines()
    found = []
    for i, line in enumerate(lines):
        header = re.match(r"Error in rule (\w+):", line)
        if not header:
            continue
        fields = {}
        for field in lines[i + 1 :]:
            pair = re.match(r"\s+(\w+): (.*)", field)
            if not pair:
                break
            fields[pair[1]] = pair[2]
        paths = f"{fields.get('output', '')} {fields.get('log', '')}"
        dataset = re.search(r"(?:^|[\s,])(?:results|logs)/([^/,\s]+)/", paths)
        job_log = fields["log"].split(" (")[0] if "log" in fields else None
        failure = (header[1], dataset and dataset[1], job_log)
        if failure not in found:
            found.append(failure)
    return found


def failure_lines(log_text):
    """One line per failed job: ``failed: dataset <name>, job <rule>; see <its log>``."""
    return [
        f"failed: {f'dataset {dataset}' if dataset else 'no dataset'}, job {name}"
        + (f"; see {job_log}" if job_log else "")
        for name, dataset, job_log in failed_jobs(log_text)
    ]
