"""The console's HTTP side: the page, its static files, and the /api the page calls."""
