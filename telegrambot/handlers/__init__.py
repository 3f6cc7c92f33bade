"""Handlers by feature; each module ends with one ``FEATURE``, ordered in ``application.py``."""
