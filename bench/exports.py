"""Time and memory of the CSV and XLSX exports: memory must not grow with the rows.

    .venv/bin/python bench/exports.py [--rows 10000]

On a scratch SQLite database (BENCH_DATABASE_URL to use another, empty one) it seeds
``--rows`` demo applications (each with its two small files), then exports the first
tenth and then all of them, as CSV (the generator the view streams) and as XLSX (the
write-only workbook in a temporary file). It prints the time of each and the peak of
Python memory allocated during it (tracemalloc, measured in a second pass, since tracing
slows everything down): the peaks for a tenth and for all rows should be about the same.
bench/run.py measures the same on PostgreSQL with ``measure_exports``.
"""

import argparse
import time
import tracemalloc


def csv_export(queryset) -> int:
    """Bytes of the CSV of ``queryset``, made as the view streams it."""
    from applications.documents import exports

    return sum(len(chunk.encode()) for chunk in exports.csv_lines(queryset))


def xlsx_export(queryset) -> int:
    """Bytes of the XLSX of ``queryset``, written as the view writes it."""
    from applications.documents import exports

    handle, _count = exports.xlsx_file(queryset)
    with handle:
        handle.seek(0, 2)
        return handle.tell()


EXPORTS = {"csv": csv_export, "xlsx": xlsx_export}


def first_applications(call, rows: int):
    """The first ``rows`` applications of ``call`` (by primary key)."""
    from applications.models import Application

    ids = Application.objects.filter(call=call).order_by("pk").values_list("pk", flat=True)
    queryset = Application.objects.filter(call=call, pk__lte=ids[rows - 1])
    assert queryset.count() == rows
    return queryset


def measure_exports(call, rows: int) -> dict[str, tuple[float, int, int]]:
    """Export the first ``rows`` applications of ``call`` in each format: {format: (seconds,
    file bytes, peak bytes of Python memory)}, the peak from a second, traced pass."""
    queryset = first_applications(call, rows)
    results = {}
    for name, export in EXPORTS.items():
        started = time.perf_counter()
        size = export(queryset)
        elapsed = time.perf_counter() - started
        tracemalloc.start()
        export(queryset)
        _current, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        results[name] = (elapsed, size, peak)
    return results


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=10_000)
    args = parser.parse_args()

    from _scratch import scratch  # sets Django up on the scratch database

    started = time.perf_counter()
    call, _ = scratch(args.rows)
    print(f"seeded {args.rows} applications in {time.perf_counter() - started:.1f} s")

    for rows in (args.rows // 10, args.rows):
        for name, (elapsed, size, peak) in measure_exports(call, rows).items():
            print(
                f"{name:>4} {rows:>6} rows: {elapsed:6.2f} s, {size / 1e6:6.1f} MB file, "
                f"peak Python memory {peak / 1e6:5.1f} MB"
            )


if __name__ == "__main__":
    main()
