"""Name, street and mail-provider lists for the independent identity generator (bench only).

Written apart from cvm.demo on purpose: the surnames follow the rough shape of the Dutch surname
register (a Zipf-like head of common names, then a long tail), first names carry diacritics and
non-Dutch origins, company names mix trade words with surnames and invented brands. Nothing here is
personal data: every combination is drawn at random.
"""

from __future__ import annotations


def _words(text: str, sep: str | None = None) -> tuple[str, ...]:
    """A word list written as one string, so the lists stay readable."""
    return tuple(text.split(sep))


# (infix, surname) in rough order of frequency in the Netherlands; the head of a Zipf-like curve.
COMMON_SURNAMES: tuple[tuple[str, str], ...] = tuple(
    (parts[0], parts[1]) if len(parts) == 2 else ("", parts[0])
    for parts in (
        s.replace("_", " ").split("|")
        for s in _words(
            """de|Jong Jansen de|Vries van_den|Berg van|Dijk Bakker Janssen Visser Smit Meijer de|Boer Mulder
de|Groot Bos Vos Peters Hendriks van|Leeuwen Dekker Brouwer de|Wit Dijkstra Smits de|Graaf van_der|Meer
van_der|Linden Kok Jacobs de|Haan Vermeulen van_den|Heuvel van_der|Veen van_den|Broek de|Bruijn de|Bruin
van_der|Heijden Schouten van|Beek Willems van|Vliet van_de|Ven Hoekstra Maas Verhoeven Koster van|Dam
van_der|Wal Prins Blom Huisman Peeters de|Jonge Kuipers van|Veen Post Kuiper Veenstra Kramer van_den|Brink
Scholten van|Wijk Postma Martens Vink de|Ruiter Timmermans Groen Gerritsen Jonker van|Loon Boer
van_der|Velde Willemsen Smeets de|Lange de|Vos Bosch van|Dongen Schipper de|Koning van_der|Laan Koning
van_der|Velden Driessen van|Doorn Hermans Evers van_den|Bosch van_der|Meulen Hofman Bosman Wolters Sanders
van_der|Horst Mol Kuijpers Molenaar van_de|Pol de|Leeuw Verbeek Lammers Hoogendoorn Veldhuis Koopman
van|Rijn Bouwman Dirksen Wijnands Claassen Franken van_der|Berg Mertens Kok Schuurman Gerrits Vonk
Verhagen Sluiter Wouters Nijland Timmer Meijers Hoekman Zijlstra Groenewegen Huijsmans Kaptein van|Es
Hoogland Baas van|Os Aarts Hermsen Pieters Verschuren Nijhuis Haverkamp Oosterhuis Jager Hoeksema
van_der|Pol Wiersma Brinkman Evers Rutten Bulthuis Klein Rietveld Peters Heijnen Ramaker van|Gils
van|Ommen Brugman Drost Wessels Lubbers Oude_Groeniger Verweij Goossens Spijker Keizer Teunissen
Beumer Hulshof Stam van|Rooij Bos Berends Lamers Kamphuis Derksen Boersma Tuinstra ten|Brink Mooij
Meester Ebben Jacobse Kroon Kemper Roos Bakx Broekhoven Mast Pauw Ruiter Steenbergen van|Zanten
Verhoef van|Wijngaarden Smulders Dam van|Kessel de|Kleijn van|Hal Oudshoorn Blokland Slot Brands
Wiegman van|Leeuwen Hoving Veldman Schut Lensink Kramers van|Houten Eijkelenboom Vlaar Rozendaal Sijbrandij
ter|Horst Slagter Weijers Lindeman van|Asselt Zwart Groot Boon Hazelhoff Pranger ten|Hove van|Zuijlen
Yılmaz Öztürk Kaya Demir Şahin Çelik Aydın El_Amrani Bouzid Boukhari El_Idrissi Ait_Taleb Benali
Nguyen Tran Singh Ramdin Soekhoe Kartosen Pinas Martina Kowalski Nowak García Rossi Müller Schmidt
Kok-Brûlé Smit-Koster Jansen-Boer"""
        )
    )
)

