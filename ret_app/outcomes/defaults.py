"""The gap taxonomy a new region starts with: PRODUCT.md's "Gap taxonomy", grounded in national analyses
of stuck cases (the complexity usually comes less from the youth's problem than from disturbances
around it). The administrator renames, adds, orders and retires categories afterwards.

Names and descriptions are Dutch: they are data the administrator edits, not interface text.
Migration 0015_outcomes holds a frozen copy of this list (a migration seeds what was true when it ran).
"""

from __future__ import annotations

from typing import NamedTuple


class DefaultGapCategory(NamedTuple):
    code: str
    name: str
    description: str


# In the order the taxonomy shows them (positions 10, 20, ...).
DEFAULT_GAP_CATEGORIES: tuple[DefaultGapCategory, ...] = (
    DefaultGapCategory("no_place_best_fit", "Geen plek bij de best passende aanbieder",
                       "Wachtlijst of geen capaciteit bij de aanbieder die het beste past."),
    DefaultGapCategory("no_provider_offers_it", "Geen aanbieder biedt wat nodig is",
                       "Een combinatie van problemen (bijvoorbeeld LVB en psychiatrie) of zeldzame expertise die in "
                       "de regio ontbreekt."),
    DefaultGapCategory("no_living_place", "Geen passende woonplek of verblijfsvorm",
                       "Verblijf, gezinshuis, woonplek voor 18-plussers."),
    DefaultGapCategory("walls_between_laws", "Schotten tussen wetten en financiering",
                       "Jeugdwet, Wlz, Zvw, Wmo en Participatiewet, met de overgang van 18- naar 18+."),
    DefaultGapCategory("organisational", "Organisatorische verstoringen",
                       "Samenwerking tussen aanbieders, overdrachten, onduidelijk wie de regie heeft."),
    DefaultGapCategory("legal_limits", "Juridische grenzen",
                       "Bijvoorbeeld gesloten jeugdhulp, toestemming, bevoegdheid of het woonplaatsbeginsel."),
    DefaultGapCategory("knowledge_missing", "Inhoudelijk: niemand weet wat helpt",
                       "Kennis ontbreekt, ook al bij de toeleiding."),
    DefaultGapCategory("conflict", "Conflict tussen ouders, aanbieders en/of gemeente",
                       "Een conflict dat de hulp blokkeert."),
    DefaultGapCategory("education", "Onderwijs sluit niet aan",
                       "Geen schoolplek, thuiszitter."),
    DefaultGapCategory("crisis_availability", "Crisisbeschikbaarheid",
                       "Geen crisisplek of crisishulp beschikbaar op het moment dat die nodig is."),
    DefaultGapCategory("need_changed_while_waiting", "De hulpvraag veranderde tijdens het wachten",
                       "Tijdens het wachten op hulp veranderde wat er nodig was."),
)

POSITION_STEP = 10
