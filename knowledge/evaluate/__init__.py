"""Evaluation and calibration of help-centre answering on the dev set (`python -m knowledge.evaluate`)."""
