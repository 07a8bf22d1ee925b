"""External programs (外部程序): one wrapper that runs them, and the probes behind ``pingan doctor``."""
