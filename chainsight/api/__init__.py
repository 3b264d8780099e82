"""The HTTP layer: the prospect API, the manager pages and the app's own database (``appdb``).

Everything a person or another system reaches over HTTP passes through this package, and every
data access in it passes through one access rule (who may see which branch's firms) and the audit log.
"""
