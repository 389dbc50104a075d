"""Corpus ingestion: clean each document, find its sections, and cut section-aware passages.

Every passage keeps its document, section and line range, so an answer can be traced back to the text.
Export artefacts are repaired first: screenshot captions ("image") and HTML comment markers are dropped,
and tables that the export flattened to one cell per line (cells separated by "|" lines) are rebuilt into
one readable line per row.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

from knowledge.documents import DOCUMENTS, Document, read_document

if TYPE_CHECKING:  # spaCy is imported only when a document is first split
    from spacy.language import Language

MAX_PASSAGE_CHARS = 700
_ARTEFACT = re.compile(
    r"^(?:image(?:\.png)?|(?:image)+|<!--|-->|\d+\.\s*<!--|\d+\.\s*-->|-|•)$", re.IGNORECASE
)
_NUMBERED = re.compile(r"^(?:\d+|[a-z])\.\s+\S")
_UPPER_HEADING = re.compile(r"^[A-Z0-9][A-Z0-9 &%/,.\-()]{3,80}$")


@dataclass(frozen=True)
class Line:
    number: int  # 1-based line number in the original document
    text: str


@dataclass(frozen=True)
class Section:
    document: str
    brand: str
    title: str  # the heading line as it reads in the document (stripped)
    path: tuple[str, ...]  # enclosing headings, outermost first, ending with title
    lines: tuple[Line, ...]


@dataclass(frozen=True)
class Passage:
    id: str  # "<document>#<first line>"
    document: str
    brand: str
    section: str
    path: tuple[str, ...]
    line_start: int
    line_end: int
    text: str


def _is_separator(line: str) -> bool:
    return line == "|" or line.endswith(" |")


def _table_cells(raw: list[str]) -> list[str]:
    cells: list[str] = []
    current: list[str] = []
    for line in raw:
        if _is_separator(line):
            if line != "|":
                current.append(line[:-2].strip())
            cells.append(" ".join(current).strip())
            current = []
        elif line:
            current.append(line)
    return cells


def _table_rows(cells: list[str]) -> list[str]:
    """Cells of a flattened table -> a header line and one readable line per row."""
    numbered = bool(cells) and cells[0].lower() == "no" and "1" in cells
    width = cells.index("1") if numbered else 2
    header = cells[:width]
    rows = [cells[i : i + width] for i in range(width, len(cells), width)]
    label_col = 1 if numbered else 0
    out = ["Tabel: " + " | ".join(header[label_col:])]
    for row in rows:
        values = [f"{header[j]}: {row[j]}" for j in range(label_col + 1, len(row)) if row[j]]
        out.append(" — ".join([row[label_col], *values]) if len(row) > label_col else " ".join(row))
    return out


def clean_lines(text: str) -> list[Line]:
    """The document's lines without export artefacts, with flattened tables rebuilt."""
    raw = [line.strip() for line in text.splitlines()]
    separators = [i for i, line in enumerate(raw) if _is_separator(line)]
    # Separators at most 3 lines apart belong to one table; a "|" table starts with the cell before it.
    tables: dict[int, int] = {}
    for index in separators:
        last_start = max(tables, default=None)
        if last_start is not None and index - tables[last_start] <= 3:
            tables[last_start] = index
        else:
            tables[index - 1 if raw[index] == "|" else index] = index
    lines: list[Line] = []
    i = 0
    while i < len(raw):
        if i in tables:
            end = tables[i]
            lines.extend(Line(i + 1, row) for row in _table_rows(_table_cells(raw[i : end + 1])))
            i = end + 1
            continue
        if raw[i] and not _ARTEFACT.match(raw[i]):
            lines.append(Line(i + 1, raw[i]))
        i += 1
    return lines


def _heading_level(line: str, known: frozenset[str]) -> int | None:
    """1 for UPPERCASE headings, 2 for numbered headings, 3 for question lines; None for body text."""
    if line in known:
        return 3 if line.endswith("?") else 2
    letters = [c for c in line if c.isalpha()]
    if letters and _UPPER_HEADING.match(line) and all(c.isupper() for c in letters) and len(letters) > 3:
        return 1
    if _NUMBERED.match(line) and len(line) <= 140 and not line.endswith((".", ":", ";", ",")):
        return 2
    if line.endswith("?") and len(line) <= 220:
        return 3
    return None


def sections(document: Document, known_headings: Iterable[str] = ()) -> list[Section]:
    """The document split at its headings. known_headings (e.g. sections FAQ topics cite) always split."""
    known = frozenset(known_headings)
    found: list[Section] = []
    path: list[tuple[int, str]] = []
    body: list[Line] = []
    title = document.title

    def close() -> None:
        if body:
            found.append(
                Section(
                    document.file, document.brand, title, tuple(t for _, t in path) or (title,), tuple(body)
                )
            )

    for line in clean_lines(read_document(document)):
        level = _heading_level(line.text, known)
        if level is None:
            body.append(line)
            continue
        close()
        body = []
        path = [(lvl, t) for lvl, t in path if lvl < level] + [(level, line.text)]
        title = line.text
    close()
    return found


def _sentences(text: str) -> list[str]:
    return [s.text.strip() for s in _sentencizer()(text).sents if s.text.strip()]


@lru_cache
def _sentencizer() -> Language:
    import spacy

    nlp = spacy.blank("id")
    nlp.add_pipe("sentencizer")
    return nlp


def _chunks(section: Section) -> Iterator[tuple[int, int, str]]:
    """Sentence-aligned chunks of at most MAX_PASSAGE_CHARS, with their line range."""
    units: list[tuple[int, str]] = []
    for line in section.lines:
        pieces = _sentences(line.text) if len(line.text) > MAX_PASSAGE_CHARS // 2 else [line.text]
        units.extend((line.number, piece) for piece in pieces)
    current: list[tuple[int, str]] = []
    size = 0
    for number, piece in units:
        if current and size + len(piece) > MAX_PASSAGE_CHARS:
            yield current[0][0], current[-1][0], "\n".join(p for _, p in current)
            current, size = [], 0
        current.append((number, piece))
        size += len(piece) + 1
    if current:
        yield current[0][0], current[-1][0], "\n".join(p for _, p in current)


def passages(known_headings: Iterable[str] = ()) -> list[Passage]:
    known = tuple(known_headings)
    out = []
    for document in DOCUMENTS:
        for section in sections(document, known):
            for start, end, text in _chunks(section):
                out.append(
                    Passage(
                        id=f"{document.file}#{start}",
                        document=document.file,
                        brand=document.brand,
                        section=section.title,
                        path=section.path,
                        line_start=start,
                        line_end=end,
                        text=text,
                    )
                )
    return out
