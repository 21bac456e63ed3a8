"""How fast the PDFs are, and how much of that is Django's.

    .venv/bin/python bench/documents.py [--rounds 15] [--units 30]

On a scratch SQLite database (BENCH_DATABASE_URL to use another, empty one) it seeds the
call, ``--units`` demo applications and selects them all, then measures side by side, in
one run, alternating within each round after three warm-up rounds:

  list  a  WeasyPrint rendering the selected list's HTML string directly
          (``weasyprint.HTML(string=html).write_pdf()``, WeasyPrint's defaults)
        a' the same string through our renderer (``pdf.html_to_pdf``: cached fonts)
        b  the whole request: the test Client GETs /organiser/calls/<code>/selected.pdf
          (middleware, session, login, queries, template, rendering, audit entry)
  form  the same three for one application's 申报表 (/organiser/applications/<pk>/form.pdf)

It prints the median and the 90th percentile of each and the ratios b / a and b / a', the
share of the time that is Django's (a' leaves out only WeasyPrint's fresh font set-up).
Targets: list < 2 s, form < 1 s warm; b / a <= 1.2.
"""

import argparse
import statistics
import time

from _scratch import scratch


def measure(label: str, steps: dict, rounds: int) -> dict[str, list[float]]:
    times = {name: [] for name in steps}
    for round_number in range(rounds + 3):
        for name, step in steps.items():
            started = time.perf_counter()
            step()
            elapsed = time.perf_counter() - started
            if round_number >= 3:  # the first three rounds warm up
                times[name].append(elapsed)
    print(f"\n{label} ({rounds} rounds, alternating)")
    for name, values in times.items():
        values.sort()
        p90 = values[min(len(values) - 1, round(0.9 * (len(values) - 1)))]
        print(f"  {name:<44} median {statistics.median(values):6.3f} s   p90 {p90:6.3f} s")
    return times


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--units", type=int, default=30)
    args = parser.parse_args()

    call, organiser = scratch(args.units)

    import weasyprint
    from django.test import Client

    from applications import selectors, services
    from applications.documents import pdf

    for application in call.applications.order_by("reference")[: args.units]:
        if application.status != "selected":
            services.application_select(
                application=application, actor=organiser, override_reason="基准测试"
            )
    selected = selectors.selected_ordered(call)
    application = selected.first()
    print(f"{selected.count()} selected units; list of call {call.code}, form of {application}")

    client = Client()
    client.force_login(organiser)
    list_url = f"/organiser/calls/{call.code}/selected.pdf"
    form_url = f"/organiser/applications/{application.pk}/form.pdf"

    started = time.perf_counter()
    assert client.get(list_url).status_code == 200
    print(f"first request (cold: imports, fonts): {time.perf_counter() - started:.3f} s")

    list_html = pdf.selected_list_html(call)
    form_html = pdf.application_form_html(selectors.application_for_document(application.pk))
    pages = len(weasyprint.HTML(string=list_html).render().pages)
    print(f"the list has {pages} pages")

    def get(url):
        def step():
            response = client.get(url)
            assert response.status_code == 200 and response.content.startswith(b"%PDF-")

        return step

    results = {}
    for label, html, url in (("list", list_html, list_url), ("form", form_html, form_url)):
        results[label] = measure(
            f"{label}: {url}",
            {
                "a  WeasyPrint, HTML string": lambda html=html: weasyprint.HTML(
                    string=html
                ).write_pdf(),
                "a' pdf.html_to_pdf, HTML string": lambda html=html: pdf.html_to_pdf(html),
                "b  Django request (test Client)": get(url),
            },
            args.rounds,
        )

    print("\nsummary")
    for label, limit in (("list", 2.0), ("form", 1.0)):
        a, cached, b = (statistics.median(v) for v in results[label].values())
        print(
            f"  {label}: request {b:.3f} s (target < {limit:.0f} s); WeasyPrint alone {a:.3f} s, "
            f"ratio b/a {b / a:.2f} (target <= 1.2); our renderer alone {cached:.3f} s, "
            f"ratio b/a' {b / cached:.2f}"
        )


if __name__ == "__main__":
    main()
