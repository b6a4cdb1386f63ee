"""The benchmark suite: its runs (``suite``), the check of a suite config
(``check``), the scheduler of runs sharing a machine (``scheduler``), the
results read back (``results``, ``report_data``), their statistics
(``stats``), tables (``tables``), width comparisons (``widths``) and the
equal-latency comparison (``latency_budget``)."""
