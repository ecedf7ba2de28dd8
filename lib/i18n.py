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
        "**Exempeldata – fiktiva händelser (demoläge).** Siffrorna på den här sidan kommer från "
        "påhittade exempeldata och beskriver inte verkliga händelser i {municipality}. De tas "
        "bort när riktiga data läses in."
    ),
    "app.no_data": "Det finns inga händelser ännu. En inloggad analytiker läser in data på sidan Data.",
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
    # --- public layer: verdict words, changes, coverage, disclosure (lib/public/views.py) ---
    "verdict.no_data": "ingen data",
    "verdict.too_few": "för få händelser",
    "verdict.hidden": "dold",
    "verdict.help_hidden": "”dold” betyder att antalet döljs för att skydda enskilda, eftersom en annan rad i tabellen är liten.",
    "noun.incident_one": "händelse",
    "noun.incident_many": "händelser",
    "change.increase": "ökningen är {pct} (95 % konfidensintervall {low}–{high})",
    "change.decrease": "minskningen är {pct} (95 % konfidensintervall {low}–{high})",
    "change.no_change": "ingen säkerställd förändring (skillnad {pct}, 95 % konfidensintervall {low} till {high})",
    "change.no_previous": "året innan registrerades inga, så ingen förändring kan anges i procent",
    "change.none_either": "inga händelser registrerades under någon av perioderna",
    "change.short": "{pct} ({low} till {high})",
    "change.sentence_total": "Under perioden {period} registrerades {count}.",
    "change.sentence_compare": "Jämfört med samma dagar året innan ({previous}) är takten per invånare – {change}.",
    "change.sentence_compare_increase": "Jämfört med samma dagar året innan ({previous}) har takten per invånare ökat: {change}.",
    "change.sentence_compare_decrease": "Jämfört med samma dagar året innan ({previous}) har takten per invånare minskat: {change}.",
    "change.sentence_compare_none": "Jämfört med samma dagar året innan ({previous}): {change}.",
    "change.sentence_too_few": "Det är för få händelser för att bedöma någon förändring mot samma dagar året innan.",
    "change.sentence_no_data": "Det finns ingen data för samma dagar året innan ({previous}), så ingen förändring kan bedömas.",
    "change.note_partial": "Jämförelsen bygger bara på de {days} av periodens {total} dagar som har data i båda perioderna.",
    "change.note_year_by_year": "Perioden är längre än ett år och skulle överlappa sig själv; jämförelsen gäller därför de sista tolv månaderna ({current}) mot tolv månader tidigare.",
    "change.summary_category_up": "{category} ökade säkerställt – {change}.",
    "change.summary_category_down": "{category} minskade säkerställt – {change}.",
    "change.summary_locality_up": "I {locality} ökade händelserna säkerställt – {change}.",
    "change.summary_locality_down": "I {locality} minskade händelserna säkerställt – {change}.",
    "change.help": "Förändringen är kvoten mellan takterna per invånare (händelser per invånare och dag, med varje års egen folkmängd) med exakt 95 % konfidensintervall. Den kallas ökning eller minskning bara när intervallet för förändringen inte omfattar 0 %; i den öppna vyn dessutom bara när det gäller för alla exakta tal som bruset kan dölja.",
    "trends.summary_unusual_count": "{count} {months} låg utanför det normala (se fliken Ovanliga månader).",
    "trends.month_one": "kategorimånad",
    "trends.month_many": "kategorimånader",
    "coverage.gap_note": "Månader utan data från de valda källorna visas som luckor (ingen data), inte som noll.",
    "coverage.no_data_month": "ingen data",
    "col.compared_now": "Jämförda dagar",
    "col.change_ci": "Förändring (95 % KI)",
    "col.total_period": "Hela perioden",
    "disclosure.public_note": "Siffrorna i den öppna vyn har ett litet slumpbrus (högst ±2, samma varje gång för samma händelser) och antal under {threshold} visas som ”färre än {threshold}”, så att ingen enskild händelse kan räknas fram genom att jämföra urval; inloggade analytiker ser exakta tal.",
    "disclosure.exact_note": "Du är inloggad som analytiker och ser exakta tal utan brus och utan dolda småtal. Dela inte skärmbilder offentligt; PDF-lägesbilden och de publicerade filerna är alltid den öppna versionen.",
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
    "overview.metric_compared": "Jämfört: nu mot året innan",
    "overview.compared_value": "{now} mot {then}",
    "overview.compared_help": "Förändringen jämför {days} dagar med data i båda perioderna: {now} mot {then}.",
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
    "trends.col_baseline": "Jämfört med",
    "trends.control_help_seasonal": "Varje månad jämförs med samma kalendermånad upp till {years} år bakåt, bara de år som har data från samma källor. Prövningen är ett exakt test som räknar med att även jämförelseåren är slumpmässiga; en månad markeras som ovanlig när det av en slump händer mindre än 1,35 gånger på 1 000 (per riktning). Det normala intervallet visas bara för månader med minst {min_expected} väntad händelse.",
    "trends.baseline_years": "Jämfört med samma månad {years}.",
    "trends.baseline_years_mixed": "Varje månad jämförs med samma månad de närmast föregående åren med data (sammanlagt {years}).",
    "trends.baseline_none": "Ingen månad i perioden har ett tidigare år med data att jämföras med, så inga månader prövas.",
    "trends.baseline_partial": "{count} av {total} månader har inget jämförelseår med data och prövas inte.",
    "trends.no_data_months": "{count} av {total} månader saknar data (eller har data bara en del av månaden) och prövas inte.",
    "trends.too_few_note": "Kategorier med mindre än {min_expected} väntad händelse i månaden prövas inte.",
    "trends.month_tested": "prövad",
    "trends.month_too_few": "för få händelser",
    "trends.month_no_baseline": "inget jämförelseår",
    "trends.month_no_data": "ingen data",
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
    "promise.rule": "**Så sätts status:** *uppfyllt* när målet är nått; *ej uppfyllt* från periodens sista dag om målet inte är nått; *ej påbörjat* före periodens start, eller så länge inget är gjort och en jämn takt ännu inte kräver något; *i fas* när det gjorda är minst vad en jämn takt över perioden kräver vid datumet (hela antal när målet är ett helt antal: med fyra vandringar på ett år krävs den andra först när halva året har gått); annars *efter plan*, också när inget är gjort fast något borde ha varit det.",
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
    "promise.pace_required": "Jämn takt hade gett {expected} {unit} hittills; i fas med minst {required} {unit}.",
    "promise.outcome_heading": "Utfall för invånarna",
    "promise.outcome_metric": "{what}",
    "promise.outcome_text": "{done} {unit} {label}",
    "promise.promised_text": "Minst {target} {unit} {label}",
    "promise.outcome_compare": "{current} händelser ({period}), året innan {previous} – {verdict}.",
    "promise.outcome_none": "Löftet är inte kopplat till någon händelsetyp.",
    "promise.outcome_categories": "Kategorier: {categories}.",
    "promise.outcome_localities": "Ort: {localities}.",
    "promise.survey_none": "Ingen trygghetsundersökning är inläst, så upplevd trygghet kan inte visas här.",
    "promise.survey_heading": "Upplevd trygghet",
    "promise.survey_all": "hela kommunen",
    "promise.survey_interval": "95 % konfidensintervall",
    "promise.survey_change": "Mot året innan",
    "promise.survey_up": "högre, säkerställt",
    "promise.survey_down": "lägre, säkerställt",
    "promise.survey_note": "Från inläst trygghetsundersökning. Intervallet är exakt (Clopper–Pearson) och förutsätter ett slumpmässigt urval; skillnaden mot året innan prövas med Fishers exakta test.",
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
    # Sign-in hardening: accounts, lockout, audit log, map background (issue 16)
    "auth.name": "Namn",
    "auth.wrong_name_or_password": "Fel namn eller lösenord.",
    "auth.locked": "För många misslyckade försök. Försök igen om {minutes} min.",
    "auth.unavailable": "Inloggningen går inte att använda just nu. Kontakta den som förvaltar dashboarden.",
    "auth.must_change": "Byt lösenord innan du fortsätter: kontot har ett tillfälligt lösenord.",
    "auth.old_password": "Nuvarande lösenord",
    "auth.new_password": "Nytt lösenord (minst 12 tecken)",
    "auth.new_password_again": "Nytt lösenord igen",
    "auth.change_password": "Byt lösenord",
    "auth.passwords_differ": "De nya lösenorden var inte lika.",
    "auth.error_bad_name": "Ange ett namn (högst 128 tecken).",
    "auth.error_bad_role": "Okänd roll.",
    "auth.error_name_taken": "Det finns redan ett konto med det namnet.",
    "auth.error_unknown_account": "Kontot finns inte.",
    "auth.error_password_too_short": "Lösenordet måste ha minst 12 tecken.",
    "auth.error_wrong_old_password": "Fel nuvarande lösenord.",
    "auth.error_same_password": "Det nya lösenordet måste skilja sig från det gamla.",
    "auth.weak_secret": "Hashen i [analyst] password_hash i secrets.toml används inte ({problem}): minst {minimum} iterationer krävs. Skapa en ny med python -m lib.cli hash-password.",
    "admin.heading": "Konton och inloggningslogg",
    "admin.col_name": "Namn",
    "admin.col_role": "Roll",
    "admin.col_service": "Verksamhet",
    "admin.col_must_change": "Måste byta lösenord",
    "admin.col_created": "Skapat",
    "admin.role_analyst": "analytiker",
    "admin.role_reporter": "inrapportör",
    "admin.new_heading": "**Nytt konto**",
    "admin.create": "Skapa konto",
    "admin.created": "Kontot {name} är skapat. Ge personen det tillfälliga lösenordet nedan på ett säkert sätt; det visas bara nu och måste bytas vid första inloggningen.",
    "admin.choose": "Konto",
    "admin.unlock": "Lås upp",
    "admin.unlocked": "Spärren för {name} är hävd.",
    "admin.remove": "Ta bort konto",
    "admin.log_heading": "**Inloggningslogg** (senaste 500 händelserna)",
    "admin.col_when": "Tid",
    "admin.col_event": "Händelse",
    "admin.col_client": "Klient",
    "admin.col_detail": "Detalj",
    "admin.event_sign_in": "inloggad",
    "admin.event_failure": "misslyckat försök",
    "admin.event_locked": "spärrad",
    "admin.event_refused_locked": "försök under spärr",
    "admin.event_sign_out": "utloggad",
    "admin.event_idle": "utloggad efter inaktivitet",
    "admin.event_replay": "sessionen användes från en annan webbläsare",
    "admin.event_removed": "utloggad: kontot borttaget",
    "admin.event_unavailable": "inloggning ej möjlig (konfiguration)",
    "admin.event_oidc_sign_in": "inloggad med kommunens konto",
    "admin.event_oidc_refused": "kommunens konto nekat",
    "admin.event_password_changed": "lösenord bytt",
    "admin.event_account_created": "konto skapat",
    "admin.event_account_removed": "konto borttaget",
    "admin.event_unlocked": "spärr hävd",
    "cli.help_accounts": "hantera lokala konton (add, list, remove, unlock, log)",
    "cli.help_user_role": "roll: analyst (analytiker) eller reporter (inrapportör)",
    "cli.help_user_service": "verksamhet (för inrapportörer)",
    "cli.user_created": "Kontot {name} ({role}) är skapat. Lösenordet måste bytas vid första inloggningen.",
    "cli.user_removed": "Kontot {name} är borttaget.",
    "cli.user_unlocked": "Spärren för {name} är hävd.",
    "cli.no_users": "Inga lokala konton.",
    "cli.users_header": "namn;roll;verksamhet;måste byta lösenord;skapat;skapat av",
    "cli.auth_log_header": "tid;händelse;namn;klient;detalj",
    "map.background_help_tiles": "Av från början. Slå på den för att se kartbilder från {name} under rutorna; då hämtar din webbläsare bilderna därifrån. Rutorna, kommungränsen och orterna visas även utan bakgrundskarta. En länk kan slå på den med ?bakgrund=på.",
    # (end of the issue 16 block)
    "cli.help_hash_password": "skapa en lösenordshash för analytikerinloggning (secrets.toml)",
    "cli.help_publish": "skriv de öppna sidornas siffror för ett urval som JSON-filer (öppna data)",
    "cli.help_ort": "ort (kan anges flera gånger)",
    "cli.help_kategori": "kategori (kan anges flera gånger)",
    "cli.bad_date": "ogiltigt datum: {value} (skriv ÅÅÅÅ-MM-DD)",
    "cli.bad_period": "Periodens sista dag ligger före den första.",
    "cli.unknown_locality": "Okänd ort: {names}.",
    "cli.published": "Skrev {files} i {folder}.",
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
    "import.ok": "{rows} lästes in från {file} (import {id}).",
    "import.nothing_written": "Inget sparades.",
    "import.rejected_summary": "{count} av {total} rader har fel:",
    "import.row_error": "Rad {row}, kolumn {column}: {reason}",
    "import.file_error": "{file}: {reason}",
    "import.skipped_invalid": "{count} med fel hoppades över.",
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
    "cli.seeded": "Exempeldata inläst: {incidents} händelser, {activities} aktiviteter, {cameras} kameror, {peers} rader jämförelsestatistik.",
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
    "cli.help_kind": "vad filen innehåller (utan --kind känns det igen från innehållet)",
    "cli.help_year": "år som siffrorna gäller, för jämförelsestatistik utan årskolumn (BRÅ)",
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
        "{per_one} per 100 000 invånare. Därför visas varje förändring som en kvot mellan "
        "takterna per invånare (med varje års egen folkmängd) och ett exakt 95 % "
        "konfidensintervall; den kallas ökning eller minskning bara när intervallet för "
        "förändringen inte omfattar 0 %. Takter per invånare visas med exakta intervall (Garwood); takter från "
        "färre än 20 händelser markeras som osäkra, och under 3 händelser visas ingen takt.\n\n"
        "**Täckning.** Varje källa täcker bara de dagar som dess inlästa filer omfattar. En "
        "månad utan data är ”ingen data”, aldrig noll, och perioder jämförs bara över de dagar "
        "som har data från samma källor i båda perioderna. En period längre än ett år jämförs "
        "med sina sista tolv månader mot tolv månader tidigare.\n\n"
        "**Ovanliga månader** jämförs med samma kalendermånad de tre föregående åren som har "
        "data, med ett exakt test som räknar med att även jämförelseåren är slumpmässiga.\n\n"
        "**Hotspots** prövas på kommunens rutor innanför kommungränsen med ett exakt "
        "binomialtest per ruta och dess grannar, korrigerat för många samtidiga test "
        "(Benjamini–Hochberg). Under 30 händelser görs ingen analys.\n\n"
        "**Jämförelse** med andra kommuner görs i ett trattdiagram (Spiegelhalter 2005) vars "
        "gränser vidgas när kommunerna skiljer sig mer än slumpen ensam ger.\n\n"
        "**Integritet.** Den öppna vyn låter alla kombinera period, ort, kategori och källa "
        "fritt. För att ingen enskild händelse ska kunna räknas fram genom att jämföra två urval "
        "får varje antal ett litet slumpbrus (högst ±2), som alltid blir detsamma för samma "
        "händelser (cellnyckelmetoden, som australiska statistikbyråns TableBuilder). Antal under "
        "{threshold} visas som ”färre än {threshold}”, i tabeller döljs ytterligare en rad när "
        "bara en vore dold, och alla bedömningar och intervall räknas på de publicerade talen. "
        "Den öppna vyn visar aldrig en enskild händelses plats eller fritextbeskrivningar, och "
        "känsliga kategorier (t.ex. sexualbrott) finns inte på kartan. Inloggade analytiker ser "
        "exakta tal; PDF-lägesbilden och de publicerade filerna är alltid den öppna versionen."
        "\n\n"
        "**Källor.** Händelser kommer från polisen, kommunens egen rapportering av "
        "oroshärdar, väktare och polisens öppna händelser. Polisens öppna händelser omfattar "
        "bara en liten del av de anmälda brotten och är ingen brottsstatistik. "
        "Kommun- och länsgränserna är Valmyndighetens, förenklade av okfse/sweden-geojson: "
        "bra för en karta, inte för att avgöra på vilken sida av gränsen en adress ligger."
    ),
    "about.calibration_heading": "Hur ofta metoderna larmar i onödan",
    "about.calibration_intro": "Varje bedömning har prövats på simulerade data där inget har hänt (och där en verklig skillnad har planterats). Senaste körning {day} med `{command}`:",
    "about.calibration_none": "Kalibreringen har inte körts ännu (`python -m bench.calibration`).",
    "about.col_method": "Metod",
    "about.col_measure": "Mått",
    "about.col_value": "Resultat",
    "about.col_target": "Mål",
    "about.col_met": "Uppfyllt",
    "about.method_change": "Ökning/minskning",
    "about.method_hotspots": "Hotspots",
    "about.method_control": "Ovanliga månader",
    "about.method_funnel": "Jämförelse (tratt)",
    "about.measure_null_false": "felaktiga bedömningar när inget ändrats (exakta tal; öppen vy {public})",
    "about.measure_null_any_hot_95": "kartor med någon het ruta (95 %) när händelserna är slumpmässigt utspridda (exakta tal; öppen vy {public})",
    "about.measure_planted_found_hot_95": "planterat kluster (15 händelser i en ruta) hittat (exakta tal; öppen vy {public})",
    "about.measure_null_false_flag": "kategoriår med någon felaktigt flaggad månad (exakta tal; öppen vy {public})",
    "about.measure_null_outside_95": "kommuner utanför 95 %-gränserna när skillnaderna bara är spridning (utan justering {unadjusted})",
    "about.imports_analysts": "Listan över inlästa filer visas bara för inloggade analytiker.",
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
    # --- data page and file formats (Data) ---
    "kind.peers": "jämförelsestatistik",
    "kind.survey": "trygghetsundersökning",
    "field.region_code": "Kommunkod",
    "field.region": "Kommun",
    "field.year": "År",
    "field.period": "Period",
    "field.count": "Antal",
    "field.rate": "Per 100 000 inv.",
    "field.population": "Folkmängd",
    "field.question": "Fråga",
    "field.share": "Andel (%)",
    "field.respondents": "Antal svar",
    "peers.whole_year": "helår",
    "peers.all_crimes": "Samtliga anmälda brott",
    "err.bad_excel": "filen kunde inte läsas som Excel-arbetsbok (.xlsx)",
    "err.excel_longer": "rad {row} i arbetsboken har fler ifyllda celler än rubrikraden",
    "err.bad_json": "filen är inte giltig JSON (fel nära rad {line})",
    "err.json_shape": "JSON-filen känns inte igen: varken polisens öppna händelser (en lista med id, datetime, name, type och location) eller Kolada (values med kpi, municipality, period)",
    "err.police_none": "filen innehåller inga händelser för {municipality}",
    "err.no_known_regions": "filen innehåller inga av de kommuner och regioner som jämförs (se data/regions.toml)",
    "err.kind_mismatch": "filen innehåller {found}, men {chosen} valdes",
    "err.unknown_kind": "det gick inte att avgöra vad filen innehåller (rubrikerna: {found}); välj typ av data och koppla kolumnerna",
    "err.year_needed": "filen har ingen kolumn för år: ange vilket år siffrorna gäller",
    "err.year_range": "året {value} är orimligt (1990 till i år)",
    "err.not_a_count": "värdet {value} är inget antal (heltal, minst 0)",
    "err.count_or_rate": "antal eller per 100 000 inv. behövs",
    "err.share_range": "andelen {value} ska vara en procentsats mellan 0 och 100",
    "err.no_respondents": "antalet svar måste vara minst 1",
    "err.too_large": "filen är {size} MB; största tillåtna storlek är {limit} MB. Dela upp filen eller läs in den med kommandoraden (python -m lib.cli import).",
    "import.police_notes": "Polisens öppna händelser: {kept} av {total} poster gäller {municipality} och lästes. {elsewhere} gällde andra kommuner och {summaries} var sammanfattningar eller uppdateringar, som inte räknas som händelser. Flödet anger bara kommunen, inte platsen: händelsen knyts till orten som nämns i texten, annars till centralorten, och får inga koordinater.",
    "import.regions_ignored": "{count} om kommuner utanför jämförelsen lämnades utanför (se data/regions.toml).",
    "import.already_there": "{count} fanns redan i databasen och hoppades över.",
    "import.no_valid_rows": "Filen har inga rader att spara.",
    # File import: limits before parsing, encodings, duplicates in a file, value mapping
    "err.mixed_encoding": "filen blandar teckenkodningar: rad {line} är inte UTF-8, men rad {utf8_line} är det. Inget lästes, så att inga tecken sparas förvanskade (”Ã…”). Spara filen på nytt i en och samma kodning, t.ex. i Excel som ”CSV UTF-8”.",
    "err.nul_byte": "filen innehåller ett NUL-tecken (nollbyte) på rad {line}; en textfil har inga sådana. Spara filen på nytt som CSV.",
    "err.too_many_columns": "filen har {count} kolumner; högst {limit} kan läsas",
    "err.line_too_long": "en rad i filen är {size} kB lång; högst {limit} kB per rad kan läsas. Är det rätt fil?",
    "err.too_many_rows": "filen har {count} rader; högst {limit} kan läsas. Dela upp filen.",
    "err.too_many_cells": "filen har fler än {limit} celler (rader gånger kolumner). Dela upp filen.",
    "err.too_many_objects": "JSON-filen har {count} objekt; högst {limit} kan läsas. Dela upp filen.",
    "err.xlsx_unpacked": "Excel-filen blir större än {limit} MB när den packas upp; den är för stor eller för komplex att läsa",
    "err.too_complex": "filen är för stor eller för komplex att läsa (den krävde mer minne eller tid än tillåtet). Dela upp filen eller spara den som CSV.",
    "err.conflicting_id": "id ”{value}” finns också på rad {rows} med annat innehåll; ingen av raderna lästes",
    "err.conflicting_event": "händelsen ”{value}” (post {row} i listan) finns också som post {rows} med annat innehåll; ingen av dem lästes",
    "import.repeats_dropped": "{count} dubbletter i filen togs bort (samma id och samma innehåll).",
    "values.heading": "Värden som inte känns igen",
    "values.help": "Filen använder egna ord för källa, kategori eller ort. Välj vad varje värde betyder; valet sparas och används för nästa fil. Värden som lämnas som fel blir rader med fel.",
    "values.remembered": "Några val sparades för en tidigare fil och är redan ifyllda.",
    "values.col_means": "Betyder",
    "values.leave": "(lämna som fel)",
    "values.no_new_category": "En ny kategori kan inte läggas till här: kategorierna finns i data/categories.toml. Koppla värdet till en befintlig kategori eller lämna raderna som fel.",
    "values.unknown": "Okänt värde i kolumnen {column}: ”{value}” ({rows}).",
    "values.suggestion": "Okänt värde i kolumnen {column}: ”{value}” ({rows}) – menar du ”{suggestion}”?",
    "values.how_to_map": "Koppla värdena med --map FIL, en CSV med raderna kolumn;värde i filen;känt värde (t.ex. källa;Polis;Polisen). Kopplingen sparas för nästa import.",
    "values.bad_map_file": "kopplingsfilen {file} kunde inte läsas: {reason}",
    "values.bad_map_line": "rad {line}: {reason}",
    "values.bad_map_column": "kolumnen ”{value}” kan inte kopplas (använd källa, kategori eller ort)",
    "values.bad_map_target": "”{value}” är inget känt värde för {column}",
    "values.bad_map_shape": "en rad ska ha tre fält: kolumn, värde i filen, känt värde",
    "cli.help_map": "fil (CSV eller TOML) som kopplar filens egna värden till kända: kolumn;värde i filen;känt värde, t.ex. källa;Polis;Polisen",
    # --- BRÅ meeting: presentation and situation report ---
    "page.meeting": "BRÅ-möte",
    "meeting.heading": "Lägesbild för BRÅ",
    "meeting.intro": "Underlag för det lokala brottsförebyggande rådets möte: en sak i taget på projektorn, och samma siffror som PDF för protokollet.",
    "meeting.period": "Period",
    "meeting.period_since": "Sedan mötet {day}",
    "meeting.period_default": "90 dagar före {day}",
    "meeting.period_promise": "Löftesperioden {period}",
    "meeting.presentation": "Presentationsläge",
    "meeting.presentation_help": "Stor text och en vy i taget, för projektorn. Länken med ?presentation=1 öppnar direkt i presentationsläge.",
    "meeting.previous_view": "← Föregående",
    "meeting.next_view": "Nästa →",
    "meeting.view_of": "{n} av {total}",
    "meeting.exit": "Avsluta presentationen",
    "meeting.view_overview": "Läget i siffror",
    "meeting.view_trend": "Utvecklingen månad för månad",
    "meeting.view_hotspots": "Var det händer",
    "meeting.view_promise": "Medborgarlöftet",
    "meeting.view_since": "Sedan förra mötet",
    "meeting.since_text": "Perioden {period} jämförs med samma period året innan ({previous}).",
    "meeting.no_meeting": "Inga mötesdatum är sparade, så perioden är de senaste 12 månaderna. En inloggad analytiker lägger till BRÅ:s mötesdatum här på sidan.",
    "meeting.fig_total": "Händelser",
    "meeting.fig_previous": "Året innan",
    "meeting.fig_change": "Förändring",
    "meeting.fig_rate": "Per 1 000 invånare",
    "meeting.chart_current": "Perioden",
    "meeting.chart_previous": "Året innan",
    "meeting.chart_axis": "Händelser per månad",
    "meeting.trend_heading": "Utveckling",
    "meeting.categories_heading": "Kategorier",
    "meeting.hotspots_heading": "Platser med flest händelser",
    "meeting.hotspots_none": "Inga händelser med plats under perioden.",
    "meeting.hotspots_note": "Rutor om {cell} m; antal under sekretessgränsen visas som ”färre än …”. Hotspot: exakt test av rutan med grannrutor inom kommungränsen, med FDR-korrektion.",
    "meeting.hotspots_too_few": "För få händelser för hotspot-analys ({n} med plats; minst 30 behövs). Tabellen visar rutorna med flest händelser.",
    "meeting.promise_title": "Medborgarlöftet",
    "meeting.promise_heading": "Löftesperioden {period}, läget per {day}.",
    "meeting.no_promise": "Inget medborgarlöfte gäller för perioden.",
    "meeting.sources_heading": "Källor",
    "meeting.report_title": "Lägesbild – {municipality}",
    "meeting.report_period": "Period: {period}, jämfört med {previous}.",
    "meeting.report_made": "Framtagen {day} ur trygghetsdashboarden.",
    "meeting.report_sample": "Exempeldata – fiktiva händelser. Siffrorna i rapporten kommer från påhittade exempeldata och beskriver inte verkliga händelser.",
    "meeting.report_rules": "Förändringar kallas ökning eller minskning bara när ett Poissontest visar att de sannolikt inte beror på slumpen (5 % signifikansnivå). Antal under {threshold} visas som ”färre än {threshold}”; rapporten innehåller inga enskilda händelsers platser eller beskrivningar.",
    "meeting.download_pdf": "Ladda ner lägesbild (PDF)",
    "meeting.pdf_failed": "PDF:en kunde inte skapas. Felet har loggats; försök igen eller kontakta den som förvaltar dashboarden.",
    # --- peer comparison page (Jämförelse) ---
    "page.peers": "Jämförelse",
    "peers.heading": "Jämförelse med andra kommuner",
    "peers.intro": "Anmälda brott per 100 000 invånare i {municipality} jämfört med en grupp kommuner som du väljer nedan. Små kommuner varierar mycket av slump; trattdiagrammet visar hur långt från gruppens nivå en kommun av varje storlek kan hamna utan att skilja sig säkerställt.",
    "peers.group": "Jämför med",
    "peers.group_county": "kommunerna i {county}",
    "peers.group_members": "Jämfört med {group}: {members}.",
    "peers.group_count": "Jämfört med {group} ({n} kommuner med siffror).",
    "peers.own_missing": "Siffran för {municipality} {year} saknas eller är undertryckt (”..”) i källan, så ingen jämförelse görs.",
    "peers.dispersion_wide": "Spridningen mellan kommunerna är större än slumpen ensam ger (φ = {phi}); gränserna har vidgats därefter. De räknar med att kommunernas nivåer skiljer sig åt med ungefär {tau} utöver slumpen (slumpmässig kommuneffekt, Spiegelhalter 2005).",
    "peers.dispersion_plain": "Spridningen mellan kommunerna är inte större än slumpen ensam ger (φ = {phi}); gränserna är exakta Poissongränser.",
    "peers.dispersion_reference": "Gruppens {members} kommuner är för få för att skatta spridningen, så den är skattad på alla {n} kommuner i jämförelsestatistiken och tillämpad på gruppen.",
    "peers.dispersion_small": "Spridningen är skattad på bara {n} kommuner och är därför osäker.",
    "peers.no_data": "Det finns ingen jämförelsestatistik för {municipality} inläst. En analytiker läser in BRÅ:s kommunfil eller Kolada-data på sidan Data.",
    "peers.category": "Brott",
    "peers.year": "År",
    "peers.sources": "Källa: {sources}.",
    "peers.too_few": "För {year} finns för få kommuner med siffror för en jämförelse.",
    "peers.funnel_heading": "Trattdiagram {year}",
    "peers.funnel_line": "{level}-gräns",
    "peers.legend_group": "Kommuner i gruppen",
    "peers.legend_peers": "Samma kommungrupp (SKR)",
    "peers.hover": "<b>%{{customdata[0]}}</b><br>%{{customdata[1]}} per 100 000 inv.<br>%{{customdata[2]}} brott, %{{customdata[3]}} invånare",
    "peers.axis_rate": "Per 100 000 invånare",
    "peers.axis_population": "Invånare (logaritmisk skala)",
    "peers.funnel_help": "Varje punkt är en kommun i gruppen ({n} st). Den vågräta linjen är gruppens samlade nivå, {group} per 100 000 invånare ({municipality} inräknad). Streckade linjer: 95 %-gränser, prickade: 99,8 %-gränser (Spiegelhalter 2005). Bara en kommun utanför 95 %-gränserna kallas över eller under gruppen.",
    "peers.verdict_inside": "{municipality} skiljer sig inte säkerställt från gruppen {year}: {rate} {category} per 100 000 invånare, mot gruppens {group}.",
    "peers.verdict_above": "{municipality} ligger över gruppen {year}: {rate} {category} per 100 000 invånare mot gruppens {group} ({beyond}).",
    "peers.verdict_below": "{municipality} ligger under gruppen {year}: {rate} {category} per 100 000 invånare mot gruppens {group} ({beyond}).",
    "peers.beyond_95": "utanför 95 %-gränsen men inom 99,8 %-gränsen",
    "peers.beyond_998": "utanför även 99,8 %-gränsen",
    "peers.short_inside": "inom",
    "peers.short_above": "över",
    "peers.short_below": "under",
    "peers.col_region": "Kommun",
    "peers.col_population": "Invånare",
    "peers.col_count": "Anmälda brott",
    "peers.col_rate": "Per 100 000 inv.",
    "peers.col_limits": "95 %-gränser",
    "peers.col_limits_998": "99,8 %-gränser",
    "peers.col_verdict": "Bedömning",
    "peers.col_year": "År",
    "peers.trend_heading": "Över tid",
    "peers.trend_too_short": "Det behövs minst två år med siffror för att visa utvecklingen.",
    "peers.median": "Median, övriga kommuner i gruppen",
    "peers.band": "Mittersta hälften av övriga kommuner i gruppen",
    "peers.note": "Anmälda brott räknas där brottet begicks och påverkas av anmälningsbenägenhet och polisens egna insatser (t.ex. narkotikabrott). Takten bygger på folkmängden i filen, annars den 31 december 2018 (data/regions.toml).",
    "peers.fetch_heading": "Hämta från Kolada",
    "peers.fetch_help": "Hämtar brottsnyckeltal (N07540, N07403, N07546, N07544) för länets kommuner direkt från Kolada. Kräver internet; det som hämtas sparas som en vanlig import och kan ångras på sidan Data.",
    "peers.fetch_button": "Hämta nu",
    "peers.fetch_offline": "Ingen kontakt med Kolada (inget internet eller blockerat). Sidan visar det som redan finns inläst.",
    "page.data": "Data",
    "data.heading": "Data",
    "data.intro": "Här läser analytiker in filer från andra system, ser vad som kommer att sparas innan något sparas, och ångrar en import vid behov.",
    "data.sign_in_first": "Logga in som analytiker i sidomenyn för att läsa in eller ändra data.",
    "data.not_configured": "Inläsning av data kräver en inloggad analytiker, och inloggning är inte aktiverad här. Kommandoraden fungerar för den som har tillgång till servern.",
    "data.tab_import": "Läs in fil",
    "data.tab_log": "Importlogg",
    "data.tab_templates": "Mallar och export",
    "data.upload": "Välj fil (CSV, Excel .xlsx eller JSON)",
    "data.upload_button": "Välj fil",
    "data.upload_hint": "eller dra hit den · högst {limit} MB · CSV, Excel (.xlsx), JSON",
    "data.upload_help": "Största filstorlek {limit} MB. Semikolon, komma eller tabb; UTF-8 eller Windows-1252; decimalkomma går bra.",
    "data.kind": "Typ av data",
    "data.kind_auto": "Känn igen automatiskt",
    "data.kind_found": "Filen känns igen som {kind}.",
    "data.year": "År som siffrorna gäller (om filen saknar årskolumn)",
    "data.source": "Källa för rader utan källa",
    "data.source_none": "(ingen – filen har en källkolumn)",
    "data.mapping_heading": "Kolumner",
    "data.mapping_help": "Kontrollera vad varje kolumn i filen betyder. Ändringar sparas för nästa fil med samma rubriker.",
    "data.mapping_remembered": "Kopplingen är den som sparades för en tidigare fil med samma rubriker.",
    "data.col_file": "Kolumn i filen",
    "data.col_example": "Exempel",
    "data.col_means": "Betyder",
    "data.unused": "(används inte)",
    "data.report_heading": "Kontroll före import",
    "data.rows_total": "Rader i filen",
    "data.rows_ok": "Godkända rader",
    "data.rows_bad": "Rader med fel",
    "data.errors_heading": "Rader med fel",
    "data.col_row": "Rad",
    "data.col_column": "Kolumn",
    "data.col_reason": "Orsak",
    "data.preview_heading": "Förhandsvisning av det som sparas (de första {n} raderna)",
    "data.import_all": "Spara {n}",
    "data.import_valid": "Spara {n} godkända, hoppa över {bad} med fel",
    "data.import_nothing": "Spara ingenting",
    "data.cancelled": "Inget sparades.",
    "data.file_refused": "Filen kan inte läsas in:",
    "data.progress_reading": "Läser och kontrollerar …",
    "data.progress_storing": "Sparar …",
    "data.errors_download": "Ladda ner felen (CSV)",
    "data.log_intro": "Varje import sparas i en enda transaktion och kan ångras i sin helhet.",
    "data.undo_choose": "Import att ångra",
    "data.undo_confirm": "Jag vill ta bort alla rader som import {id} lade till",
    "data.undo_button": "Ångra importen",
    "data.undone": "Import {id} ångrades: {rows} rader togs bort.",
    "data.nothing_to_undo": "Det finns ingen import att ångra.",
    "data.templates_intro": "Mallar med svenska rubriker och en exempelrad. Fyll i och läs in under ”Läs in fil”.",
    "data.template_button": "Mall för {kind}",
    "data.export_intro": "Allt som finns i databasen, som CSV för Excel (semikolon, UTF-8). Text som börjar med =, +, - eller @ får en apostrof så att Excel inte kör den som formel.",
    "data.export_button": "Exportera {kind} ({n} rader)",
    # --- map page (Karta) ---
    "page.map": "Karta",
    "map.heading": "Karta",
    "map.view": "Visa",
    "map.view_grid": "Antal per ruta",
    "map.view_hotspots": "Hotspots",
    "map.view_heat": "Värmekarta",
    "map.cell": "Rutstorlek",
    "map.area": "Område",
    "map.area_all": "Hela kommunen",
    "map.cell_option": "{size} m",
    "map.background": "Bakgrundskarta",
    "map.background_osm": "OpenStreetMap",
    "map.background_none": "ingen bakgrundskarta",
    "map.background_help": "Bakgrundskartan hämtas från OpenStreetMap. Utan internet, eller om du inte vill att webbläsaren kontaktar OpenStreetMap, välj ”ingen bakgrundskarta”: rutorna, kommungränsen och orterna visas ändå.",
    "map.points": "Visa enskilda händelser (bara för inloggad analytiker)",
    "map.points_note": "Enskilda händelser visas bara för dig som är inloggad, som kluster; känsliga kategorier visas aldrig. Högst {limit} av de senaste händelserna visas.",
    "map.count_label": "{count} händelser",
    "map.legend_counts": "Händelser per ruta ({cell} m)",
    "map.legend_hotspots": "Heta och kalla rutor",
    "map.legend_heat": "Värmekarta (rutor med minst {threshold} händelser)",
    "map.bin_3": "het, 99 % konfidens",
    "map.bin_2": "het, 95 % konfidens",
    "map.bin_1": "het, 90 % konfidens",
    "map.bin_minus1": "kall, 90 % konfidens",
    "map.bin_minus2": "kall, 95 % konfidens",
    "map.bin_minus3": "kall, 99 % konfidens",
    "map.bin_0": "–",
    "map.outline_label": "Kommungräns (ungefärlig)",
    "map.outline_label_exact": "Kommungräns",
    "map.outline_label_shipped": "Kommungräns (förenklad; Valmyndigheten via okfse/sweden-geojson)",
    "map.camera_label": "Kamera {name}, radie {radius} m",
    "map.tiles_attribution": "© OpenStreetMap-bidragsgivare",
    "map.summary": "{incidents} händelser med plats i urvalet, i {cells} rutor om {cell} × {cell} m.",
    "map.summary_few": "{incidents} händelser med plats i urvalet.",
    "map.summary_hotspots": "Hotspot-analysen hittar {hot} heta och {cold} kalla rutor med minst 90 % konfidens, efter korrigering för många samtidiga test.",
    "map.summary_no_hotspots": "Hotspot-analysen hittar ingen ruta där koncentrationen sannolikt är mer än slump.",
    "map.too_few": "För få händelser för hotspot-analys: {incidents} händelser med plats inom kommungränsen, minst {minimum} behövs. Kartan visar antal per ruta i stället.",
    "map.outside_note": "{outside} händelser ligger i rutor utanför kommungränsen och ingår inte i hotspot-analysen.",
    "map.no_points": "Inga händelser i urvalet.",
    "map.excluded_note": "{excluded} händelser i urvalet finns inte på kartan: de saknar plats eller hör till känsliga kategorier (de två redovisas inte var för sig).",
    "map.privacy_note": "Kartan visar aldrig var en enskild händelse inträffade: händelserna räknas per ruta, och i den öppna vyn visas inte rutor med färre än {threshold} händelser alls. Känsliga kategorier (t.ex. sexualbrott och relationsvåld) finns inte på kartan.",
    "map.hotspot_help": "Så görs hotspot-analysen: studieområdet är kommunens rutor, de rutor vars mittpunkt ligger innanför kommungränsen, oavsett var händelserna inträffat. För varje ruta räknas händelserna i rutan och dess åtta grannrutor (ett fönster om 3 × 3 rutor). Om risken vore lika stor överallt i kommunen skulle varje händelse hamna i fönstret med en sannolikhet som är fönstrets andel av kommunens rutor; antalet i fönstret jämförs med det förväntade med ett exakt binomialtest, som håller även när antalen är små. Eftersom tusentals rutor testas samtidigt korrigeras resultatet så att högst 10, 5 respektive 1 % av de markerade rutorna väntas vara falsklarm (Benjamini–Hochberg), därav 90, 95 och 99 % konfidens. En het ruta har själv minst en händelse och ligger i ett fönster med fler händelser än slumpen rimligen ger. En kall ruta har färre än väntat; det prövas bara där minst {expected} händelser väntas i fönstret, eftersom ett tomt fönster annars inte säger något. Med färre än {minimum} händelser inom kommungränsen görs ingen analys alls. Observera vad jämförelsen är: händelser jämnt utspridda över kommunens yta. Tätorter, där människor bor och rör sig, blir därför nästan alltid heta och skog och åkermark kalla; en het ruta säger att händelserna samlas där, inte att risken per invånare är högre.",
    "map.outline_note": "Kommungränsen är ungefärlig.",
    "map.top_heading": "Platser med flest händelser",
    "map.top_help": "Rutorna med flest händelser och alla heta rutor, jämfört med samma period året innan. Förändringen visas inte när något av antalen är färre än {threshold}.",
    "map.download_csv": "Ladda ner platserna (CSV)",
    "map.download_excel": "Ladda ner platserna (Excel)",
    "map.sheet": "Platser",
    "map.place": "{locality}, {distance} m {direction}",
    "map.place_centre": "{locality}, centrum",
    "col.place": "Plats",
    "col.cell": "Rutans mitt (SWEREF 99 TM)",
    "col.hotspot": "Hotspot",
    # --- interventions (cameras now, dated insatser later) ---
    "interventions.heading": "Kameror: före och efter, jämfört med resten av kommunen",
    "interventions.none": "Det finns inga kameror med installationsdatum i databasen.",
    "interventions.months": "Månader före och efter",
    "interventions.months_option": "{months} månader",
    "interventions.radius": "Radie",
    "interventions.radius_own": "kamerans egen",
    "interventions.months_used": "{used} av {asked} ({first}–{last})",
    "interventions.months_none": "0 av {asked}",
    "interventions.no_data_after": "ingen data efter",
    "interventions.no_data_before": "ingen data före",
    "interventions.wdq": "{reading} (WDQ {value})",
    "interventions.reading_diffusion_greater": "vinsten spred sig, mer än själva minskningen",
    "interventions.reading_diffusion": "vinsten spred sig till omgivningen",
    "interventions.reading_neither": "ingen förflyttning",
    "interventions.reading_displacement": "viss förflyttning, mindre än minskningen",
    "interventions.reading_displacement_greater": "förflyttningen är större än minskningen",
    "interventions.col_camera": "Kamera",
    "interventions.col_installed": "Uppsatt",
    "interventions.col_months": "Jämförda månader efter",
    "interventions.col_target_before": "Före",
    "interventions.col_target_after": "Efter",
    "interventions.col_buffer_before": "Omgivningen före",
    "interventions.col_buffer_after": "Omgivningen efter",
    "interventions.col_control_before": "Jämförelseområdet före",
    "interventions.col_control_after": "Jämförelseområdet efter",
    "interventions.col_change": "Förändring jämfört med jämförelseområdet (95 % KI)",
    "interventions.col_verdict": "Bedömning",
    "interventions.col_displacement": "Förflyttning (WDQ)",
    "interventions.help": (
        "Före och Efter är händelser inom radien under hela månader efter att kameran sattes "
        "upp och under samma kalendermånader före, så att årstiderna är desamma; månader utan "
        "data i någon av perioderna används inte. Jämförelseområdet är resten av kommunen "
        "(eller de valda orterna) utanför radien och omgivningen, utan andra kameror som "
        "sattes upp under samma tid. Förändringen är hur mycket antalet inom radien ändrades "
        "utöver förändringen i jämförelseområdet, med exakt 95 % konfidensintervall (Fishers "
        "villkorliga test); den kallas minskning eller ökning bara när intervallet inte "
        "omfattar noll, och när flera kameror visas justeras testen för det (Benjamini–"
        "Hochberg). Färre än {minimum} händelser inom radien före och efter tillsammans räcker "
        "inte för en bedömning. Omgivningen är en ring {buffer} m utanför radien: där syns om "
        "händelserna flyttat dit. Förflyttningen bedöms med Weighted Displacement Quotient "
        "(Bowers & Johnson 2003), bara när minskningen är säkerställd: över 1 minskade "
        "omgivningen mer än kameraområdet, mellan 0 och 1 spred sig vinsten, mellan 0 och −1 "
        "flyttade en mindre del av händelserna, under −1 flyttade fler än kameran tog bort. "
        "Urvalets kategori och källa gäller, men inte dess period."
    ),
    # Periods, sample mode and meeting dates (issues 12 and 14)
    "period.last12": "Senaste 12 månaderna ({period})",
    "period.this_year": "I år ({period})",
    "period.last_year": "Förra året ({year})",
    "period.meeting": "Sedan mötet {day}",
    "period.promise": "Löftesperioden {period}",
    "period.year": "År {year}",
    "period.month": "{month}",
    "period.custom": "Egna datum …",
    "period.custom_dates": "Första och sista dag",
    "period.public_note": "Den publika vyn visar fasta perioder och en eller alla orter, kategorier och källor, så att ingen kan räkna fram ett dolt litet antal genom att jämföra många urval; inloggade analytiker väljer fritt.",
    "period.clamped": "Data finns bara till och med {last}; perioden slutar där.",
    "period.before_data": "Perioden ligger helt före de första data ({first}).",
    "period.partial_month": "{month} är inte komplett: data finns till och med {last}.",
    "cli.help_period": "en av de publika perioderna, t.ex. senaste-12, i-ar, forra-aret, ar-2024, manad-2024-03, lofte-ID eller mote-ÅÅÅÅ-MM-DD (standard: senaste-12)",
    "cli.period_not_public": "Perioden är inte en av de publika perioderna. Välj en av dessa med --period:",
    "cli.one_or_all": "Den publika vyn visar en eller alla orter, kategorier och källor: ange högst en av varje.",
    "cli.help_keep_sample": "behåll exempeldata (annars tas de bort i samma steg som riktiga data läses in)",
    "cli.help_sample": "exempeldata: load läser in dem, remove tar bort alla i ett steg",
    "sample.removed": "Exempeldata togs bort (import {ids}). Det går att läsa in dem igen med python -m lib.cli sample load.",
    "sample.none_to_remove": "Det finns inga exempeldata att ta bort.",
    "sample.removed_with_import": "Exempeldata togs bort i samma steg, så att bara riktiga data visas.",
    "sample.demo_heading": "Demoläge",
    "sample.demo_text": "Dashboarden visar påhittade exempeldata så att du kan se hur den fungerar. En inloggad analytiker tar bort dem med en knapp på sidan Data, eller med python -m lib.cli sample remove; de tas också bort när riktiga data läses in.",
    "sample.remove_button": "Ta bort exempeldata",
    "sample.load_button": "Läs in exempeldata (demo)",
    "sample.replace_checkbox": "Ta bort exempeldata i samma steg (rekommenderas: annars blandas påhittade och riktiga händelser)",
    "sample.empty_offer": "Det finns inga data ännu. En analytiker läser in riktiga data på sidan Data, eller exempeldata för en demo.",
    "store.meeting_entry": "mötesdatum {day}",
    "kind.meetings": "mötesdatum",
    "meetings.heading": "BRÅ:s mötesdatum",
    "meetings.intro": "Mötesdatumen styr perioden ”sedan mötet” på sidan BRÅ-möte och i urvalet. Varje datum loggas och kan ångras i importloggen.",
    "meetings.add": "Lägg till mötesdatum",
    "meetings.day": "Mötesdag",
    "meetings.added": "Mötesdatumet {day} sparades (post {id} i importloggen).",
    "meetings.none": "Inga mötesdatum är sparade ännu.",
    "meetings.undo": "Ångra",
    "meetings.list": "Sparade möten",
    "chart.hidden_legend": "färre än {threshold} (döljs)",
    "map.off_map_label": "{locality}: {count} händelser utan exakt plats · {verdict}",
    "map.off_map_legend": "händelser utan exakt plats, per ort",
    "map.off_map_heading": "Orter: händelser utan exakt plats",
    "map.off_map_note": "Händelser som saknar koordinater (Polisens öppna händelser anger bara kommun och ort) och händelser i känsliga kategorier ritas inte i rutorna. De visas i stället som en cirkel per ort och i tabellen nedan, jämförda med samma period året innan.",
    "meeting.hotspots_by_locality": "Händelserna i perioden saknar exakt plats, så de visas per ort.",
    "map.only_off_map": "Ingen händelse i urvalet har en exakt plats, så kartan visar dem per ort.",
    # --- shared deployment: PostgreSQL, several municipalities (issue 15, items 3-5) ---
    "cli.help_migrate": "skapa lagret eller uppgradera dess schema till den nya versionen",
    "cli.schema_current": "Lagret har redan den senaste schemaversionen ({version}).",
    "cli.schema_created": "Lagret skapades med schemaversion {version}.",
    "cli.schema_upgraded": (
        "Lagret uppgraderades från schemaversion {before} till {after}; rader som fanns "
        "hör nu till kommun {code}."
    ),
    "tenancy.cli_refused": (
        "{name} får inte ändra data för {municipality} (se [kommuner] i secrets.toml). "
        "Inget sparades."
    ),
    "tenancy.read_only": "Du är inloggad men får inte ändra data för {municipality}.",
    # (end of the issue 15.3-15.5 block)
    # --- another municipality: `python -m lib.cli kommun new` (issue 15, items 1-2) ---
    "cli.help_kommun_cmd": "kommunens konfiguration: kommun new KOD skriver en startkonfiguration",
    "cli.help_kommun_new": "skriv en startkonfiguration för en kommun utifrån dess kommunkod",
    "cli.help_kommun_code": "kommunkoden med fyra siffror (SCB), t.ex. 0180",
    "cli.help_kommun_out": "fil att skriva (annars data/<kommunnamn>.toml)",
    "cli.help_kommun_force": "skriv över en befintlig fil",
    "kommun.unknown_code": "Okänd kommunkod: {code}. Ange en av Sveriges 290 kommunkoder med fyra siffror (SCB), t.ex. 0180.",
    "kommun.exists": "Filen {file} finns redan. Inget skrevs; lägg till --force för att skriva över den.",
    "kommun.written": "Startkonfiguration för {name} ({county}) skriven till {file}.\nStarta dashboarden för kommunen med: TRYGGHET_KOMMUN={selector} streamlit run dashboard.py\nFyll sedan i orter, folkmängd, medborgarlöften och mötesdatum i filen.",
    "kommun.display_name": "{name} kommun",
    "kommun.toml_header": "Startkonfiguration för {name} (kommunkod {code}), skriven av `python -m lib.cli kommun new {code}`.\nAllt som gäller kommunen finns i den här filen. Namn, län, mittpunkt och gränsruta kommer\nfrån kommungränserna i data/geo/ (Valmyndigheten via okfse/sweden-geojson).\nFyll i det som bara kommunen vet: orter, folkmängd, medborgarlöften och BRÅ:s mötesdatum.",
    "kommun.toml_privacy": "Antal under detta visas aldrig i den öppna vyn (”färre än 3”).",
    "kommun.toml_centre": "En punkt inne i kommunen (WGS 84).",
    "kommun.toml_bbox": "Gränsruta (WGS 84) runt den förenklade kommungränsen med cirka 2 km marginal: koordinater\nutanför den avvisas vid import. Kartan och hotspotanalysen använder själva kommungränsen.",
    "kommun.toml_sensitive": "Kategorier som aldrig visas som punkter och hålls borta från vyer per plats.",
    "kommun.toml_meetings": "Datum för det lokala brottsförebyggande rådets (BRÅ:s) möten, t.ex. [2025-02-10, 2025-04-07].",
    "kommun.toml_peers": 'Kommuner i samma kommungrupp (SKR), t.ex. ["Kumla", "Nora"]; tomt om ingen grupp är vald.',
    "kommun.toml_population": "Folkmängd 31 december varje år (SCB), t.ex. 2024 = 14000. Utan folkmängd visas inga takter\nper invånare.",
    "kommun.toml_comparison": "Jämförelse: grupperna som sidan Jämförelse erbjuder, `default` först. Länets kommuner\n(county = true) är förvalet; lägg till kommungruppen (SKR) som en grupp med members = [...].",
    "kommun.toml_localities": "Orter: lägg till en [[localities]] per ort (namn, folkmängd, lat, lon; approximate = true om\npositionen är ungefärlig). Listan är tom tills den fylls i. Ta bort # framför raderna nedan\noch rätta dem.",
    "kommun.toml_promises": "Medborgarlöften: en [[promise_periods]] per löftesperiod, med en definitionsfil i data/promises/.\nTa bort # framför raderna nedan och rätta dem.",
    # Issue 14, items 7–10 (projector, PDF, phone, downloads, Swedish widgets)
    "chart.partial_month": "ofullständig månad",
    "chart.partial_week": "ofullständig vecka",
    "chart.partial_hover": "{value} (ofullständig: {days} av {of} dagar)",
    "date.help": "Skriv dagen som ÅÅÅÅ-MM-DD, t.ex. 2025-03-01.",
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