# Patronymic/toponymic building blocks for the long tail: "Hoog"+"land", "Ver"+"hoeven", "van"+"Doornik".
TAIL_STEMS = _words(
    "Hoog Laag Groen Brink Wester Ooster Zuider Noorder Molen Kerk Veld Berg Dijk Broek Hout Water Beek Zand "
    "Heide Linde Eik Wilg Esch Hof Kamp Sloot Vaart Dam Haven Horst Ham Weide Wolde Boom Steen Vliet Hage "
    "Rijn Maas Schel Lek Ijssel Dorp Burg Stadt Hek Poort Brug Haag Wal Kolk Meeuw Zwaan Vink Mus Kraai"
)
TAIL_SUFFIXES = _words(
    "man mans land veld huis stra sma ma ga inga kamp horst hof beek berg broek dijk meijer ink ing sen se "
    "mer maker ker ers enga ema werf hout hoff kes ken jes stee"
)
TAIL_INFIXES = ("", "", "", "", "van", "van der", "van de", "de", "ter", "ten", "van 't", "op de", "in 't")

FIRST_NAMES_F = _words(
    "Anna Emma Sophie Julia Lisa Sanne Eva Lotte Fleur Iris Noa Sara Tess Anouk Lieke Femke Maria Johanna "
    "Cornelia Wilhelmina Elisabeth Hendrika Geertruida Petronella Adriana Maaike Marieke Ingrid Monique "
    "Linda Sandra Petra Esther Mirjam Karin Marloes Yvonne Ilse Inge Eline Merel Loïs Zoë Chloë Renée "
    "Noëlle Mariëlle Anaïs Fatima Aïcha Yasmina Samira Elif Zeynep Ayşe Priya Shanti Thi Hoa Agnieszka "
    "Joke Truus Riet Ans Corrie Annelies Jolanda Wendy Kim Nicole Daphne Romy Isa Mila Nina Yara Jet Roos"
)
FIRST_NAMES_M = _words(
    "Jan Pieter Kees Hans Johannes Cornelis Hendrik Willem Gerrit Jacobus Adrianus Petrus Theodorus Dirk "
    "Bram Daan Lars Sem Thijs Ruben Jesse Luuk Stijn Tim Bas Joost Maarten Sjoerd Wouter Niels Rick "
    "Jeroen Mark Erik Martin Frank Peter Paul Marco Dennis Sander Arjen Gijs Teun Floris Joël René André "
    "Mohammed Ahmed Youssef Mehmet Mustafa Emre Rajesh Anil Minh Piotr Tomasz Jürgen Stéphane Jordi "
    "Henk Piet Klaas Gert Wim Ton Ad Harm Freek Hidde Jelle Siebe Tjeerd Wessel Koen Ruud Rob Roel Stefan"
)

# Nicknames and short forms used in some systems for the same person ("Johannes" -> "Hans").
NICKNAMES = {
    "Johannes": "Hans",
    "Cornelis": "Kees",
    "Hendrik": "Henk",
    "Willem": "Wim",
    "Petrus": "Piet",
    "Jacobus": "Koos",
    "Adrianus": "Adrie",
    "Theodorus": "Theo",
    "Johanna": "Jo",
    "Cornelia": "Corrie",
    "Wilhelmina": "Willy",
    "Elisabeth": "Lies",
    "Hendrika": "Riek",
    "Geertruida": "Truus",
    "Petronella": "Nel",
    "Adriana": "Jeanne",
    "Mohammed": "Mo",
    "Sander": "Sandro",
}

STREETS = _words(
    "Kerkstraat|Dorpsstraat|Schoolstraat|Molenweg|Stationsweg|Julianastraat|Beatrixlaan|Wilhelminastraat|"
    "Emmastraat|Prins Bernhardlaan|Oranjelaan|Nieuwstraat|Hoofdstraat|Marktplein|Kastanjelaan|Lindenlaan|"
    "Eikenlaan|Beukenlaan|Berkenlaan|Populierenlaan|Merelstraat|Lijsterlaan|Meidoornstraat|Rozenstraat|"
    "Tulpstraat|Narcissenlaan|Vondelstraat|Rembrandtlaan|Van Goghstraat|Spoorlaan|Parallelweg|Havenstraat|"
    "Burgemeester Visserstraat|Dokter Schaepmanstraat|Koningin Julianaplein|Graaf Willemlaan|'t Zand|"
    "Achterom|Voorstraat|Zuiderdiep|Noordersingel|Westeinde|Oosteinde|Stadhouderslaan|Hobbemastraat",
    "|",
)
BUSINESS_STREETS = _words(
    "Industrieweg|Ambachtsstraat|Nijverheidsweg|Edisonstraat|Marconistraat|Handelsweg|Zuiderhavenweg|"
    "Bedrijvenpark Noord|Transportweg|Energieweg|Kanaaldijk|Zeeweg|Keurmeesterstraat|De Steiger|Pascalweg",
    "|",
)

