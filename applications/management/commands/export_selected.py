"""Write a call's documents to a file: the selected list (PDF) or all its applications."""

import shutil

from django.core.management.base import BaseCommand, CommandError

from applications import queries
from applications.documents import exports, pdf
from applications.services.exports import export_record

FORMATS = ("pdf", "csv", "xlsx")


class Command(BaseCommand):
    help = (
        "Export a call: --format pdf writes the list of selected units and drafters "
        "(起草单位和起草人名单); csv/xlsx write every application of the call."
    )

    def add_arguments(self, parser):
        parser.add_argument("--call", required=True, metavar="CODE", help="code of the call")
        parser.add_argument("--format", required=True, metavar="|".join(FORMATS))
        parser.add_argument("-o", "--output", required=True, metavar="FILE")

    def handle(self, *args, call, format, output, **options):
        if format not in FORMATS:
            raise CommandError(f"Unknown format {format!r}: choose one of {', '.join(FORMATS)}.")
        target = queries.call_by_code(call)
        if target is None:
            raise CommandError(f"No call {call!r}: run `manage.py seed_call` first.")
        applications = target.applications.all()
        try:
            if format == "pdf":
                count = queries.selected_ordered(target).count()
                data = pdf.selected_list_pdf(target)
                with open(output, "wb") as out:
                    out.write(data)
                document = "selected_list"
            elif format == "csv":
                with open(output, "w", encoding="utf-8", newline="") as out:
                    for chunk in exports.csv_lines(applications):
                        out.write(chunk)
                count = queries.export_count(applications)
                document = "applications"
            else:
                handle, count = exports.xlsx_file(applications)
                with handle, open(output, "wb") as out:
                    shutil.copyfileobj(handle, out)
                document = "applications"
        except pdf.DocumentUnavailable as error:
            raise CommandError(str(error)) from error
        except OSError as error:
            raise CommandError(f"Cannot write {output}: {error}") from error
        export_record(actor=None, document=document, format=format, count=count, calls=[call])
        what = "selected units" if format == "pdf" else "applications"
        self.stdout.write(f"Wrote {count} {what} of {call} to {output} ({format}).")
