"""Dutch word lists and name formatting for the demo data.

Own lists instead of Faker: no extra dependency, and the lists carry what identity resolution needs to
be tested on (formal names with their nicknames, surname infixes, postcode ranges per city).
"""

from __future__ import annotations

# Formal (baptismal) first names with the call names people actually use; identity matching must learn
# that "Johannes de Vries" in finance and "Hans de Vries" in the CRM can be one person.
MALE_FIRST: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Johannes", ("Jan", "Hans", "Johan")), ("Wilhelmus", ("Wim", "Willem")), ("Cornelis", ("Kees", "Cor")),
    ("Hendrik", ("Henk", "Rik")), ("Jacobus", ("Jaap", "Koos")), ("Gerardus", ("Gerard", "Gert")),
    ("Petrus", ("Piet", "Peter")), ("Adrianus", ("Ad", "Adrie")), ("Antonius", ("Toon", "Ton", "Anton")),
    ("Franciscus", ("Frans",)), ("Theodorus", ("Theo", "Ruud")), ("Martinus", ("Martin", "Tinus")),
    ("Bernardus", ("Ben", "Bernard")), ("Jozef", ("Sjef", "Joep")), ("Nicolaas", ("Klaas", "Niek")),
    ("Jan", ()), ("Daan", ()), ("Sem", ()), ("Lucas", ()), ("Thomas", ("Tom",)), ("Bram", ()), ("Ruben", ()),
    ("Jesse", ()), ("Lars", ()), ("Tim", ()), ("Niels", ()), ("Mark", ()), ("Dennis", ()), ("Kevin", ()),
    ("Sander", ()), ("Bas", ()), ("Joost", ()), ("Pieter", ("Piet",)), ("Erik", ()), ("Jeroen", ()),
    ("Stefan", ()), ("Mohammed", ("Mo",)), ("Ahmed", ()), ("Youssef", ()), ("Robert", ("Rob", "Bert")),
    ("Michiel", ()), ("Wouter", ()), ("Maarten", ()), ("Frank", ()), ("Marco", ()), ("Rik", ()),
)
FEMALE_FIRST: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Elisabeth", ("Lisa", "Els", "Liesbeth")), ("Johanna", ("Anneke", "Hanneke", "Jo")),
    ("Maria", ("Marie", "Mieke", "Ria")), ("Wilhelmina", ("Willy", "Mien")),
    ("Catharina", ("Karin", "Tineke", "Toos")), ("Cornelia", ("Corrie", "Nel")),
    ("Adriana", ("Jeanne", "Jannie")), ("Petronella", ("Nel", "Ellie")), ("Geertruida", ("Truus", "Trudy")),
    ("Hendrika", ("Rika", "Riek")), ("Jacoba", ("Coby", "Co")), ("Margaretha", ("Margriet", "Greet")),
    ("Alexandra", ("Sandra", "Lex")), ("Emma", ()), ("Julia", ()), ("Sophie", ()), ("Anna", ("Anne",)),
    ("Lotte", ()), ("Sanne", ()), ("Fleur", ()), ("Eva", ()), ("Lieke", ()), ("Iris", ()), ("Femke", ()),
    ("Anouk", ()), ("Laura", ()), ("Esther", ()), ("Marieke", ()), ("Sarah", ()), ("Fatima", ()),
    ("Noor", ()), ("Yara", ()), ("Ingrid", ()), ("Monique", ()), ("Sandra", ()), ("Linda", ()),
    ("Petra", ()), ("Annemarie", ("Anne-Marie", "Annemiek")), ("Kim", ()), ("Chantal", ()),
)
# (infix, surname) in roughly descending frequency; the order drives a Zipf-like weight.
SURNAMES: tuple[tuple[str, str], ...] = (
    ("de", "Jong"), ("", "Jansen"), ("de", "Vries"), ("van den", "Berg"), ("van", "Dijk"), ("", "Bakker"),
    ("", "Janssen"), ("", "Visser"), ("", "Smit"), ("", "Meijer"), ("de", "Boer"), ("", "Mulder"),
    ("de", "Groot"), ("", "Bos"), ("", "Vos"), ("", "Peters"), ("", "Hendriks"), ("van", "Leeuwen"),
    ("", "Dekker"), ("", "Brouwer"), ("de", "Wit"), ("", "Dijkstra"), ("", "Smits"), ("de", "Graaf"),
    ("van der", "Meer"), ("van der", "Linden"), ("", "Kok"), ("", "Jacobs"), ("de", "Haan"),
    ("", "Vermeulen"), ("van den", "Heuvel"), ("van der", "Veen"), ("van den", "Broek"), ("de", "Bruijn"),
    ("de", "Bruin"), ("van der", "Heijden"), ("", "Schouten"), ("van", "Beek"), ("", "Willems"),
    ("van", "Vliet"), ("van de", "Ven"), ("", "Hoekstra"), ("", "Maas"), ("", "Verhoeven"), ("", "Koster"),
    ("van", "Dam"), ("van der", "Wal"), ("", "Prins"), ("", "Blom"), ("", "Huisman"), ("ter", "Horst"),
    ("ter", "Haar"), ("'t", "Hart"), ("van 't", "Hof"), ("in 't", "Veld"), ("", "Postma"), ("", "Kuipers"),
    ("van", "Wijk"), ("", "Kramer"), ("", "Yilmaz"), ("", "El Amrani"), ("", "Bouzid"), ("", "Nguyen"),
    ("", "Kaya"), ("van", "Rijn"), ("", "Scholten"), ("", "Timmermans"), ("", "Groen"), ("", "Wouters"),
    ("van", "Veen"), ("", "Gerritsen"), ("", "Boersma"), ("", "Claassen"), ("van", "Loon"), ("den", "Hartog"),
    ("", "Lambregts"), ("", "Sanders"), ("van der", "Laan"), ("", "Hermans"), ("", "Evers"),
    ("van", "Os"), ("", "Koning"), ("van der", "Velden"), ("ten", "Brink"), ("", "Verbeek"), ("", "Molenaar"),
)
# Common full names given on purpose to several different people (namesakes in different cities).
COMMON_NAMES: tuple[tuple[str, str, str, str], ...] = (
    ("M", "Jan", "de", "Vries"), ("F", "Maria", "", "Jansen"), ("M", "Peter", "de", "Jong"),
    ("F", "Anna", "", "Bakker"), ("M", "Kees", "van", "Dijk"), ("F", "Linda", "de", "Boer"),
    ("M", "Mark", "", "Visser"), ("F", "Sandra", "", "Smit"), ("M", "Henk", "van den", "Berg"),
    ("F", "Petra", "", "Mulder"),
)

