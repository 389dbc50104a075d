"""Knowledge edits made in the agent console, applied on top of the FAQ topic files, and their export.

A supervisor can add a customer's wording to a topic (`phrasing`), rewrite a topic's answer (`answer`) or
write a new topic with its answer (`topic`, document `tim_cs`). The gateway stores each edit (with author and
time, bot/services/knowledge_edits.py); every process replays them in order over knowledge/faq/*.yml, so an
edit answers within a minute without a restart or a new index. `export` writes the result back in the topic
files' format, so that `make index` and the next training hold it too. Replaying an edit already exported
changes nothing: a wording already there is not added twice, an answer or a topic is set to what it is.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Literal

import yaml

from knowledge.documents import BY_FILE
from knowledge.faq import FAQ_DIR, TIM_CS, FaqTopic, load_topics

EditKind = Literal["phrasing", "answer", "topic"]
TIM_CS_TITLE = "Jawaban yang ditulis Tim CS di konsol"


@dataclass(frozen=True)
class TopicEdit:
    kind: EditKind
    topic: str
    author: str  # the supervisor's display name, as the answer's source names it
    text: str | None = None  # the wording (phrasing) or the new answer (answer)
    question: str | None = None  # a new topic's question
    answer: str | None = None  # a new topic's answer
    brand: str | None = None  # a new topic's platform

    def __post_init__(self) -> None:
        needed = ("question", "answer", "brand") if self.kind == "topic" else ("text",)
        missing = [name for name in needed if not (getattr(self, name) or "").strip()]
        if missing:
            raise ValueError(f"a {self.kind} edit needs {', '.join(missing)}")


def _known(topic: FaqTopic, text: str) -> bool:
    wanted = " ".join(text.lower().split())
    return any(" ".join(t.lower().split()) == wanted for t in (topic.question, *topic.examples))


def apply_edits(topics: Sequence[FaqTopic], edits: Sequence[TopicEdit]) -> tuple[FaqTopic, ...]:
    """The topics with the edits applied in order; an edit of a topic that does not exist is skipped."""
    by_name = {t.topic: t for t in topics}
    for edit in edits:
        current = by_name.get(edit.topic)
        if edit.kind == "topic":
            question, answer = str(edit.question), str(edit.answer)
            if current is None:
                current = FaqTopic(
                    topic=edit.topic,
                    document=TIM_CS,
                    brand=str(edit.brand),
                    section=question,
                    question=question,
                    examples=(),
                    answer=answer,
                    answered_by=edit.author,
                )
            else:
                current = replace(current, question=question, answer=answer, answered_by=edit.author)
        elif current is None:
            continue
        elif edit.kind == "phrasing":
            if not _known(current, str(edit.text)):
                current = replace(current, examples=(*current.examples, str(edit.text)))
        else:
            current = replace(current, answer=str(edit.text), answered_by=edit.author)
        by_name[edit.topic] = current
    return tuple(by_name.values())


class _Block(str):
    """A string written as a YAML block scalar (|), as the topic files write answers."""


class _Dumper(yaml.SafeDumper):
    """The topic files' layout: list items indented under their key."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        return super().increase_indent(flow, False)


_Dumper.add_representer(
    _Block, lambda dumper, value: dumper.represent_scalar("tag:yaml.org,2002:str", value, style="|")
)


def _item(topic: FaqTopic) -> dict[str, Any]:
    item: dict[str, Any] = {"topic": topic.topic}
    if topic.document == TIM_CS:
        item["brand"] = topic.brand
    else:
        item["section"] = topic.section
    item["question"] = topic.question
    item["examples"] = list(topic.examples)
    if topic.answered_by:
        item["answered_by"] = topic.answered_by
    item["answer"] = _Block(topic.answer.strip() + "\n")
    return item


def _file_of(topic: FaqTopic, files: dict[str, str]) -> str:
    return files.get(topic.topic) or (
        "tim_cs.yml" if topic.document == TIM_CS else f"{Path(topic.document).stem}.yml"
    )


def export(topics: Sequence[FaqTopic], directory: Path = FAQ_DIR) -> list[Path]:
    """Write the topics back to their files (a topic stays in the file it came from; console topics go to
    tim_cs.yml). Only a file whose topics changed is rewritten; returns those files."""
    before = {t.topic: t for t in load_topics(directory)}
    files: dict[str, str] = {}
    headers: dict[str, dict[str, Any]] = {}
    comments: dict[str, str] = {}
    for path in sorted(directory.glob("*.yml")):
        text = path.read_text(encoding="utf-8")
        data = yaml.safe_load(text)
        headers[path.name] = {k: v for k, v in data.items() if k != "topics"}
        comments[path.name] = "".join(line + "\n" for line in text.splitlines() if line.startswith("#"))[
            :2000
        ]
        for item in data["topics"]:
            files[item["topic"]] = path.name
    grouped: dict[str, list[FaqTopic]] = defaultdict(list)
    for topic in topics:
        grouped[_file_of(topic, files)].append(topic)
    changed = []
    dump: dict[str, Any] = {"Dumper": _Dumper, "allow_unicode": True, "sort_keys": False, "width": 1000}
    for name, members in grouped.items():
        if (
            name in headers
            and all(before.get(t.topic) == t for t in members)
            and len(members) == sum(1 for file in files.values() if file == name)
        ):
            continue
        header = headers.get(name) or _header(members[0])
        body = yaml.dump({**header, "topics": [_item(t) for t in members]}, **dump)
        text = comments.get(name, "") + body
        path = directory / name
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")
            changed.append(path)
    return changed


def _header(topic: FaqTopic) -> dict[str, Any]:
    if topic.document == TIM_CS:
        return {"document": TIM_CS, "title": TIM_CS_TITLE}
    document = BY_FILE[topic.document]
    return {"document": document.file, "brand": document.brand, "title": document.title}
