"""Stance as content analysts measure it: code a sample, train a classifier, count corrected shares.

- :mod:`.coding`: the stratified sample of target-mentioning sentences to hand-code;
- :mod:`.coded`: reading and checking coded files (labels favor / against / none);
- :mod:`.model`, :mod:`.train`: features, the linear classifier, choice by cross-validation;
- :mod:`.metrics`: precision, recall, F1, SemEval's F_avg;
- :mod:`.model_file`: the model file (data only, never a pickle);
- :mod:`.correction`, :mod:`.shares`: adjusted-count shares with intervals over articles.
"""
