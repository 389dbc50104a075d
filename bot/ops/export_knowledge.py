"""`make export-knowledge` (`python -m bot.ops.export_knowledge`): the console's knowledge edits into the
FAQ topic files (knowledge/faq/*.yml) and Rasa's generated faq examples (data/nlu/faq.yml).

The running stack answers with the edits already (bot/services/knowledge_edits.py); exporting makes them
part of the sources, so that the next `make index` and `make train` are built from them and they can be
reviewed and committed like any other change. Run it against the database the console wrote to
(DATABASE_URL). Exporting twice changes nothing; the stored edits stay (replaying them over the exported
files is a no-op).
"""

from __future__ import annotations

import argparse

from bot.config import PROJECT_ROOT
from bot.services.knowledge_edits import current_topics
from bot.store.db import session_scope
from knowledge.edits import export
from knowledge.faq import FAQ_DIR, load_topics
from knowledge.rasa_data import NLU_FILE, render


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bot.ops.export_knowledge", description=__doc__)
    parser.parse_args(argv)
    with session_scope() as session:
        topics = current_topics(session)
    changed = export(topics, FAQ_DIR)
    load_topics.cache_clear()
    nlu = render(load_topics(FAQ_DIR))
    if NLU_FILE.read_text(encoding="utf-8") != nlu:
        NLU_FILE.write_text(nlu, encoding="utf-8")
        changed.append(NLU_FILE)
    for path in changed:
        print(f"wrote {path.relative_to(PROJECT_ROOT) if path.is_relative_to(PROJECT_ROOT) else path}")
    if not changed:
        print("the FAQ files already hold every console edit")


if __name__ == "__main__":
    main()
