"""Every string the bot shows, by feature, marked for translation.

Constants are lazy (``gettext_lazy``) and become text in the language the
gate activated for the update. Functions that put data into a message escape
everything a user or an admin typed with ``html.escape``, because every
message is sent with HTML parse mode.
"""
