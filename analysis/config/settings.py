"""The corpus config: perspectives, stance targets, topics, naming pairs, cue lexicons.

Defaults ship in ``defaults.toml`` next to this module. A corpus config
(``<corpus>/framelens.toml`` or ``--config``) overrides them:

- ``perspectives`` and ``naming`` replace the defaults when given;
- ``targets``, ``topics`` and ``cues`` merge by name (a name given in the
  corpus config replaces the default of that name, new names are added);
- ``stopwords`` and ``phrases`` extend the defaults;
- ``[check]`` values replace the defaults one by one.

Unknown keys and values of the wrong type are errors naming the file and key.
"""

from __future__ import annotations

import math
import re
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from framelens.analysis.errors import ConfigError
from framelens.analysis.results import GroupStyle

CONFIG_FILENAME = "framelens.toml"
DEFAULTS_PATH = Path(__file__).with_name("defaults.toml")

_ID_RE = re.compile(r"[a-z0-9][a-z0-9_-]*\Z")
_COLOUR_RE = re.compile(r"(#[0-9a-fA-F]{6}|[a-z_]+[0-9]*)\Z")
_TOML_LINE_RE = re.compile(r"line (\d+)")
# Same rule as framelens.analysis.text.languages.language_code (config comes first).
_LANGUAGE_RE = re.compile(r"[A-Za-z]{2}(?:[-_][A-Za-z0-9]{2,8})*\Z")

# Palette for perspectives that come from the data rather than the config.
FALLBACK_COLOURS = ("#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b",
                    "#e377c2", "#17becf", "#bcbd22", "#7f7f7f")


@dataclass(frozen=True)
class Perspective:
    id: str
    label: str
    colour: str


@dataclass(frozen=True)
class Target:
    """A stance target (an actor) and the aliases that mention it."""

    name: str
    aliases: tuple[str, ...]


@dataclass(frozen=True)
class Topic:
    """A topic lexicon: words and phrases, ``*`` as a suffix wildcard."""

    name: str
    terms: tuple[str, ...]


@dataclass(frozen=True)
class NamingVariant:
    label: str
    patterns: tuple[str, ...]


@dataclass(frozen=True)
class NamingPair:
    """Competing names for one thing (Kyiv/Kiev); which one a side uses is framing."""

    concept: str
    variants: tuple[NamingVariant, ...]


@dataclass(frozen=True)
class CheckSettings:
    near_duplicate_threshold: float = 0.9
    min_words: int = 150
    max_words: int = 20000
    max_file_bytes: int = 2_000_000


@dataclass(frozen=True)
class Config:
    perspectives: tuple[Perspective, ...] = ()
    targets: tuple[Target, ...] = ()
    topics: tuple[Topic, ...] = ()
    naming: tuple[NamingPair, ...] = ()
    cues: tuple[tuple[str, tuple[str, ...]], ...] = ()
    stopwords: frozenset[str] = frozenset()
    phrases: tuple[str, ...] = ()
    language: str = ""  # "" = detect each article's language
    check: CheckSettings = field(default_factory=CheckSettings)
    paths: tuple[str, ...] = ()

    def styles(self, groups: Sequence[str], *, perspectives: bool = True
               ) -> tuple[GroupStyle, ...]:
        """Each group's label and colour: a perspective's own from the config; any other
        group (an outlet, an author: ``perspectives=False``) its name and the next colour
        of the fallback palette."""
        styles = []
        for index, group in enumerate(groups):
            perspective = self.perspective(group) if perspectives else None
            styles.append(GroupStyle(group, perspective.label, perspective.colour) if perspective
                          else GroupStyle(group, group,
                                          FALLBACK_COLOURS[index % len(FALLBACK_COLOURS)]))
        return tuple(styles)

    def perspective(self, perspective_id: str) -> Perspective | None:
        for perspective in self.perspectives:
            if perspective.id == perspective_id:
                return perspective
        return None

    def cue_lexicon(self, name: str) -> tuple[str, ...]:
        return dict(self.cues).get(name, ())

    def with_perspectives_from(self, perspective_ids: list[str]) -> Config:
        """Add perspectives seen in the data but not declared (a corpus without config)."""
        known = {p.id for p in self.perspectives}
        added = [
            Perspective(pid, pid.replace("-", " ").replace("_", " ").title(),
                        FALLBACK_COLOURS[(len(known) + i) % len(FALLBACK_COLOURS)])
            for i, pid in enumerate(p for p in perspective_ids if p not in known)
        ]
        return replace(self, perspectives=self.perspectives + tuple(added)) if added else self


