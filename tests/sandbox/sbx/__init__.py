"""opsplan sandbox: a miniature OpenShift namespace (API server, kubelet,
controllers) whose pods are real Patroni + PostgreSQL processes."""
