"""The audit log and what auditors read: the hash-chained Merkle log, signed checkpoints, anomalies, trails, exports."""
