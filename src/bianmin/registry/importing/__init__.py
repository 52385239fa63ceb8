"""Bulk import of people and households from a register sheet (.xlsx / .csv).

The parts, in the order a file meets them:

- `columns`  — the template: which headers exist, which are required, the downloadable .xlsx;
- `reading`  — sniffing the file type and text encoding, streaming rows without loading the file;
- `xlsx`     — openpyxl's read-only reader with the shared-string table on disk;
- `rows`     — checking every row with the same validators the services use, in batches
               (`lookups`: what the database knows; `households`: the 户 rules);
- `batch`    — what a checked batch holds, in the column order the writers use;
- `writing`  — putting a checked batch into the database (COPY on PostgreSQL, bulk_create else);
- `pipeline` — one pass over a file: read → check → write, with a writer thread on PostgreSQL;
- `errors_sheet` — the .xlsx of rejected rows with their 错误原因.

`bianmin.registry.services.imports` ties them together into jobs (create, run, progress).
"""
