"""File formats shared by import and export: spreadsheet-safe cells, CSV/XLSX writers, vCard."""
