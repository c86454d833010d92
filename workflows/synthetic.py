"""Synthetic but realistic enrolment files (demo and benchmarks): Malian places, names, operators."""

from __future__ import annotations

import csv
import random
from datetime import date
from pathlib import Path

# (region, circle, commune) triples from the program's areas.
PLACES = (
    ("Kayes", "Kita", "Kita"), ("Kayes", "Kita", "Sébékoro"), ("Kayes", "Bafoulabé", "Mahina"),
    ("Koulikoro", "Kolokani", "Nossombougou"), ("Sikasso", "Kolondiéba", "Kolondiéba"),
    ("Ségou", "Tominian", "Tominian"), ("Ségou", "San", "Djeli"),
    ("Mopti", "Djenné", "Djenné"), ("Mopti", "Bankass", "Bankass"), ("Mopti", "Youwarou", "Youwarou"),
)
FIRST_NAMES = ("Aminata", "Fatoumata", "Mariam", "Oumou", "Kadiatou", "Awa", "Bintou", "Hawa",
               "Moussa", "Mamadou", "Seydou", "Boubacar", "Adama", "Ibrahim", "Sékou", "Oumar")
LAST_NAMES = ("Traoré", "Coulibaly", "Diarra", "Keïta", "Konaté", "Sangaré", "Dembélé", "Touré",
              "Diallo", "Sidibé", "Kanté", "Maïga", "Cissé", "Sissoko", "Doumbia", "Togola")
OPERATORS = (("orange-money", "7"), ("moov-money", "6"), ("kafo-jiginew", "9"))
COLUMNS = ("household_id", "head_name", "msisdn", "region", "circle", "commune", "village",
           "operator", "enrolled_on", "productive")


def write_enrolment_csv(
    path: Path,
    households: int,
    *,
    seed: int = 2019,
    enrolled_from: date = date(2019, 1, 1),
    spread_months: int = 6,
    productive_share: float = 0.2,
) -> Path:
    """Write ``households`` rows; household ids are ``<CIRCLE>-NNNNNN``."""
    rng = random.Random(seed)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(COLUMNS)
        for number in range(1, households + 1):
            region, circle, commune = PLACES[number % len(PLACES)]
            operator, prefix = OPERATORS[rng.randrange(len(OPERATORS))]
            month = enrolled_from.month - 1 + rng.randrange(spread_months)
            enrolled_on = date(enrolled_from.year + month // 12, month % 12 + 1, rng.randint(1, 28))
            writer.writerow((
                f"{circle[:4].upper()}-{number:06d}",
                f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}",
                f"+223{prefix}{rng.randrange(10_000_000):07d}" if operator != "kafo-jiginew" else "",
                region, circle, commune, f"{commune} village {rng.randint(1, 12)}",
                operator, enrolled_on.isoformat(),
                "yes" if rng.random() < productive_share else "no",
            ))
    return path
