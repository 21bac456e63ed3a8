"""Time and memory of the CSV and XLSX exports: memory must not grow with the rows.

    .venv/bin/python bench/exports.py [--rows 10000]

On a scratch SQLite database (BENCH_DATABASE_URL to use another, empty one) it seeds
``--rows`` demo applications (each with its two small files), then exports the first
tenth and then all of them, as CSV (the generator the view streams) and as XLSX (the
write-only workbook in a temporary file). It prints the time of each and the peak of
Python memory allocated during it (tracemalloc, measured in a second pass, since tracing
slows everything down): the peaks for a tenth and for all rows should be about the same.
"""

import argparse
import time
import tracemalloc

from _scratch import scratch


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=10_000)
    args = parser.parse_args()

    started = time.perf_counter()
    call, _ = scratch(args.rows)
    print(f"seeded {args.rows} applications in {time.perf_counter() - started:.1f} s")

    from applications.documents import exports
    from applications.models import Application

    def csv_export(queryset):
        size = 0
        for chunk in exports.csv_lines(queryset):
            size += len(chunk.encode())
        return size

    def xlsx_export(queryset):
        handle, _count = exports.xlsx_file(queryset)
        with handle:
            handle.seek(0, 2)
            return handle.tell()

    for rows in (args.rows // 10, args.rows):
        ids = Application.objects.filter(call=call).order_by("pk").values_list("pk", flat=True)
        queryset = Application.objects.filter(call=call, pk__lte=ids[rows - 1])
        assert queryset.count() == rows
        for name, export in (("csv", csv_export), ("xlsx", xlsx_export)):
            started = time.perf_counter()
            size = export(queryset)
            elapsed = time.perf_counter() - started
            tracemalloc.start()
            export(queryset)
            _current, peak = tracemalloc.get_traced_memory()
            tracemalloc.stop()
            print(
                f"{name:>4} {rows:>6} rows: {elapsed:6.2f} s, {size / 1e6:6.1f} MB file, "
                f"peak Python memory {peak / 1e6:5.1f} MB"
            )


if __name__ == "__main__":
    main()
