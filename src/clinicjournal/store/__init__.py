"""The bottom layer: the database engine and sessions, the models and their migrations,
site and account records, the audit log, backup and restore."""
