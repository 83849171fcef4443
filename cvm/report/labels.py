"""Report texts in English and Dutch (`CVM_REPORT_LANGUAGE` or `cvm report --lang`), and number formats."""

from __future__ import annotations

LANGUAGES = ("en", "nl")

LABELS: dict[str, dict[str, str]] = {
    "en": {
        "title": "Customer value evaluation",
        "subtitle": "Month {month} · measured with model run {run} (as of {as_of})",
        "customers": "Customers",
        "value": "12-month value",
        "value_change": "Value change",
        "same_growth": "of which same customers",
        "migration": "of which migration in/out",
        "contact_cost": "Contact costs in the month",
        "goals_reached": "Goals reached",
        "scatter": "Value × potential",
        "scatter_note": "Each dot is a customer at the month end; both axes on a signed log scale.",
        "x_value": "12-month value (€)",
        "y_potential": "potential score",
        "trend": "Segment sizes and value, last 12 months",
        "trend_customers": "customers per segment",
        "trend_value": "12-month value per segment (€)",
        "trend_note": "Months that were evaluated; a month not yet evaluated is left out.",
        "migrations": "Migrations between segments",
        "migrations_note": "Customers from the segment at the previous month end (rows) to the segment at this "
        "month end "
        "(columns).",
        "from": "from",
        "to": "to",
        "costs": "Contact costs against value per segment",
        "costs_note": "Contact costs in the month against one month of value (12-month value / 12).",
        "cost_bar": "contact costs",
        "value_bar": "monthly value",
        "plan_bar": "planned costs",
        "pressure": "Over- and under-contacted customers",
        "pressure_note": "Customers flagged in the published contact pressure (as of {as_of}).",
        "over": "over-contacted",
        "under": "under-contacted",
        "goals": "Goals reached and missed",
        "goals_note": "Each goal's KPI against its target (seeds/segment_goals.csv).",
        "goal_col": "goal",
        "kpi_col": "KPI",
        "target_col": "target",
        "since": "since",
        "reached": "reached",
        "missed": "missed",
        "no data": "no data",
        "uplift": "Uplift against the control group",
        "uplift_note": "Treated minus control per segment, with the {conf} confidence interval and the group sizes "
        "(treated / control).",
        "ok": "ok",
        "not enough data": "not enough data",
        "no control group": "no control group",
        "retention": "retention",
        "revenue_per_customer": "revenue per customer (€)",
        "value_development": "value development (€)",
        "retention_rate": "retention rate",
        "value_growth": "value growth",
        "reactivation_rate": "reactivation rate",
        "cost_to_serve": "cost to serve (€)",
        "segment": "segment",
        "generated": "Generated from the published marts",
        "star": "star",
        "cash_cow": "cash cow",
        "question_mark": "question mark",
        "dog": "dog",
        "sleeper": "sleeper",
        "lost": "lost",
        "new": "new",
        "(new)": "(new)",
        "(gone)": "(gone)",
        "retain": "retain",
        "develop": "develop",
        "reactivate": "reactivate",
        "win back": "win back",
        "part ways": "part ways",
    },
    "nl": {
        "title": "Evaluatie klantwaarde",
        "subtitle": "Maand {month} · gemeten met modelrun {run} (peildatum {as_of})",
        "customers": "Klanten",
        "value": "Waarde 12 maanden",
        "value_change": "Waardeontwikkeling",
        "same_growth": "waarvan dezelfde klanten",
        "migration": "waarvan in-/uitstroom",
        "contact_cost": "Contactkosten in de maand",
        "goals_reached": "Doelen gehaald",
        "scatter": "Waarde × potentie",
        "scatter_note": "Elke stip is een klant aan het eind van de maand; beide assen op een logaritmische schaal.",
        "x_value": "waarde 12 maanden (€)",
        "y_potential": "potentiescore",
        "trend": "Omvang en waarde per klantgroep, laatste 12 maanden",
        "trend_customers": "klanten per klantgroep",
        "trend_value": "waarde 12 maanden per klantgroep (€)",
        "trend_note": "Geëvalueerde maanden; een maand die nog niet geëvalueerd is, ontbreekt.",
        "migrations": "Verschuivingen tussen klantgroepen",
        "migrations_note": "Klanten van de klantgroep aan het eind van de vorige maand (rijen) naar die aan het "
        "eind van "
        "deze maand (kolommen).",
        "from": "van",
        "to": "naar",
        "costs": "Contactkosten tegenover waarde per klantgroep",
        "costs_note": "Contactkosten in de maand tegenover één maand waarde (waarde 12 maanden / 12).",
        "cost_bar": "contactkosten",
        "value_bar": "waarde per maand",
        "plan_bar": "geplande kosten",
        "pressure": "Te vaak en te weinig benaderde klanten",
        "pressure_note": "Klanten gemarkeerd in de gepubliceerde contactdruk (peildatum {as_of}).",
        "over": "te vaak benaderd",
        "under": "te weinig benaderd",
        "goals": "Doelen gehaald en gemist",
        "goals_note": "De KPI van elk doel tegenover de norm (seeds/segment_goals.csv).",
        "goal_col": "doel",
        "kpi_col": "KPI",
        "target_col": "norm",
        "since": "sinds",
        "reached": "gehaald",
        "missed": "gemist",
        "no data": "geen gegevens",
        "uplift": "Effect tegenover de controlegroep",
        "uplift_note": "Benaderd min controlegroep per klantgroep, met het {conf}-betrouwbaarheidsinterval en de "
        "groepsgrootten (benaderd / controle).",
        "ok": "ok",
        "not enough data": "te weinig gegevens",
        "no control group": "geen controlegroep",
        "retention": "behoud",
        "revenue_per_customer": "omzet per klant (€)",
        "value_development": "waardeontwikkeling (€)",
        "retention_rate": "behoudpercentage",
        "value_growth": "waardegroei",
        "reactivation_rate": "reactivatiepercentage",
        "cost_to_serve": "kosten per klant (€)",
        "segment": "klantgroep",
        "generated": "Gemaakt uit de gepubliceerde marts",
        "star": "ster",
        "cash_cow": "melkkoe",
        "question_mark": "vraagteken",
        "dog": "hond",
        "sleeper": "slaper",
        "lost": "verloren",
        "new": "nieuw",
        "(new)": "(nieuw)",
        "(gone)": "(weg)",
        "retain": "behouden",
        "develop": "ontwikkelen",
        "reactivate": "reactiveren",
        "win back": "terugwinnen",
        "part ways": "afscheid nemen",
    },
}


def labels(language: str) -> dict[str, str]:
    if language not in LABELS:
        raise ValueError(f"report language must be one of {', '.join(LANGUAGES)}, not {language!r}")
    return LABELS[language]


def number(value: float | None, language: str, decimals: int = 0) -> str:
    """1234.5 -> '1,235' (en) or '1.235' (nl); None -> '–'."""
    if value is None:
        return "–"
    text = f"{value:,.{decimals}f}"
    return text.replace(",", "_").replace(".", ",").replace("_", ".") if language == "nl" else text


def percent(value: float | None, language: str, decimals: int = 1) -> str:
    return "–" if value is None else number(100 * value, language, decimals) + "%"
