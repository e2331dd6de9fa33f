"""The service catalogue: plain-language service details with their channels in digital-first order, popular
services, and full-text search that forgives typos and Swedish inflection.

Search has one API, `search()`, and two implementations picked by the database dialect. PostgreSQL uses its
text-search configurations (swedish, danish, english, arabic) over a weighted tsvector, after widening each query
word with the catalogue words it resembles (`pg_trgm` similarity over a vocabulary table); SQLite uses the same
Snowball stemmers (the `snowballstemmer` package) over an inverted index of stems, with edit-distance matching
(`rapidfuzz`) for misspellings. The index is rebuilt in the same transaction
whenever a service, its details or its category change.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache, lru_cache
from typing import Any

import snowballstemmer
from flask import url_for
from rapidfuzz import fuzz, process
from sqlalchemy import Float, cast, delete, event, func, insert, inspect, literal, literal_column, select
from sqlalchemy.dialects import postgresql
from sqlalchemy.dialects.postgresql import REGCONFIG
from sqlalchemy.orm import Session
from werkzeug.routing import BuildError

from core import clock
from core.db import db, get_session
from core.i18n import translated
from eservices.catalogue_models import (
    ServiceDetails,
    ServiceSearchEntry,
    ServiceSearchTerm,
    ServiceSearchWord,
)
from eservices.models import Case, Category, Service

__all__ = [
    "LANGUAGES",
    "SearchResults",
    "ServiceChannel",
    "channels_of",
    "details_of",
    "e_service_url",
    "fold",
    "popular_services",
    "reindex_all",
    "reindex_services",
    "search",
    "stems",
]

LANGUAGES = ("sv", "en", "da", "ar")
# PostgreSQL text-search configurations; the Snowball stemmer of the same name serves SQLite.
TEXT_SEARCH_CONFIGS = {"sv": "swedish", "da": "danish", "en": "english", "ar": "arabic"}
STEMMERS = {"sv": "swedish", "da": "danish", "en": "english", "ar": "arabic"}
# Function words that would match nearly every service; PostgreSQL's configurations drop their own lists.
STOP_WORDS = frozenset(
    [
        "och",
        "att",
        "det",
        "som",
        "en",
        "ett",
        "för",
        "med",
        "till",
        "på",
        "av",
        "är",
        "om",
        "hur",
        "jag",
        "vill",
        "kan",
        "min",
        "mitt",
        "mina",
        "var",
        "vad",
        "den",
        "og",
        "at",
        "der",
        "som",
        "en",
        "et",
        "for",
        "med",
        "til",
        "på",
        "af",
        "er",
        "om",
        "hvordan",
        "jeg",
        "vil",
        "kan",
        "min",
        "mit",
        "mine",
        "hvad",
        "den",
        "and",
        "the",
        "for",
        "with",
        "to",
        "of",
        "is",
        "in",
        "on",
        "how",
        "can",
        "my",
        "a",
        "an",
        "what",
        "do",
        "i",
        "want",
    ]
)
WORD = re.compile(r"\w+", re.UNICODE)
MAX_QUERY_WORDS = 8
MIN_FUZZY_SCORE = 75.0
MIN_VOCABULARY_WORD = 3
MAX_CORRECTIONS = 4
# Field weights: a match in the title or a synonym counts most, in the long description least.
TITLE_WEIGHT, SUMMARY_WEIGHT, BODY_WEIGHT = 1.0, 0.6, 0.3


# --- Service details and channels ----------------------------------------------------------------------------


@dataclass(frozen=True)
class ServiceChannel:
    """One way to use a service. `kind` is "e_service", "phone", "visit" or "letter"."""

    kind: str
    url: str | None = None
    external: bool = False
    phone: str | None = None
    hours: str = ""
    address: str | None = None


def details_of(service: Service) -> ServiceDetails | None:
    return db.get(ServiceDetails, service.id)


def e_service_url(service: Service, details: ServiceDetails | None = None) -> tuple[str, bool] | None:
    """Where the service is filed online, and whether that is outside Kanal; None without an e-service."""
    details = details if details is not None else details_of(service)
    if details is not None and details.external_url:
        return details.external_url, True
    if service.form_id is None:
        return None
    try:
        return url_for("filing.start_page", slug=service.slug), False
    except BuildError:
        # Without the filing flow's pages (a stripped-down deployment) the e-service cannot be offered here.
        return None


def channels_of(service: Service, details: ServiceDetails | None = None) -> list[ServiceChannel]:
    """The service's channels, digital first: e-service, phone, visit, letter or printable form."""
    details = details if details is not None else details_of(service)
    channels: list[ServiceChannel] = []
    online = e_service_url(service, details)
    if online is not None:
        channels.append(ServiceChannel("e_service", url=online[0], external=online[1]))
    if details is None:
        return channels
    if details.phone:
        channels.append(ServiceChannel("phone", phone=details.phone, hours=translated(details.phone_hours)))
    if details.visit_address:
        channels.append(
            ServiceChannel("visit", address=details.visit_address, hours=translated(details.opening_hours))
        )
    if details.postal_address or details.printable_form_url:
        channels.append(
            ServiceChannel("letter", address=details.postal_address, url=details.printable_form_url)
        )
    return channels


