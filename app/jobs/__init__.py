"""RQ jobs. Each takes ids (never objects), reloads, calls services and is safe to run twice."""
