"""bench/fanout's parts: processes, systems, one run, the matrix, the other suites, reports."""
