"""Handlers by feature; each module ends with ``HANDLERS``, ordered in ``application.py``."""