def fmt_rows(n: int) -> str:
    """'1 rad', '2 rader', '1 234 rader'."""
    return f"{fmt_int(n)} {'rad' if n == 1 else 'rader'}"


def fmt_int(value: float) -> str:
    """1234 -> '1 234' (non-breaking space as thousands separator)."""
    return format_decimal(round(value), locale=LOCALE)


def fmt_num(value: float, decimals: int = 1) -> str:
    """5.3456 -> '5,3'."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    pattern = "#,##0" + ("." + "0" * decimals if decimals else "")
    return format_decimal(value, format=pattern, locale=LOCALE)


def fmt_signed(value: float, decimals: int = 0) -> str:
    """+20, −8 (a real minus sign), 0; ``decimals`` as in ``fmt_num``."""
    text = fmt_num(abs(value), decimals)
    if round(value, decimals) == 0:
        return text
    return ("+" if value > 0 else "\u2212") + text


def fmt_signed_pct(fraction: float, decimals: int = 0) -> str:
    """0.2 -> '+20 %', -0.08 -> '−8 %'."""
    return f"{fmt_signed(fraction * 100, decimals)}\u00a0%"


def fmt_count(n: int, text: str | None = None) -> str:
    """'1 händelse', '3 händelser', or the given text (e.g. "färre än 3") + 'händelser'."""
    if text is None:
        text = fmt_int(n)
    noun = t("noun.incident_one") if text == fmt_int(1) else t("noun.incident_many")
    return f"{text} {noun}"


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