_TOP_LEVEL_KEYS = {"stopwords", "phrases", "perspectives", "targets", "topics", "naming",
                   "cues", "language", "check"}


def load_config(path: Path | None = None, corpus_dir: Path | None = None) -> Config:
    """Load the package defaults, then the corpus config over them.

    ``path`` is an explicit ``--config``; otherwise ``corpus_dir/framelens.toml``
    is used when it exists.
    """
    config = _apply(Config(), _read_toml(DEFAULTS_PATH), DEFAULTS_PATH)
    if path is None and corpus_dir is not None and (corpus_dir / CONFIG_FILENAME).is_file():
        path = corpus_dir / CONFIG_FILENAME
    if path is not None:
        if not path.is_file():
            raise ConfigError("config file not found", path=path)
        config = _apply(config, _read_toml(path), path)
    return config


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        raw = path.read_bytes()
        return tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise ConfigError(f"not UTF-8 text ({exc.reason} at byte {exc.start})", path=path) from None
    except tomllib.TOMLDecodeError as exc:
        match = _TOML_LINE_RE.search(str(exc))
        raise ConfigError(f"invalid TOML: {exc}", path=path,
                          line=int(match.group(1)) if match else None) from None
    except OSError as exc:
        raise ConfigError(f"cannot read config: {exc.strerror}", path=path) from None


# Inclusive bounds of each [check] value (None: no upper bound).
_CHECK_RANGES: dict[str, tuple[float, float | None]] = {
    "near_duplicate_threshold": (0.0, 1.0), "min_words": (0, None), "max_words": (1, None),
    "max_file_bytes": (1, None)}


def _apply(config: Config, data: dict[str, Any], path: Path) -> Config:
    unknown = sorted(set(data) - _TOP_LEVEL_KEYS)
    if unknown:
        raise ConfigError(f"unknown key {unknown[0]!r} (allowed: {', '.join(sorted(_TOP_LEVEL_KEYS))})",
                          path=path)
    changes: dict[str, Any] = {"paths": config.paths + (str(path),)}
    if "language" in data:
        language = _string(data["language"], "language", path).strip()
        if not _LANGUAGE_RE.match(language):
            raise ConfigError(f"key 'language' must be an ISO 639-1 code such as \"en\", \"ru\", "
                              f"\"uk\" or \"zh\": {language!r}", path=path)
        changes["language"] = language[:2].lower()
    if "stopwords" in data:
        words = _string_list(data["stopwords"], "stopwords", path)
        changes["stopwords"] = config.stopwords | {w.lower() for w in words}
    if "phrases" in data:
        phrases = _string_list(data["phrases"], "phrases", path)
        changes["phrases"] = _unique(config.phrases + tuple(phrases))
    if "perspectives" in data:
        changes["perspectives"] = _perspectives(data["perspectives"], path)
    if "targets" in data:
        table = _table(data["targets"], "targets", path)
        targets = {t.name: t for t in config.targets}
        for name, value in table.items():
            entry = _table(value, f"targets.{name}", path, allowed={"aliases"})
            aliases = _string_list(entry.get("aliases", []), f"targets.{name}.aliases", path)
            if not aliases:
                raise ConfigError(f"key 'targets.{name}.aliases' must list at least one alias",
                                  path=path)
            targets[name] = Target(name, tuple(aliases))
        changes["targets"] = tuple(targets.values())
    if "topics" in data:
        table = _table(data["topics"], "topics", path)
        topics = {t.name: t for t in config.topics}
        for name, value in table.items():
            entry = _table(value, f"topics.{name}", path, allowed={"terms"})
            terms = _string_list(entry.get("terms", []), f"topics.{name}.terms", path)
            topics[name] = Topic(name, tuple(terms))
        changes["topics"] = tuple(topics.values())
    if "naming" in data:
        changes["naming"] = _naming(data["naming"], path)
    if "cues" in data:
        table = _table(data["cues"], "cues", path)
        cues = dict(config.cues)
        for name, value in table.items():
            cues[name] = tuple(_string_list(value, f"cues.{name}", path))
        changes["cues"] = tuple(cues.items())
    if "check" in data:
        allowed = {f for f in CheckSettings.__dataclass_fields__}
        table = _table(data["check"], "check", path, allowed=allowed)
        values = {}
        for key, value in table.items():
            expected = type(getattr(CheckSettings(), key))
            if expected is float and isinstance(value, int) and not isinstance(value, bool):
                value = float(value)
            low, high = _CHECK_RANGES[key]
            kind = "a number" if expected is float else "an integer"
            if type(value) is not expected or not math.isfinite(value):
                raise ConfigError(f"key 'check.{key}' must be {kind}, got {value!r}", path=path)
            if not low <= value <= (high if high is not None else math.inf):
                bounds = f"between {low} and {high}" if high is not None else f">= {low}"
                raise ConfigError(f"key 'check.{key}' must be {bounds}, got {value!r}",
                                  path=path)
            values[key] = value
        settings = replace(config.check, **values)
        if settings.min_words > settings.max_words:
            raise ConfigError(f"key 'check.min_words' ({settings.min_words}) is above "
                              f"'check.max_words' ({settings.max_words})", path=path)
        changes["check"] = settings
    return replace(config, **changes)


