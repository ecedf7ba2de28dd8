"""The one catalogue of Swedish text, and Swedish number and date formatting.

Every string a user reads comes from MESSAGES via ``t``; code, keys and comments are English.
"""

from __future__ import annotations

import datetime as dt
import math

from babel.dates import format_date, format_datetime
from babel.numbers import format_decimal

LOCALE = "sv_SE"

MESSAGES: dict[str, str] = {
    # Application and navigation
    "app.title": "Trygghet i {municipality}",
    "app.sample_banner": (
        "**Exempeldata – fiktiva händelser.** Siffrorna på den här sidan kommer från påhittade "
        "exempeldata och beskriver inte verkliga händelser i {municipality}."
    ),
    "app.no_data": (
        "Det finns inga händelser i databasen ännu. Läs in data med "
        "`python -m lib.cli import FIL` eller exempeldata med `python -m lib.cli seed`."
    ),
    "app.unexpected": "Något gick fel när sidan skulle visas. Felet har loggats på servern; försök igen eller kontakta den som förvaltar dashboarden.",
    "page.overview": "Översikt",
    "page.about": "Om statistiken",
    # Shared filters
    "filter.header": "Urval",
    "filter.period": "Period",
    "filter.period_help": "Välj första och sista dag. Jämförelsen görs med samma period året innan.",
    "filter.locality": "Ort",
    "filter.category": "Kategori",
    "filter.source": "Källa",
    "filter.all": "Alla",
    "filter.share_hint": "Länken i adressfältet återskapar exakt det här urvalet.",
    "filter.incomplete_period": "Välj både första och sista dag i perioden.",
    "filter.empty_selection": "Inga händelser matchar urvalet. Ändra period, ort, kategori eller källa.",
    # Sources (canonical codes -> labels)
    "source.police": "Polisen",
    "source.municipal_report": "Kommunens rapportering",
    "source.security_guard": "Väktare",
    "source.police_open_events": "Polisens öppna händelser",
    "source.other": "Annan källa",
    "source.coverage_note": (
        "Polisens öppna händelser omfattar bara en liten del (långt under 5 %) av de anmälda "
        "brotten och är ingen brottsstatistik."
    ),
    # Verdicts
    "verdict.increase": "ökning",
    "verdict.decrease": "minskning",
    "verdict.no_change": "ingen säkerställd förändring",
    "verdict.help": (
        "En förändring kallas ökning eller minskning bara när ett statistiskt test "
        "(Poisson, 5 % signifikansnivå) visar att den sannolikt inte beror på slumpen."
    ),
    "verdict.help_many": (
        "När många kategorier jämförs samtidigt justeras testen (Benjamini–Hochberg), så att "
        "slumpen inte får en kategori att se ut att ha ändrats."
    ),
    "suppressed": "färre än {threshold}",
    "rate.ok": "",
    "rate.unreliable": "osäker (färre än 20 händelser)",
    "rate.too_few": "för få händelser",
    "rate.no_population": "befolkning saknas",
    # Overview page
    "overview.heading": "Översikt",
    "overview.period_caption": "{period}, jämfört med {previous}",
    "overview.metric_total": "Händelser",
    "overview.metric_rate": "Per 1 000 invånare",
    "overview.metric_rate_help": "Händelser under perioden per 1 000 invånare, med 95 % konfidensintervall {low}–{high}.",
    "overview.metric_rate_unreliable": "Osäker takt: färre än 20 händelser.",
    "overview.metric_previous": "Samma period året innan",
    "overview.rate_no_population": "Befolkningssiffra saknas för {places}; ingen takt visas.",
    "overview.summary_total": (
        "Under perioden {period} registrerades {current} händelser, {change} än samma period "
        "året innan ({previous}) – {verdict}."
    ),
    "overview.summary_total_suppressed": "Under perioden {period} registrerades {current} händelser (samma period året innan: {previous}) – {verdict}.",
    "overview.summary_total_same": (
        "Under perioden {period} registrerades {current} händelser, lika många som samma period "
        "året innan – ingen förändring."
    ),
    "overview.summary_total_no_previous": (
        "Under perioden {period} registrerades {current} händelser; samma period året innan "
        "registrerades inga."
    ),
    "overview.summary_category_up": "{category} ökade (från {previous} till {current}, säkerställt).",
    "overview.summary_category_down": "{category} minskade (från {previous} till {current}, säkerställt).",
    "overview.summary_no_significant": "Ingen kategori ändrades säkerställt.",
    "overview.more": "fler",
    "overview.fewer": "färre",
    "overview.categories_heading": "Största kategorierna",
    "overview.trend_heading": "Händelser per månad",
    "overview.trend_current": "Vald period",
    "overview.trend_previous": "Året innan",
    "overview.trend_month": "Månad",
    "overview.trend_count": "Antal händelser",
    "overview.sources_heading": "Datakällor och aktualitet",
    "overview.links_heading": "Mer på andra sidor",
    "overview.suppression_note": "Antal under {threshold} visas som ”färre än {threshold}” för att skydda enskilda.",
    # Trends page
    "page.trends": "Utveckling",
    "trends.heading": "Utveckling",
    "trends.tab_time": "Över tid",
    "trends.tab_change": "Förändring",
    "trends.tab_unusual": "Ovanliga månader",
    "trends.tab_hours": "Tid på dygnet",
    "trends.resolution": "Upplösning",
    "trends.per_month": "Per månad",
    "trends.per_week": "Per vecka",
    "trends.measure": "Visa",
    "trends.measure_count": "Antal händelser",
    "trends.measure_rate": "Per 1 000 invånare",
    "trends.rate_axis": "Händelser per 1 000 invånare",
    "trends.week_axis": "Vecka som börjar",
    "trends.no_rate": "Befolkningssiffra saknas för {places}; visar antal i stället.",
    "trends.breakdown": "Dela upp efter",
    "trends.by_category": "Kategori",
    "trends.by_locality": "Ort",
    "trends.change_help": "Klicka på en kolumnrubrik för att sortera. Takten är händelser under perioden per 1 000 invånare med exakt 95 % konfidensintervall (KI).",
    "trends.download_csv": "Ladda ner CSV",
    "trends.download_excel": "Ladda ner Excel",
    "trends.control_category": "Kategori",
    "trends.control_help": "Kontrollgränserna är exakta Poissongränser beräknade från samma period året innan ({baseline}). En månad utanför gränserna är ovanlig: det händer av en slump mindre än 3 gånger på 1 000.",
    "trends.control_expected": "Väntat",
    "trends.control_band": "Normalt intervall",
    "trends.control_observed": "Antal",
    "trends.control_flagged": "Ovanlig månad",
    "trends.unusual_heading": "Alla ovanliga månader",
    "trends.no_unusual": "Ingen månad låg utanför kontrollgränserna.",
    "trends.col_month": "Månad",
    "trends.col_observed": "Antal",
    "trends.col_expected": "Väntat",
    "trends.col_limits": "Normalt intervall",
    "trends.col_direction": "Avvikelse",
    "trends.flag_high": "fler än normalt",
    "trends.flag_low": "färre än normalt",
    "trends.hours_heading": "Veckodag och timme",
    "trends.hours_help": "Bara händelser med känd tidpunkt ({share} av urvalet). Rutor med färre än {threshold} händelser visas tomma.",
    "trends.night_heading": "Nattandel (22–06)",
    "trends.night_metric": "Andel på natten",
    "trends.night_metric_help": "95 % konfidensintervall {low}–{high}. Året innan: {previous}. Skillnaden prövas med Fishers exakta test.",
    "trends.night_delta": "{change} procentenheter – {verdict}",
    "trends.night_trend": "Nattandel per månad",
    "trends.night_axis": "Andel på natten",
    "trends.no_times": "Inga händelser i urvalet har känd tidpunkt.",
    "trends.summary_locality_up": "I {locality} ökade händelserna (från {previous} till {current}, säkerställt).",
    "trends.summary_locality_down": "I {locality} minskade händelserna (från {previous} till {current}, säkerställt).",
    "trends.summary_unusual": "{count} kategorimånader låg utanför det normala; mest avvikande var {category} i {month} ({n} händelser mot väntat {expected}).",
    "trends.summary_no_unusual": "Ingen månad låg utanför det normala.",
    "trends.summary_night": "{share} av händelserna med känd tidpunkt inträffade på natten (22–06), året innan {previous} – {verdict}.",
    "weekday.0": "mån",
    "weekday.1": "tis",
    "weekday.2": "ons",
    "weekday.3": "tors",
    "weekday.4": "fre",
    "weekday.5": "lör",
    "weekday.6": "sön",
    # Promise page
    "page.promises": "Medborgarlöftet",
    "promise.heading": "Medborgarlöftet",
    "promise.period": "Löftesperiod",
    "promise.period_label": "{start} – {end}",
    "promise.as_of": "Läge per dag",
    "promise.as_of_help": "Dra för att se hur det såg ut vid ett visst datum, t.ex. inför ett BRÅ-möte.",
    "promise.intro": "Polisen och {municipality} lovade tillsammans följande för perioden {period}. Läget visas per {as_of}.",
    "promise.examples_note": "Målen (antal) är exempel: löftet angav inga siffror.",
    "promise.summaries_note": "Löftestexterna för den här perioden är sammanfattningar, inte ordagrann lydelse.",
    "promise.rule": "**Så sätts status:** *uppfyllt* när målet är nått; *ej uppfyllt* när perioden är slut utan att målet nåtts; *ej påbörjat* när inget är gjort ännu; *i fas* när det gjorda är minst vad en jämn takt över perioden skulle ha gett vid datumet; annars *efter plan*.",
    "promise.status_fulfilled": "uppfyllt",
    "promise.status_on_pace": "i fas",
    "promise.status_behind": "efter plan",
    "promise.status_not_started": "ej påbörjat",
    "promise.status_not_fulfilled": "ej uppfyllt",
    "promise.responsible_police": "Polisen",
    "promise.responsible_municipality": "Kommunen",
    "promise.responsible_joint": "Polisen och kommunen",
    "promise.done_of_target": "{done} av {target} {unit}",
    "promise.pace": "Jämn takt hade gett {expected} {unit} hittills.",
    "promise.outcome_heading": "Utfall för invånarna",
    "promise.outcome_metric": "{what}",
    "promise.outcome_text": "{done} {unit} {label}",
    "promise.promised_text": "Minst {target} {unit} {label}",
    "promise.outcome_compare": "{current} händelser ({period}), året innan {previous} – {verdict}.",
    "promise.outcome_none": "Löftet är inte kopplat till någon händelsetyp.",
    "promise.outcome_categories": "Kategorier: {categories}.",
    "promise.outcome_localities": "Ort: {localities}.",
    "promise.survey_none": "Ingen trygghetsundersökning är inläst, så upplevd trygghet kan inte visas här.",
    "promise.timeline_heading": "Aktiviteter över tid",
    "promise.timeline_future": "Efter valt datum",
    "promise.where_heading": "Var trygghetsvandringar och möten hölls",
    "promise.where_none": "ingen",
    "promise.followup_heading": "Uppföljning – det här lovade vi, det här blev utfallet",
    "promise.col_promise": "Löfte",
    "promise.col_promised": "Det här lovade vi",
    "promise.col_outcome": "Det här blev utfallet",
    "promise.col_status": "Status",
    "promise.no_periods": "Inga löftesperioder finns i kommunens konfiguration.",
    "promise.no_activities": "Inga aktiviteter är registrerade för perioden ännu.",
    "promise.file_error": "Löftesfilen {file} kan inte användas: {reason}",
    "promise.check_target_not_positive": "målet måste vara större än noll (är {value})",
    "promise.check_period_order": "periodens slut ligger före dess start",
    "promise.record_heading": "Registrera aktivitet",
    "promise.record_signed_out": "Logga in som analytiker för att registrera aktiviteter.",
    "promise.record_indicator": "Löfte och indikator",
    "promise.record_date": "Datum",
    "promise.record_kind": "Aktivitet",
    "promise.record_quantity": "Antal",
    "promise.record_locality": "Ort",
    "promise.record_responsible": "Ansvarig",
    "promise.record_note": "Anteckning",
    "promise.record_link": "Länk till underlag (valfritt)",
    "promise.record_submit": "Spara aktivitet",
    "promise.record_saved": "Aktiviteten sparades (import {id}). Den kan ångras nedan.",
    "promise.recent_heading": "Senast registrerade i appen",
    "promise.undo": "Ångra import {id}",
    "promise.undone": "Import {id} ångrades.",
    "err.indicator_not_in_promise": "indikatorn ”{value}” hör inte till löftet ”{promise}”",
    "err.outside_period": "datumet {value} ligger utanför löftesperioden {start}–{end}",
    # Analysts' sign-in
    "auth.heading": "Analytiker",
    "auth.signed_in_as": "Inloggad som {name}.",
    "auth.sign_out": "Logga ut",
    "auth.sign_in": "Logga in",
    "auth.sign_in_oidc": "Logga in med kommunens konto",
    "auth.password": "Lösenord",
    "auth.wrong_password": "Fel lösenord.",
    "auth.default_name": "analytiker",
    "auth.not_configured": "Inloggning för analytiker är inte aktiverad, så inget kan ändras här. Den som förvaltar dashboarden aktiverar den i `.streamlit/secrets.toml`: antingen `[auth]` för kommunens inloggning (OIDC, t.ex. Microsoft Entra ID) eller ett lokalt lösenord under `[analyst]` (skapa hashen med `python -m lib.cli hash-password`).",
    "cli.help_hash_password": "skapa en lösenordshash för analytikerinloggning (secrets.toml)",
    "cli.password_prompt": "Lösenord: ",
    "cli.password_again": "Samma lösenord igen: ",
    "cli.password_mismatch": "Lösenorden var inte lika.",
    "cli.password_too_short": "Lösenordet måste ha minst 12 tecken.",
    "cli.default_analyst_name": "Säkerhetssamordnare",
    "cli.password_snippet": "Lägg in detta i .streamlit/secrets.toml:",
    # Table columns
    "col.category": "Kategori",
    "col.current": "Perioden",
    "col.previous": "Året innan",
    "col.change": "Förändring",
    "col.change_pct": "Förändring, %",
    "col.verdict": "Bedömning",
    "col.p_value": "p-värde (justerat)",
    "col.source": "Källa",
    "col.locality": "Ort",
    "col.rate": "Per 1 000 inv.",
    "col.rate_ci": "95 % KI",
    "col.rate_low": "95 % KI, från",
    "col.rate_high": "95 % KI, till",
    "col.rate_status": "Tillförlitlighet",
    "col.incidents": "Händelser totalt",
    "col.first": "Första händelse",
    "col.last": "Senaste händelse",
    "col.last_import": "Senast inläst",
    # Field labels (one per canonical column name in lib/schemas.py)
    "field.id": "Id",
    "field.occurred_at": "Tidpunkt",
    "field.category": "Kategori",
    "field.locality": "Ort",
    "field.lat": "Latitud",
    "field.lon": "Longitud",
    "field.source": "Källa",
    "field.description": "Beskrivning",
    "field.promise_id": "Löfte",
    "field.indicator_id": "Indikator",
    "field.date": "Datum",
    "field.kind": "Aktivitet",
    "field.quantity": "Antal",
    "field.unit": "Enhet",
    "field.responsible": "Ansvarig",
    "field.note": "Anteckning",
    "field.evidence_url": "Länk till underlag",
    "field.name": "Namn",
    "field.installed_on": "Installerad",
    "field.radius_m": "Radie (m)",
    # Import and validation messages
    "import.ok": "{rows} rader lästes in från {file} (import {id}).",
    "import.nothing_written": "Inget sparades.",
    "import.rejected_summary": "{count} av {total} rader har fel:",
    "import.row_error": "Rad {row}, kolumn {column}: {reason}",
    "import.file_error": "{file}: {reason}",
    "import.skipped_invalid": "{count} rader med fel hoppades över.",
    "import.already_imported": "Filen är redan inläst (import {id}, {when}). Inget sparades.",
    "import.more_ids": "… och {count} till",
    "import.no_new_rows": "Alla rader finns redan i databasen. Inget sparades.",
    "err.file_missing": "filen finns inte",
    "err.file_empty": "filen är tom",
    "err.not_text": "filen är inte en textfil (CSV)",
    "err.header_only": "filen har rubrikrad men inga datarader",
    "err.unreadable": "filen kunde inte läsas som CSV: {detail}",
    "err.detail_fields": "rad {line} har {saw} fält men rubrikraden har {expected}",
    "err.detail_longer": "någon rad har fler fält än rubrikraden",
    "err.detail_unknown": "filens struktur känns inte igen som CSV",
    "err.missing_columns": "kolumnen {columns} saknas (rubrikerna som finns: {found})",
    "err.duplicate_columns": "kolumnen {columns} förekommer flera gånger",
    "err.required": "värde saknas",
    "err.bad_date": "ogiltigt datum ”{value}” (använd t.ex. 2019-03-05 eller 2019-03-05 22:15)",
    "err.future_date": "datumet {value} ligger i framtiden",
    "err.too_old": "datumet {value} är före 1990",
    "err.bad_number": "ogiltigt tal ”{value}”",
    "err.unknown_category": "okänd kategori ”{value}”",
    "err.unknown_locality": "okänd ort ”{value}” (kända orter: {known})",
    "err.unknown_source": "okänd källa ”{value}” (använd t.ex. {known})",
    "err.coords_partial": "både lat och lon behövs, eller ingen av dem",
    "err.coords_swapped": "lat och lon verkar vara omkastade ({lat}, {lon})",
    "err.coords_outside": "koordinaterna ({lat}, {lon}) ligger utanför kommunen",
    "err.duplicate_id": "id ”{value}” förekommer flera gånger i filen",
    "err.existing_id": "id ”{value}” finns redan i databasen",
    "err.negative": "värdet får inte vara negativt",
    "err.unknown_promise": "okänt löfte ”{value}”",
    "err.unknown_indicator": "okänd indikator ”{value}” för löftet",
    "err.out_of_range": "värdet {value} är utanför tillåtet intervall",
    "err.schema": "värdet ”{value}” är ogiltigt ({check})",
    # Command line
    "cli.description": "Trygghetsdashboardens kommandorad: läs in, exportera och ångra data.",
    "cli.seeded": "Exempeldata inläst: {incidents} händelser, {activities} aktiviteter, {cameras} kameror.",
    "cli.already_seeded": "Exempeldata finns redan i databasen (import {id}). Inget sparades.",
    "cli.exported": "{rows} rader exporterades till {file}.",
    "cli.no_imports": "Inga importer finns.",
    "cli.undone": "Import {id} ångrades: {rows} rader togs bort.",
    "cli.unknown_import": "Import {id} finns inte.",
    "cli.already_undone": "Import {id} är redan ångrad.",
    "cli.unexpected": "Oväntat fel: {error}",
    "cli.help_db": "databas: sökväg eller SQLAlchemy-URL (annars TRYGGHET_DB)",
    "cli.help_kommun": "kommunens konfiguration (annars TRYGGHET_KOMMUN)",
    "cli.help_user": "namn i importloggen (annars inloggad användare)",
    "cli.help_seed": "läs in exempeldata",
    "cli.help_import": "läs in en CSV-fil",
    "cli.help_kind": "vad filen innehåller",
    "cli.help_source": "källa för rader utan kolumnen källa",
    "cli.help_skip_invalid": "spara giltiga rader även om andra rader har fel",
    "cli.help_export": "exportera till CSV (Excel-vänlig)",
    "cli.help_imports": "visa importloggen",
    "cli.help_undo": "ångra en import",
    "cli.bad_command": "Felaktigt kommando: {message}\nSe `python -m lib.cli --help`.",
    "store.unknown_user": "okänd",
    "cli.imports_header": "id;tid;typ;fil;rader;av;sha256;ångrad",
    # About page
    "about.heading": "Om statistiken",
    "about.body": (
        "Den här sidan förklarar hur siffrorna tas fram och hur de ska läsas.\n\n"
        "**Små tal.** I en kommun med {population} invånare ({year}) motsvarar en enda händelse "
        "{per_one} per 100 000 invånare. Därför visas varje förändring tillsammans med ett "
        "statistiskt test: bara när testet visar att skillnaden sannolikt inte beror på slumpen "
        "kallas den ökning eller minskning (Poissontest, 5 % signifikansnivå). Takter per "
        "invånare visas med exakta 95 % konfidensintervall (Garwood); takter från färre än 20 "
        "händelser markeras som osäkra, och under 3 händelser visas ingen takt alls.\n\n"
        "**Integritet.** Antal under {threshold} visas som ”färre än {threshold}”. Den publika "
        "vyn visar aldrig en enskild händelses plats eller fritextbeskrivningar, och känsliga "
        "kategorier (t.ex. sexualbrott) visas aldrig som punkter.\n\n"
        "**Källor.** Händelser kommer från polisen, kommunens egen rapportering av "
        "oroshärdar, väktare och polisens öppna händelser. Polisens öppna händelser omfattar "
        "bara en liten del av de anmälda brotten och är ingen brottsstatistik."
    ),
    "about.localities_heading": "Orter och befolkning",
    "about.col_locality": "Ort",
    "about.col_population": "Invånare",
    "about.col_approx": "Ungefärlig position",
    "about.yes": "ja",
    "about.no": "nej",
    "about.imports_heading": "Inlästa filer",
    "about.col_id": "Import",
    "about.col_when": "Tid",
    "about.col_kind": "Typ",
    "about.col_file": "Fil",
    "about.col_rows": "Rader",
    "about.col_user": "Av",
    "about.col_undone": "Ångrad",
    "kind.incidents": "händelser",
    "kind.activities": "aktiviteter",
    "kind.cameras": "kameror",
}


