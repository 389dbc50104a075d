"""Custom Rasa components. They run inside .venv-rasa (Python 3.10, Rasa 3.6) and import nothing from
this project's other packages; config.yml names them by module path (Rasa puts the project root on
sys.path when it runs from there)."""