def _perspectives(value: Any, path: Path) -> tuple[Perspective, ...]:
    if not isinstance(value, list) or not value:
        raise ConfigError("key 'perspectives' must be a non-empty array of tables "
                          "([[perspectives]] with id, label, colour)", path=path)
    seen: set[str] = set()
    perspectives = []
    for index, item in enumerate(value):
        key = f"perspectives[{index}]"
        entry = _table(item, key, path, allowed={"id", "label", "colour"})
        if "id" not in entry:
            raise ConfigError(f"key '{key}.id' is missing", path=path)
        pid = _string(entry["id"], f"{key}.id", path)
        if not _ID_RE.match(pid):
            raise ConfigError(f"key '{key}.id' must be lowercase letters, digits, '-' or '_': "
                              f"{pid!r}", path=path)
        if pid in seen:
            raise ConfigError(f"key '{key}.id' repeats perspective {pid!r}", path=path)
        seen.add(pid)
        label = _string(entry.get("label", pid.title()), f"{key}.label", path)
        colour = _string(entry.get("colour", FALLBACK_COLOURS[index % len(FALLBACK_COLOURS)]),
                         f"{key}.colour", path)
        if not _COLOUR_RE.match(colour):
            raise ConfigError(f"key '{key}.colour' must be '#rrggbb' or a colour name: {colour!r}",
                              path=path)
        perspectives.append(Perspective(pid, label, colour))
    return tuple(perspectives)


def _naming(value: Any, path: Path) -> tuple[NamingPair, ...]:
    if not isinstance(value, list):
        raise ConfigError("key 'naming' must be an array of tables ([[naming]])", path=path)
    pairs = []
    for index, item in enumerate(value):
        key = f"naming[{index}]"
        entry = _table(item, key, path, allowed={"concept", "variants"})
        concept = _string(entry.get("concept"), f"{key}.concept", path)
        raw_variants = entry.get("variants")
        if not isinstance(raw_variants, list) or len(raw_variants) < 2:
            raise ConfigError(f"key '{key}.variants' must list at least two variants", path=path)
        variants = []
        for v_index, raw in enumerate(raw_variants):
            v_key = f"{key}.variants[{v_index}]"
            variant = _table(raw, v_key, path, allowed={"label", "patterns"})
            variants.append(NamingVariant(
                _string(variant.get("label"), f"{v_key}.label", path),
                tuple(_string_list(variant.get("patterns"), f"{v_key}.patterns", path)),
            ))
        pairs.append(NamingPair(concept, tuple(variants)))
    return tuple(pairs)


def _table(value: Any, key: str, path: Path, allowed: set[str] | None = None) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ConfigError(f"key '{key}' must be a table", path=path)
    if allowed is not None:
        unknown = sorted(set(value) - allowed)
        if unknown:
            raise ConfigError(f"unknown key '{key}.{unknown[0]}' (allowed: "
                              f"{', '.join(sorted(allowed))})", path=path)
    return value


def _string(value: Any, key: str, path: Path) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ConfigError(f"key '{key}' must be a non-empty string", path=path)
    return value


def _string_list(value: Any, key: str, path: Path) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise ConfigError(f"key '{key}' must be an array of non-empty strings", path=path)
    return value


def _unique(items: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(items))