# city, postcode range (4 digits), area code, population weight, alternative spellings seen in exports
CITIES: tuple[tuple[str, int, int, str, int, tuple[str, ...]], ...] = (
    ("Amsterdam", 1011, 1109, "020", 90, ("A'dam", "AMSTERDAM")),
    ("Rotterdam", 3011, 3089, "010", 65, ("R'dam",)),
    ("Den Haag", 2491, 2599, "070", 55, ("'s-Gravenhage", "s-Gravenhage")),
    ("Utrecht", 3511, 3585, "030", 36, ()), ("Eindhoven", 5611, 5658, "040", 24, ()),
    ("Groningen", 9711, 9747, "050", 23, ()), ("Tilburg", 5011, 5049, "013", 22, ()),
    ("Almere", 1311, 1364, "036", 22, ()), ("Breda", 4811, 4839, "076", 19, ()),
    ("Nijmegen", 6511, 6546, "024", 18, ()), ("Apeldoorn", 7311, 7339, "055", 17, ()),
    ("Haarlem", 2011, 2037, "023", 16, ()), ("Arnhem", 6811, 6846, "026", 16, ()),
    ("Enschede", 7511, 7548, "053", 16, ()), ("Amersfoort", 3811, 3829, "033", 16, ()),
    ("Zwolle", 8011, 8047, "038", 13, ()), ("Leiden", 2311, 2334, "071", 13, ()),
    ("Maastricht", 6211, 6229, "043", 12, ()), ("Dordrecht", 3311, 3329, "078", 12, ()),
    ("Zoetermeer", 2711, 2729, "079", 12, ()), ("'s-Hertogenbosch", 5211, 5237, "073", 16, ("Den Bosch",)),
    ("Leeuwarden", 8911, 8939, "058", 12, ()), ("Deventer", 7411, 7429, "0570", 10, ()),
    ("Delft", 2611, 2629, "015", 10, ()), ("Alkmaar", 1811, 1827, "072", 10, ()),
    ("Hilversum", 1211, 1223, "035", 9, ()), ("Gouda", 2801, 2809, "0182", 7, ()),
    ("Venlo", 5911, 5928, "077", 10, ()), ("Middelburg", 4331, 4339, "0118", 5, ()),
    ("Assen", 9401, 9409, "0592", 7, ()),
)

RESIDENTIAL_STREETS: tuple[str, ...] = (
    "Kerkstraat", "Dorpsstraat", "Stationsweg", "Hoofdstraat", "Molenweg", "Schoolstraat", "Julianastraat",
    "Beatrixlaan", "Wilhelminastraat", "Nieuwstraat", "Kastanjelaan", "Eikenlaan", "Lindenlaan",
    "Prinsengracht", "Havenstraat", "Burgemeester de Withstraat", "Van Goghstraat", "Rembrandtlaan",
    "Vondelstraat", "Merelstraat", "Tulpstraat", "Rozenlaan", "Oranjestraat", "Prins Hendrikkade",
    "Graaf Florisstraat", "Koningin Emmalaan", "Parkweg", "Zonnebloemstraat", "Meidoornweg", "Esdoornlaan",
)
BUSINESS_STREETS: tuple[str, ...] = (
    "Industrieweg", "Edisonweg", "Newtonstraat", "Ambachtsweg", "Handelskade", "Marconistraat",
    "Transportweg", "Nijverheidsweg", "Kelvinstraat", "Zuidplein", "Stationsplein", "Europalaan",
    "Mercuriusweg", "Energieweg", "Bedrijvenpark", "Laan van Zuid",
)

