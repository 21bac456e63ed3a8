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
Targets: list < 2 s, form < 1 s warm; b / a <= 1.2. With ``--json`` the last line holds the
medians as JSON (bench/run.py reads it): {"list": {"weasyprint": a, "renderer": a',
"request": b}, "form": {...}}, in seconds.
"""

import argparse
import json
import statistics
import time

# The three ways of making each document, as they are printed and as the JSON names them.
STEPS = {
    "weasyprint": "a  WeasyPrint, HTML string",
    "renderer": "a' pdf.html_to_pdf, HTML string",
    "request": "b  Django request (test Client)",
}


def measure(label: str, steps: dict, rounds: int) -> dict[str, float]:
    """Run the steps in turn, three warm-up rounds then ``rounds`` timed ones; print each
    step's median and 90th percentile and return its median, in seconds."""
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
        print(f"  {STEPS[name]:<44} median {statistics.median(values):6.3f} s   p90 {p90:6.3f} s")
    return {name: statistics.median(values) for name, values in times.items()}


def measure_documents(call, organiser, units: int, rounds: int) -> dict[str, dict[str, float]]:
    """Select the first ``units`` applications of ``call``, then time the selected list and
    the first selected unit's 申报表 three ways: {"list": {step: median seconds}, "form": …}."""
    import weasyprint
    from django.test import Client

    from applications import queries, services
    from applications.documents import pdf

    for application in call.applications.order_by("reference")[:units]:
        if application.status != "selected":
            services.decide(
                decision="select", application=application, actor=organiser, reason="基准测试"
            )
    selected = queries.selected_ordered(call)
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
    form_html = pdf.application_form_html(queries.application_for_document(application.pk))
    pages = len(weasyprint.HTML(string=list_html).render().pages)
    print(f"the list has {pages} pages")

    def get(url):
        def step():
            response = client.get(url)
            assert response.status_code == 200 and response.content.startswith(b"%PDF-")

        return step

    return {
        label: measure(
            f"{label}: {url}",
            {
                "weasyprint": lambda html=html: weasyprint.HTML(string=html).write_pdf(),
                "renderer": lambda html=html: pdf.html_to_pdf(html),
                "request": get(url),
            },
            rounds,
        )
        for label, html, url in (("list", list_html, list_url), ("form", form_html, form_url))
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--units", type=int, default=30)
    parser.add_argument("--json", action="store_true", help="the medians as JSON, last line")
    args = parser.parse_args()

    from _scratch import scratch  # sets Django up on the scratch database

    results = measure_documents(*scratch(args.units), args.units, args.rounds)
    print("\nsummary")
    for label, limit in (("list", 2.0), ("form", 1.0)):
        a, cached, b = (results[label][step] for step in STEPS)
        print(
            f"  {label}: request {b:.3f} s (target < {limit:.0f} s); WeasyPrint alone {a:.3f} s, "
            f"ratio b/a {b / a:.2f} (target <= 1.2); our renderer alone {cached:.3f} s, "
            f"ratio b/a' {b / cached:.2f}"
        )
    if args.json:
        print(json.dumps(results))


if __name__ == "__main__":
    main()
