"""Custom Rasa components. They run inside .venv-rasa (Python 3.10, Rasa 3.6) and import nothing from
this project's other packages but knowledge's encoder helpers; config.yml and endpoints.yml name them by
module path (Rasa puts the project root on sys.path when it runs from there).

Importing the package also makes Rasa validate action server responses with a prepared validator
(action_responses.py) and registers the tokenizer factory models/spacy-id names (spacy_pipeline.py): Rasa
imports the package for the model's components and the tracker store at start-up, before SpacyNLP loads."""

from rasa_components import spacy_pipeline  # noqa: F401 - registers the spaCy tokenizer factory
from rasa_components.action_responses import install

install()
