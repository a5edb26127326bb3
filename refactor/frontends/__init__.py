"""The ways in: the command line, the wizard, the language server, merge and verify. Each is a
thin adapter over :mod:`dockerslim_refactor.api` and imports no other front end."""
