"""Documents made from applications: PDFs (WeasyPrint) and CSV/XLSX exports."""
