"""Work the bot does besides answering an update: sending a broadcast, alerting about low stock."""
