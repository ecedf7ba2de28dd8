"""Citizen promises as data: their definitions in the store (``definitions``: periods, the
promises of each, the indicators followed up and their targets), changed in the app or by a
file (``files``), each change one undoable entry of the import log."""