# (postcode area digits, city spellings); the first spelling is canonical.
CITIES: tuple[tuple[int, tuple[str, ...]], ...] = (
    (10, ("Amsterdam", "AMSTERDAM", "A'dam")),
    (30, ("Rotterdam", "ROTTERDAM", "R'dam")),
    (25, ("'s-Gravenhage", "Den Haag", "DEN HAAG")),
    (35, ("Utrecht", "UTRECHT")),
    (56, ("Eindhoven", "EINDHOVEN")),
    (97, ("Groningen", "GRONINGEN")),
    (50, ("Tilburg",)),
    (13, ("Almere", "ALMERE")),
    (48, ("Breda",)),
    (65, ("Nijmegen",)),
    (68, ("Arnhem",)),
    (20, ("Haarlem",)),
    (75, ("Enschede",)),
    (38, ("Amersfoort",)),
    (73, ("Apeldoorn",)),
    (52, ("'s-Hertogenbosch", "Den Bosch", "s Hertogenbosch")),
    (80, ("Zwolle", "ZWOLLE")),
    (23, ("Leiden",)),
    (89, ("Leeuwarden", "Ljouwert")),
    (33, ("Dordrecht",)),
    (27, ("Zoetermeer",)),
    (62, ("Maastricht",)),
    (74, ("Deventer",)),
    (17, ("Heerhugowaard", "Dijk en Waard")),
    (84, ("Heerenveen", "It Hearrenfean")),
)

PROVIDERS = (
    ("gmail.com", 24),
    ("hotmail.com", 16),
    ("outlook.com", 8),
    ("live.nl", 6),
    ("ziggo.nl", 9),
    ("kpnmail.nl", 6),
    ("planet.nl", 4),
    ("xs4all.nl", 3),
    ("home.nl", 4),
    ("hetnet.nl", 3),
    ("icloud.com", 5),
    ("upcmail.nl", 2),
    ("casema.nl", 2),
    ("quicknet.nl", 1),
    ("telfort.nl", 1),
    ("hotmail.nl", 3),
    ("yahoo.com", 2),
    ("protonmail.com", 1),
)

TRADES = _words(
    "Bakkerij Slagerij Installatiebedrijf Schildersbedrijf Loodgietersbedrijf Aannemersbedrijf Transport "
    "Hoveniersbedrijf Autobedrijf Garage Drukkerij Administratiekantoor Accountantskantoor Advocatenkantoor "
    "Tandartspraktijk Fysiotherapie Kapsalon Bloemenhuis Rijwielhandel Timmerbedrijf Dakdekkersbedrijf "
    "Elektrotechniek Koeltechniek Metaalbewerking Houthandel Bouwbedrijf Makelaardij Notariskantoor "
    "Verhuisbedrijf Schoonmaakbedrijf Cateringbedrijf Zorgboerderij Kwekerij Veehandel"
)
BRAND_PARTS = _words(
    "Noord Zuid West Oost Delta Polder Kust Duin Horizon Atlas Vector Nova Prima Optima Flex Smart Green "
    "Blue Fix Tech Logic Data Bouw Werk Zorg Care Link Point Plus Pro Net Line Works Groep Partners"
)
BRAND_TAILS = ("Solutions", "Services", "Groep", "Techniek", "Consultancy", "ICT", "Media", "Logistics", "")

# Legal forms as registered, and the spellings the other systems use for them.
LEGAL_FORMS = (
    ("B.V.", ("B.V.", "BV", "b.v.", "Bv", "")),
    ("V.O.F.", ("V.O.F.", "VOF", "v.o.f.", "")),
    ("", ("",)),  # eenmanszaak: no legal form in the name
    ("N.V.", ("N.V.", "NV")),
    ("Holding B.V.", ("Holding B.V.", "Holding BV", "B.V.", "")),
)
AREA_CODES = {
    10: "020",
    30: "010",
    25: "070",
    35: "030",
    56: "040",
    97: "050",
    50: "013",
    13: "036",
    48: "076",
    65: "024",
    68: "026",
    20: "023",
    75: "053",
    38: "033",
    73: "055",
    52: "073",
    80: "038",
    23: "071",
    89: "058",
    33: "078",
    27: "079",
    62: "043",
    74: "0570",
    17: "072",
    84: "0513",
}
ROLE_MAILBOXES = ("info", "administratie", "facturen", "crediteuren", "boekhouding", "contact", "post")
