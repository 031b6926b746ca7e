"""The default sector taxonomy and negotiation zones of the Chongqing-SCO conference."""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache
from pathlib import Path

from babel.support import Translations
from sqlalchemy.orm import Session

from matchmaking.models import Event, Sector, Zone
from matchmaking.search_keys import HAN, search_key


def N_(message: str) -> str:
    """Mark a string for translation; it is translated where it is shown."""
    return message


DEFAULT_TAXONOMY: tuple[tuple[str, str, tuple[tuple[str, str], ...]], ...] = (
    ("nev", N_("New energy vehicles and auto parts"), (
        ("nev.passenger", N_("New energy passenger vehicles")),
        ("nev.commercial", N_("Trucks, buses and commercial vehicles")),
        ("nev.motorcycles", N_("Motorcycles and e-bikes")),
        ("nev.parts", N_("Auto parts and components")),
        ("nev.batteries", N_("Batteries and charging equipment")),
    )),
    ("machinery", N_("General machinery"), (
        ("machinery.construction", N_("Construction and mining machinery")),
        ("machinery.tools", N_("Machine tools and industrial equipment")),
        ("machinery.pumps", N_("Pumps, valves and compressors")),
    )),
    ("agrimachinery", N_("Agricultural machinery"), (
        ("agrimachinery.tractors", N_("Tractors")),
        ("agrimachinery.harvesters", N_("Harvesters and tillage equipment")),
        ("agrimachinery.irrigation", N_("Irrigation and greenhouse equipment")),
    )),
    ("electromech", N_("Electromechanical equipment"), (
        ("electromech.power", N_("Power generation and transmission equipment")),
        ("electromech.electronics", N_("Electronics and smart devices")),
    )),
    ("food", N_("Food and modern agribusiness"), (
        ("food.grain", N_("Grain, oilseeds and vegetable oil")),
        ("food.meat", N_("Meat and dairy products")),
        ("food.fruit", N_("Fruit, vegetables and nuts")),
        ("food.processed", N_("Processed food and beverages")),
    )),
    ("chemicals", N_("Fertilisers and chemicals"), (
        ("chemicals.fertilisers", N_("Fertilisers")),
        ("chemicals.industrial", N_("Industrial chemicals")),
    )),
    ("imported", N_("Imported goods from SCO countries"), (
        ("imported.food", N_("Food and beverages from SCO countries")),
        ("imported.consumer", N_("Consumer goods and handicrafts")),
        ("imported.materials", N_("Minerals and raw materials")),
    )),
)  # fmt: skip

# Zone code, name, tables, top-level sectors hosted.
DEFAULT_ZONES: tuple[tuple[str, str, int, tuple[str, ...]], ...] = (
    ("nev", N_("New energy vehicles and auto parts"), 20, ("nev",)),
    ("machinery", N_("General and agricultural machinery"), 15,
     ("machinery", "agrimachinery", "electromech", "chemicals")),
    ("imported", N_("Imported goods from SCO countries"), 10, ("imported", "food")),
)  # fmt: skip


def install_default_taxonomy(session: Session, event: Event, with_zones: bool = True) -> None:
    """Add the default two-level taxonomy (and zones) to ``event``; flushes."""
    by_code: dict[str, Sector] = {}
    for position, (code, name, children) in enumerate(DEFAULT_TAXONOMY):
        top = Sector(event=event, code=code, name=name, position=position * 100)
        by_code[code] = top
        for child_pos, (child_code, child_name) in enumerate(children):
            child = Sector(
                event=event, code=child_code, name=child_name, parent=top, position=child_pos
            )
            by_code[child_code] = child
    if with_zones:
        for position, (code, name, tables, sectors) in enumerate(DEFAULT_ZONES):
            zone = Zone(event=event, code=code, name=name, tables=tables, position=position)
            for sector_code in sectors:
                zone.sectors.append(by_code[sector_code])
                zone.sectors.extend(by_code[sector_code].children)
    session.add(event)
    session.flush()


# The catalogues the sector names are searched in, besides English (``config.LANGUAGES``).
SEARCHED_LOCALES = ("zh", "ru")
TRANSLATIONS = Path(__file__).resolve().parent.parent / "translations"
SECTOR_WORD_LENGTH = 3


@cache
def _sector_name_keys() -> dict[str, str]:
    """Each default sector's English name and the search key of that name and of its
    translations (``search_keys``), read once per process from the compiled catalogues."""
    catalogues = [Translations.load(str(TRANSLATIONS), [locale]) for locale in SEARCHED_LOCALES]
    names = [
        name for _, name, children in DEFAULT_TAXONOMY for name in (name, *dict(children).values())
    ]
    return {
        name: search_key(name, *(catalogue.gettext(name) for catalogue in catalogues))
        for name in names
    }


def _names_word(spelling: str, key: str) -> bool:
    """Whether ``spelling`` begins a word of ``key`` ("трактор" begins "тракторы", "ural"
    does not begin "agricultural"); Chinese, written without spaces, anywhere ("化工" in
    "化肥及化工产品")."""
    if HAN.search(spelling):
        return spelling in key
    return key.startswith(spelling) or f" {spelling}" in key


def sector_names_matching(spellings: Iterable[str]) -> list[str]:
    """The English names of the default sectors whose name, in English, Chinese or Russian,
    has a word beginning with one of ``spellings`` (one query word's,
    ``search_keys.search_words``): a Russian "трактор" finds "Tractors" (Тракторы), "拖拉机"
    too. A top-level sector is left out when one of its sub-sectors matches too: "удобрения"
    names "Fertilisers", not all of "Fertilisers and chemicals". Spellings shorter than
    SECTOR_WORD_LENGTH match none ("x" would name most sectors), Chinese words of one
    character neither."""
    given = [s for s in spellings if s]
    chinese = [s for s in given if HAN.search(s)]
    # A Chinese word is matched as written: its pinyin ("车": "che") would begin English
    # words ("chemicals").
    wanted = (
        [s for s in chinese if len(s) >= 2]
        if chinese
        else [s for s in given if len(s) >= SECTOR_WORD_LENGTH]
    )
    keys = _sector_name_keys()

    def named(name: str) -> bool:
        return any(_names_word(s, keys[name]) for s in wanted)

    found: list[str] = []
    for _, top, children in DEFAULT_TAXONOMY:
        below = [child for _, child in children if named(child)]
        found += below or ([top] if named(top) else [])
    return found
