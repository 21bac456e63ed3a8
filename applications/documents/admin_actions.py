"""Admin actions of the documents (export_selected_pdf, export_csv, export_xlsx).

``ApplicationAdmin.actions`` appends ``ACTIONS``; each is an ``@admin.action`` function.
"""

ACTIONS: list = []