COMPANY_SECTORS: tuple[tuple[str, str], ...] = (
    # (prefix style "Bouwbedrijf Jansen", suffix style "Velmaro Bouw")
    ("Bouwbedrijf", "Bouw"), ("Installatiebedrijf", "Installatietechniek"), ("Transportbedrijf", "Transport"),
    ("Adviesbureau", "Advies"), ("Administratiekantoor", "Administratie"), ("Hoveniersbedrijf", "Groen"),
    ("Schildersbedrijf", "Schilderwerken"), ("Autobedrijf", "Automotive"), ("Bakkerij", "Bakery"),
    ("Drukkerij", "Print"), ("Metaalbewerking", "Metaal"), ("ICT-bureau", "IT Solutions"),
    ("Logistiek", "Logistics"), ("Groothandel", "Trading"), ("Tandartspraktijk", "Dental"),
    ("Makelaardij", "Vastgoed"), ("Reclamebureau", "Media"), ("Accountantskantoor", "Accountants"),
    ("Elektrotechniek", "Elektro"), ("Cateringbedrijf", "Catering"),
)
BRAND_SYLLABLES: tuple[str, ...] = (
    "ka", "ro", "vin", "tel", "mar", "no", "va", "lin", "der", "sto", "bel", "tra", "ke", "zen", "fa", "lu",
    "mi", "ter", "go", "ra", "ven", "do", "sa", "pol",
)
# Legal form and its spellings as typed by people (the first is the canonical one).
LEGAL_FORMS: tuple[tuple[str, float, tuple[str, ...]], ...] = (
    ("B.V.", 0.58, ("B.V.", "BV", "b.v.", "B.V", "bv")),
    ("Holding B.V.", 0.07, ("Holding B.V.", "Holding BV", "holding b.v.")),
    ("N.V.", 0.03, ("N.V.", "NV", "n.v.")),
    ("V.O.F.", 0.15, ("V.O.F.", "VOF", "v.o.f.")),
    ("", 0.17, ("",)),  # eenmanszaak: no legal form in the name
)

EMAIL_DOMAINS: tuple[str, ...] = (
    "gmail.com", "hotmail.com", "outlook.com", "ziggo.nl", "kpnmail.nl", "live.nl", "xs4all.nl",
    "planet.nl", "home.nl", "hetnet.nl", "icloud.com", "upcmail.nl",
)
EMPLOYEES: tuple[str, ...] = (
    "Sanne Verbeek", "Mark de Wit", "Ilse Brouwer", "Ruud van der Laan", "Fatima El Idrissi",
    "Joost Hermans", "Karin Molenaar", "Tom Evers", "Bas van Loon", "Eline Timmermans",
    "Niels ten Brink", "Anouk Sanders",
)
ACTIVITY_SUBJECTS: dict[str, tuple[str, ...]] = {
    "visit": ("Kennismakingsbezoek", "Jaargesprek", "Bezoek op locatie", "Demonstratie nieuwe producten"),
    "call": ("Telefonische opvolging offerte", "Vraag over factuur", "Belafspraak", "Klanttevredenheid"),
    "email": ("Offerte verstuurd", "Informatie opgevraagd", "Bevestiging afspraak", "Reactie op klacht"),
    "meeting": ("Evaluatie samenwerking", "Contractbespreking", "Kwartaaloverleg", "Projectstart"),
    "mailing": ("Najaarsactie", "Uitnodiging klantendag", "Productnieuws", "Kerstmailing"),
}
MONTHS_NL: tuple[str, ...] = (
    "januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september", "oktober",
    "november", "december",
)


def full_last_name(infix: str, last: str) -> str:
    """'van der' + 'Meer' -> 'van der Meer' (Dutch: infix lower case after a first name)."""
    return f"{infix} {last}" if infix else last


def sort_name(infix: str, last: str) -> str:
    """Administrative spelling 'Meer, van der' as finance packages store it."""
    return f"{last}, {infix}" if infix else last


def initials(first: str) -> str:
    """'Johannes' -> 'J.'; 'Anne-Marie' -> 'A.M.'."""
    return "".join(part[0].upper() + "." for part in first.replace("-", " ").split())


def capitalised_infix(infix: str) -> str:
    """'van der' -> 'Van der': the spelling when the surname starts a sentence or stands alone."""
    return infix[:1].upper() + infix[1:] if infix else infix


def slug(text: str) -> str:
    """Lower-case letters and digits only: for e-mail local parts and web domains."""
    return "".join(ch for ch in text.lower() if ch.isalnum())
