"""The audit trail's details in words.

An audit event's `detail` is short and machine-readable, and it is hashed into the chain, so it is
stored as written: `transition=start_monitoring;process_direction->monitoring`, `fields=name,email`,
`signed_in_totp`. The audit search shows it in words. Each capability registers the words of the
details it writes, per object type (`Capability.audit_words`); this module reads a detail with
them. What it does not know is shown as stored, never hidden.

How a detail is read: parts separated by ";", each part a known token (which may hold spaces) or
words separated by spaces. A word is `key=value` (the value can be a comma-separated list, or
`old->new`) or a bare token; a bare `old->new` is a change of status (the vocabulary's
`STATUS_CHANGE` entry). Words are looked up for
the event's object type first, then for every object type (""). Values are never personal data
(codes, ids, field names): the detail never holds what was typed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Mapping, Optional, Union

from flask_babel import lazy_gettext as _l
from wtforms.fields.core import UnboundField

STATUS_CHANGE = "->"  # the vocabulary entry for a bare `old->new`
ARROW = " → "

Values = Union[Mapping[str, Any], Callable[[str], Optional[Any]], None]


@dataclass(frozen=True)
class Key:
    """A `key=value` word: its label and how its value reads. `values`: a mapping or a function
    (code -> words, None when unknown); None shows the value as stored (ids, counts). `many`: the
    value is a comma-separated list. `alone`: the words for the key written without a value."""

    label: Any
    values: Values = None
    many: bool = False
    alone: Any = None


@dataclass(frozen=True)
class Phrase:
    """One piece of a described detail: "label: text", or text alone. `known` is False when the
    text is the stored code because no words are known for it."""

    text: str
    label: Optional[str] = None
    known: bool = True


@dataclass(frozen=True)
class Described:
    phrases: tuple[Phrase, ...]

    @property
    def complete(self) -> bool:
        return all(p.known for p in self.phrases)

    def __str__(self) -> str:
        return "; ".join(f"{p.label}: {p.text}" if p.label else p.text for p in self.phrases)


def form_labels(form_class: type, **extra: Any) -> dict[str, Any]:
    """field name -> label of a WTForms form class, read from its unbound fields (no request
    needed), with `extra` names (model attributes the form calls otherwise) added."""
    labels: dict[str, Any] = {}
    for name in dir(form_class):
        field = getattr(form_class, name, None)
        if isinstance(field, UnboundField):
            label = field.kwargs.get("label", field.args[0] if field.args else None)
            if label:
                labels[name] = label
    labels.update(extra)
    return labels


def transition_labels(machine: Any) -> dict[str, Any]:
    """transition name -> label of a state machine (kernel.machine.StateMachine)."""
    return {t.name: t.label for t in machine.transitions}


YES_NO = {"yes": _l("yes"), "no": _l("no")}

# Words every object type shares (web.py's refusals, ids of sessions and items, lists).
GENERAL: dict[str, Any] = {
    "invalid": _l("input refused"),
    "conflict": _l("someone else changed it first"),
    "refused": _l("refused"),
    "unavailable": _l("not available"),
    "fields": Key(_l("Fields"), {}, many=True),
    "filters": Key(_l("Filters"), {}, many=True),
    "meeting": Key(_l("Session")),
    "item": Key(_l("Agenda item")),
    "user": Key(_l("User")),
    "page": Key(_l("Page")),
    "count": Key(_l("Number")),
    "region": Key(_l("Region")),
}


class Vocabulary:
    """The registered words: object type ("" for every type) -> token or key -> words or Key;
    and the names of the object types."""

    def __init__(self, words: Mapping[str, Mapping[str, Any]], names: Mapping[str, Any]):
        self.words = {kind: dict(table) for kind, table in words.items()}
        self.words.setdefault("", {})
        self.words[""] = {**GENERAL, **self.words[""]}
        self.names = dict(names)

    def _lookup(self, object_type: Optional[str], token: str) -> Any:
        own = self.words.get(object_type or "", {})
        return own[token] if token in own else self.words[""].get(token)

    def object_name(self, object_type: Optional[str]) -> str:
        """The object type in words (the code when it has none)."""
        if not object_type:
            return ""
        name = self.names.get(object_type)
        return str(name) if name is not None else object_type

    def knows_object(self, object_type: Optional[str]) -> bool:
        return not object_type or object_type in self.names

    def object_type_for(self, typed: str) -> str:
        """The object type an administrator means: a code as stored, or its name in words as the
        search shows it ("Casus" -> "case"); anything else as typed."""
        typed = typed.strip()
        if typed in self.names:
            return typed
        wanted = typed.casefold()
        return next((code for code, name in self.names.items() if str(name).casefold() == wanted), typed)

    def describe(self, object_type: Optional[str], detail: Optional[str]) -> Described:
        phrases: list[Phrase] = []
        for part in (detail or "").split(";"):
            whole = self._lookup(object_type, part.strip())
            if part.strip() and whole is not None and not isinstance(whole, Key):
                phrases.append(Phrase(str(whole)))  # a token with spaces ("file not found")
                continue
            for word in part.split():
                phrases.append(self._phrase(object_type, word))
        return Described(tuple(phrases))

    def _phrase(self, object_type: Optional[str], word: str) -> Phrase:
        key, sep, value = word.partition("=")
        if sep:
            entry = self._lookup(object_type, key)
            if not isinstance(entry, Key):
                return Phrase(word, known=False)
            text, known = self._value(entry, value)
            return Phrase(text, str(entry.label), known)
        entry = self._lookup(object_type, word)
        if isinstance(entry, Key) and entry.alone is not None:
            return Phrase(str(entry.alone))
        if entry is not None and not isinstance(entry, Key):
            return Phrase(str(entry))
        change = self._lookup(object_type, STATUS_CHANGE)
        if STATUS_CHANGE in word and isinstance(change, Key):
            text, known = self._value(change, word)
            return Phrase(text, str(change.label), known)
        return Phrase(word, known=False)

    def _value(self, key: Key, value: str) -> tuple[str, bool]:
        if key.many:
            items = [v for v in value.split(",") if v]
            if not items:
                return "—", True
            read = [self._one(key, v) for v in items]
            return ", ".join(text for text, _ in read), all(known for _, known in read)
        return self._one(key, value)

    def _one(self, key: Key, value: str) -> tuple[str, bool]:
        if STATUS_CHANGE in value:
            sides = [self._one(key, side) for side in value.split(STATUS_CHANGE)]
            return ARROW.join(text or "—" for text, _ in sides), all(known for _, known in sides)
        if key.values is None or value == "":
            return value, True
        words = key.values(value) if callable(key.values) else key.values.get(value)
        return (str(words), True) if words is not None else (value, False)


def vocabulary() -> Vocabulary:
    """The running app's vocabulary (built once from what the capabilities registered)."""
    from ret_app.kernel.registry import registry

    reg = registry()
    if "audit_vocabulary" not in reg.derived:
        reg.derived["audit_vocabulary"] = Vocabulary(*reg.audit_words())
    return reg.derived["audit_vocabulary"]


def describe(object_type: Optional[str], detail: Optional[str]) -> Described:
    return vocabulary().describe(object_type, detail)


def object_name(object_type: Optional[str]) -> str:
    return vocabulary().object_name(object_type)


def object_type_for(typed: str) -> str:
    return vocabulary().object_type_for(typed)


def describe_event(event: Any) -> Described:
    """An AuditEvent's detail in words (the template filter `audit_detail`)."""
    return describe(event.object_type, event.detail)
