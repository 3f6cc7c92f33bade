"""``make bench``: how fast the shop is, measured against what this machine allows.

Every benchmark starts what it needs (the database is the one
``scripts/with-test-services`` started; the fake Bot API over HTTP and
``manage.py runbot`` run here), repeats each figure, prints a table and
appends the figures to ``bench/RESULTS.md``. Not a test: nothing here is run
by ``make test``.
"""
