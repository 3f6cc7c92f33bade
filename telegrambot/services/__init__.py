"""The bot's own rules, on its own tables: broadcasts, maintenance mode, dialog state."""