# argparse's own texts (it looks them up through gettext), for a Swedish command line.
ARGPARSE: dict[str, str] = {
    "usage: ": "användning: ",
    "positional arguments": "argument",
    "options": "flaggor",
    "show this help message and exit": "visa den här hjälpen och avsluta",
    "argument %(argument_name)s: %(message)s": "argumentet %(argument_name)s: %(message)s",
    "invalid %(type)s value: %(value)r": "ogiltigt värde (%(type)s): %(value)r",
    "invalid choice: %(value)r (choose from %(choices)s)": "ogiltigt val: %(value)r (välj bland %(choices)s)",
    "the following arguments are required: %s": "följande argument saknas: %s",
    "unrecognized arguments: %s": "okända argument: %s",
    "expected one argument": "ett värde behövs",
}


def t(key: str, **values: object) -> str:
    """Look up a Swedish text and fill in its placeholders."""
    return MESSAGES[key].format(**values)


def fmt_int(value: float) -> str:
    """1234 -> '1 234' (non-breaking space as thousands separator)."""
    return format_decimal(round(value), locale=LOCALE)


def fmt_num(value: float, decimals: int = 1) -> str:
    """5.3456 -> '5,3'."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    pattern = "#,##0" + ("." + "0" * decimals if decimals else "")
    return format_decimal(value, format=pattern, locale=LOCALE)


def fmt_coord(value: float) -> str:
    """59.0671 -> '59,0671' (up to six decimals)."""
    return format_decimal(value, format="0.######", locale=LOCALE)


def fmt_pct(fraction: float, decimals: int = 1) -> str:
    """0.053 -> '5,3 %'."""
    return f"{fmt_num(fraction * 100, decimals)}\u00a0%"


def fmt_month(value: dt.date) -> str:
    """date(2019, 3, 1) -> 'mars 2019'."""
    return format_date(value, "LLLL yyyy", locale=LOCALE)


def fmt_month_short(value: dt.date) -> str:
    """date(2019, 3, 1) -> 'mar'."""
    return format_date(value, "LLL", locale=LOCALE).rstrip(".")


def fmt_date(value: dt.date) -> str:
    """date(2019, 3, 5) -> '5 mars 2019'."""
    return format_date(value, "d MMMM yyyy", locale=LOCALE)


def fmt_datetime(value: dt.datetime) -> str:
    """A timestamp as '5 mars 2019 22:15'."""
    return format_datetime(value, "d MMMM yyyy HH:mm", locale=LOCALE)


def fmt_period(start: dt.date, end: dt.date) -> str:
    """'1 oktober 2018–30 september 2019'."""
    return f"{fmt_date(start)}–{fmt_date(end)}"


def source_label(code: str) -> str:
    return MESSAGES.get(f"source.{code}", code)