def popular_services(limit: int = 6, *, days: int = 90) -> list[Service]:
    """Services marked popular first, then those most often filed in the last `days` days."""
    since = clock.now() - dt.timedelta(days=days)
    filed = (
        select(Case.service_id, func.count(Case.id).label("filed"))
        .where(Case.created_at >= since)
        .group_by(Case.service_id)
        .subquery()
    )
    statement = (
        select(Service)
        .outerjoin(filed, filed.c.service_id == Service.id)
        .where(Service.active.is_(True))
        .order_by(Service.popular.desc(), func.coalesce(filed.c.filed, 0).desc(), Service.slug)
        .limit(limit)
    )
    return list(db.scalars(statement))


# --- Text processing -----------------------------------------------------------------------------------------


def fold(text: str) -> str:
    """Lower case without diacritics, so "Förskola" and a hurried "forskola" compare equal."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(character for character in decomposed if not unicodedata.combining(character))


@cache
def _stemmer(language: str) -> Any:
    return snowballstemmer.stemmer(STEMMERS.get(language, "english"))


def stems(text: str, language: str) -> list[str]:
    """The Snowball stems of the words in `text`, folded, without function words or one-letter words."""
    words = [word for word in WORD.findall(text.casefold()) if len(word) > 1 and word not in STOP_WORDS]
    return [_folded_stem(word, language) for word in words]


@lru_cache(maxsize=65_536)
def _folded_stem(word: str, language: str) -> str:
    # The pure-Python stemmer takes a while per word, and a catalogue repeats its words a lot.
    return fold(_stemmer(language).stemWord(word))


# --- The index -----------------------------------------------------------------------------------------------


@dataclass
class _IndexText:
    title: str
    synonyms: str
    summary: str
    body: str


def _texts_for(service: Service, details: ServiceDetails | None, category: Category | None) -> dict[str, Any]:
    texts: dict[str, _IndexText] = {}
    for language in LANGUAGES:
        title = translated(service.title, language)
        synonyms = " ".join((details.synonyms.get(language) or []) if details else [])
        summary = translated(service.summary, language)
        body_parts = [translated(category.title, language) if category else ""]
        if details is not None:
            body_parts += [
                translated(details.description, language),
                translated(details.who_can_apply, language),
                translated(details.what_you_need, language),
            ]
        texts[language] = _IndexText(title, synonyms, summary, " ".join(part for part in body_parts if part))
    return texts


def reindex_services(service_ids: Iterable[int], session: Session | None = None) -> None:
    """Rebuild the search entries of these services (all languages) in the current transaction."""
    target: Any = session if session is not None else db
    ids = sorted(set(service_ids))
    if not ids:
        return
    # Whatever is rebuilt now needs no second rebuild at commit.
    target.info.get(_PENDING_KEY, set()).difference_update(ids)
    postgres = target.get_bind().dialect.name == "postgresql"
    target.execute(delete(ServiceSearchEntry).where(ServiceSearchEntry.service_id.in_(ids)))
    rows = target.execute(
        select(Service, ServiceDetails, Category)
        .outerjoin(ServiceDetails, ServiceDetails.service_id == Service.id)
        .outerjoin(Category, Category.id == Service.category_id)
        .where(Service.id.in_(ids))
    ).all()
    for service, details, category in rows:
        for language, text in _texts_for(service, details, category).items():
            if postgres:
                _insert_postgres_entry(target, service.id, language, text)
            else:
                _insert_sqlite_entry(target, service.id, language, text)


def _insert_postgres_entry(target: Any, service_id: int, language: str, text: _IndexText) -> None:
    config = cast(literal(TEXT_SEARCH_CONFIGS.get(language, "simple")), REGCONFIG)

    def weighted(value: str, weight: str) -> Any:
        # The weight is one of our own constant letters; PostgreSQL wants it as a "char", not a bound string.
        return func.setweight(func.to_tsvector(config, value), literal_column(f"'{weight}'"))

    document = (
        weighted(text.title, "A")
        .op("||")(weighted(text.synonyms, "A"))
        .op("||")(weighted(text.summary, "B"))
        .op("||")(weighted(text.body, "C"))
    )
    target.execute(
        insert(ServiceSearchEntry).values(service_id=service_id, language=language, document=document)
    )
    vocabulary = {
        word: fold(word)
        for word in WORD.findall(" ".join((text.title, text.synonyms, text.summary, text.body)).casefold())
        if MIN_VOCABULARY_WORD <= len(word) <= 80 and not word.isdigit()
    }
    if vocabulary:
        target.execute(
            postgresql.insert(ServiceSearchWord)
            .values(
                [
                    {"language": language, "word": word, "folded": folded}
                    for word, folded in vocabulary.items()
                ]
            )
            .on_conflict_do_nothing()
        )


def _insert_sqlite_entry(target: Any, service_id: int, language: str, text: _IndexText) -> None:
    weights: dict[str, float] = {}
    for value, weight in (
        (text.body, BODY_WEIGHT),
        (text.summary, SUMMARY_WEIGHT),
        (text.title, TITLE_WEIGHT),
        (text.synonyms, TITLE_WEIGHT),
    ):
        for stem in stems(value, language):
            weights[stem[:80]] = max(weights.get(stem[:80], 0.0), weight)
    entry_id = target.execute(
        insert(ServiceSearchEntry)
        .values(service_id=service_id, language=language, document=" ".join(sorted(weights)))
        .returning(ServiceSearchEntry.id)
    ).scalar_one()
    if weights:
        target.execute(
            insert(ServiceSearchTerm),
            [{"entry_id": entry_id, "term": term, "weight": weight} for term, weight in weights.items()],
        )


def reindex_all() -> int:
    """Rebuild the whole index (after a bulk import); returns how many services were indexed."""
    ids = list(db.scalars(select(Service.id)))
    # The vocabulary only grows as services change; a full rebuild drops the words no service uses any more.
    db.execute(delete(ServiceSearchWord))
    reindex_services(ids)
    return len(ids)


_PENDING_KEY = "catalogue.reindex"


@event.listens_for(Session, "after_flush")
def _remember_changed_services(session: Session, _context: Any) -> None:
    pending: set[int] = session.info.setdefault(_PENDING_KEY, set())
    category_ids = set()
    for instance in list(session.new) + list(session.dirty):
        if isinstance(instance, Service) and instance.id is not None:
            pending.add(instance.id)
        elif isinstance(instance, ServiceDetails):
            pending.add(instance.service_id)
        elif (
            isinstance(instance, Category)
            and instance not in session.new
            # Adding a service to a category dirties it too, but only its title is in the index.
            and inspect(instance).attrs.title.history.has_changes()
        ):
            category_ids.add(instance.id)
    if category_ids:
        # Category titles are indexed too; the services are read in the before_commit hook's flush-free query.
        session.info.setdefault(_PENDING_CATEGORIES_KEY, set()).update(category_ids)


_PENDING_CATEGORIES_KEY = "catalogue.reindex_categories"


def _reindex_pending(session: Session) -> None:
    session.flush()
    pending: set[int] = session.info.pop(_PENDING_KEY, set())
    categories: set[int] = session.info.pop(_PENDING_CATEGORIES_KEY, set())
    if categories:
        pending |= set(session.scalars(select(Service.id).where(Service.category_id.in_(categories))))
    if pending:
        reindex_services(pending, session)


@event.listens_for(Session, "before_commit")
def _reindex_before_commit(session: Session) -> None:
    if (
        session.new
        or session.dirty
        or session.info.get(_PENDING_KEY)
        or session.info.get(_PENDING_CATEGORIES_KEY)
    ):
        _reindex_pending(session)


@event.listens_for(Session, "after_rollback")
def _forget_pending(session: Session) -> None:
    session.info.pop(_PENDING_KEY, None)
    session.info.pop(_PENDING_CATEGORIES_KEY, None)


# --- Search --------------------------------------------------------------------------------------------------


@dataclass
class SearchResults:
    """Matching services, best first, and what to suggest when there are few or none."""

    query: str
    services: list[Service] = field(default_factory=list)
    categories: list[Category] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not self.services


def search(query: str, language: str, *, limit: int = 20) -> SearchResults:
    """Services matching `query`, in the user's language first and in the others if that finds nothing.

    The categories of the matches (or all categories when nothing matched) come along as suggestions, so a
    result page never dead-ends.
    """
    query = query.strip()[:200]
    results = SearchResults(query)
    if WORD.search(query):
        _reindex_pending(get_session())
        languages = [language, *(other for other in LANGUAGES if other != language)]
        for candidate in languages:
            ids = search_service_ids(query, candidate, limit=limit)
            if ids:
                services = {
                    service.id: service for service in db.scalars(select(Service).where(Service.id.in_(ids)))
                }
                results.services = [services[service_id] for service_id in ids if service_id in services]
                break
    seen: dict[int, Category] = {}
    for service in results.services:
        seen.setdefault(service.category_id, service.category)
    results.categories = list(seen.values()) or list(
        db.scalars(select(Category).order_by(Category.position, Category.slug))
    )
    return results


def search_service_ids(query: str, language: str, *, limit: int = 20) -> list[int]:
    """The ids of active services matching `query` in one language, best first."""
    if db.get_bind().dialect.name == "postgresql":
        return _search_postgres(query, language, limit)
    return _search_sqlite(query, language, limit)


def _search_postgres(query: str, language: str, limit: int) -> list[int]:
    words = list(dict.fromkeys(WORD.findall(query.casefold())))[:MAX_QUERY_WORDS]
    if not words:
        return []
    config = cast(literal(TEXT_SEARCH_CONFIGS.get(language, "simple")), REGCONFIG)
    # Each query word, or a catalogue word it resembles (a misspelling, an inflection, a compound), may match,
    # also as the beginning of a word ("försk" finds "förskola").
    alternatives = [
        " | ".join(f"{word}:*" for word in [query_word, *_similar_words(query_word, language)])
        for query_word in words
    ]
    # A scalar subquery, so the query is parsed once: with the bound parameters of a prepared statement, a
    # plain function call would be evaluated again for every row.
    tsquery = select(
        func.to_tsquery(config, " | ".join(f"({group})" for group in alternatives))
    ).scalar_subquery()
    entry = ServiceSearchEntry
    score = func.ts_rank(entry.document, tsquery).label("score")
    statement = (
        select(entry.service_id, score)
        .join(Service, Service.id == entry.service_id)
        .where(entry.language == language, Service.active.is_(True), entry.document.op("@@")(tsquery))
        .order_by(score.desc(), Service.popular.desc(), entry.service_id)
        .limit(limit)
    )
    return [row.service_id for row in db.execute(statement)]


def _similar_words(word: str, language: str) -> list[str]:
    """Catalogue words that look like `word` (trigram similarity on the folded forms, through its GIN index)."""
    if len(word) < MIN_VOCABULARY_WORD:
        return []
    folded = fold(word)
    vocabulary = ServiceSearchWord
    return list(
        db.scalars(
            select(vocabulary.word)
            .where(vocabulary.language == language, vocabulary.folded.op("%")(folded))
            .order_by(func.similarity(vocabulary.folded, folded).desc(), vocabulary.word)
            .limit(MAX_CORRECTIONS)
        )
    )


def _match_scores(query_stems: Sequence[str], vocabulary: Sequence[str]) -> dict[str, dict[str, float]]:
    """For each query stem, the indexed terms it matches and how well (1.0 = the same stem)."""
    matches: dict[str, dict[str, float]] = {}
    for stem in query_stems:
        found: dict[str, float] = {}
        for term, score, _index in process.extract(
            stem, vocabulary, scorer=fuzz.ratio, score_cutoff=MIN_FUZZY_SCORE, limit=8
        ):
            found[term] = 0.8 * score / 100
        for term in vocabulary:
            if term == stem:
                found[term] = 1.0
            elif len(stem) >= 4 and term.startswith(stem):
                # The beginning of a word, as typed so far.
                found[term] = max(found.get(term, 0.0), 0.9)
            elif len(term) >= 5 and stem.startswith(term):
                # An inflected or compound form of an indexed word: "förskoleplats" contains "förskol".
                found[term] = max(found.get(term, 0.0), 0.8)
        matches[stem] = found
    return matches


def _search_sqlite(query: str, language: str, limit: int) -> list[int]:
    query_stems = list(dict.fromkeys(stems(query, language)))[:MAX_QUERY_WORDS]
    if not query_stems:
        return []
    entry, term = ServiceSearchEntry, ServiceSearchTerm
    vocabulary = list(
        db.scalars(
            select(term.term)
            .distinct()
            .join(entry, entry.id == term.entry_id)
            .where(entry.language == language)
        )
    )
    matches = _match_scores(query_stems, vocabulary)
    wanted = {matched for found in matches.values() for matched in found}
    if not wanted:
        return []
    rows = db.execute(
        select(entry.service_id, term.term, cast(term.weight, Float))
        .join(entry, entry.id == term.entry_id)
        .join(Service, Service.id == entry.service_id)
        .where(entry.language == language, Service.active.is_(True), term.term.in_(wanted))
    ).all()
    terms_of: dict[int, dict[str, float]] = defaultdict(dict)
    for service_id, matched_term, weight in rows:
        terms_of[service_id][matched_term] = float(weight)
    scores: dict[int, float] = {}
    for service_id, service_terms in terms_of.items():
        # Each query word counts once, by its best match in the service; more words matched ranks higher.
        scores[service_id] = sum(
            max(
                (quality * service_terms[t] for t, quality in matches[stem].items() if t in service_terms),
                default=0,
            )
            for stem in query_stems
        )
    ranked = sorted(scores.items(), key=lambda item: (-item[1], item[0]))
    return [service_id for service_id, _score in ranked[:limit]]
