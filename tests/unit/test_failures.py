"""Reading what failed from a Snakemake log (the workflow's onerror handler)."""

from deepclust.failures import failed_jobs, failure_lines

LOG = """[Wed Dec  2 15:39:01 2026]
Error in rule survey:
    message: None
    jobid: 2
    input: scripts/deepclust/__init__.py, scripts/deepclust/io.py
    output: results/broken/survey.npz
    log: logs/broken/survey.log (check log file(s) for error details)
Logfile logs/broken/survey.log:
================================================================================
Traceback (most recent call last):
    log: not/this/one.log
================================================================================
[Wed Dec  2 15:39:09 2026]
Error in rule all:
    message: None
    jobid: 0
Error in rule cluster:
    jobid: 7
    output: results/my.data-2/seed0/clusters/kmeans/labels.npy, results/x/y
    log: logs/my.data-2/seed0/cluster_kmeans.log (check log file(s) for error details)
Exiting because a job execution failed. Look above for error messages
"""


def test_failed_jobs_name_the_rule_dataset_and_log_once_each():
    assert failed_jobs(LOG + LOG) == [
        ("survey", "broken", "logs/broken/survey.log"),
        ("all", None, None),
        ("cluster", "my.data-2", "logs/my.data-2/seed0/cluster_kmeans.log"),
    ]
    assert failure_lines(LOG)[0] == "failed: dataset broken, job survey; see logs/broken/survey.log"
    assert failure_lines(LOG)[1] == "failed: no dataset, job all"
    assert failed_jobs("Nothing to be done.\n") == []
