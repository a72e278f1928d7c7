"""Writes the holiday calendars Relais embeds (see generate.sh)."""

import argparse
import csv
import datetime
import os

import vacances_scolaires_france
from jours_feries_france import JoursFeries


def public(out, version, first_year, last_year):
    with open(os.path.join(out, "public-holidays.tsv"), "w", encoding="utf-8") as f:
        f.write(
            f"# French public holidays {first_year}-{last_year} by zone: "
            f"jours-feries-france {version} (MIT, Etalab)\n"
        )
        f.write("zone\tdate\tname\n")
        for zone in JoursFeries.ZONES:
            for year in range(first_year, last_year + 1):
                days = JoursFeries.for_year(year, zone)
                for name, day in sorted(days.items(), key=lambda kv: kv[1] or datetime.date.min):
                    if day is not None:
                        f.write(f"{zone}\t{day.isoformat()}\t{name}\n")


def school(out, version):
    data = os.path.join(os.path.dirname(vacances_scolaires_france.__file__), "data", "data.csv")
    periods = []
    with open(data, encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    for zone in ("A", "B", "C"):
        current = None
        for row in rows:
            on = row[f"vacances_zone_{zone.lower()}"] == "True"
            if on and current is None:
                current = [zone, row["date"], row["date"], row["nom_vacances"]]
            elif on:
                current[2] = row["date"]
            elif current is not None:
                periods.append(current)
                current = None
        if current is not None:
            periods.append(current)
    periods.sort(key=lambda p: (p[1], p[0]))
    with open(os.path.join(out, "school-holidays.tsv"), "w", encoding="utf-8") as f:
        f.write(
            f"# French school holidays of zones A, B and C, first and last day: "
            f"vacances-scolaires-france {version} (MIT, Antoine Augusti; "
            f"data: Ministère de l'Éducation nationale, Licence Ouverte)\n"
        )
        f.write("zone\tfirst\tlast\tname\n")
        for zone, first, last, name in periods:
            f.write(f"{zone}\t{first}\t{last}\t{name}\n")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--public-version", required=True)
    parser.add_argument("--school-version", required=True)
    parser.add_argument("--first-year", type=int, required=True)
    parser.add_argument("--last-year", type=int, required=True)
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    public(args.out, args.public_version, args.first_year, args.last_year)
    school(args.out, args.school_version)


if __name__ == "__main__":
    main()
