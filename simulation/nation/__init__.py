"""The national model: many Shared Lives schemes run side by side (``slsim-nation``).

* :mod:`.config` – ``configs/nation/default.yaml`` with key=value overrides, checked (one-line
  :class:`~slsim.simulation.validation.ConfigError` naming the field and what is allowed);
* :mod:`.population` – the schemes, drawn from the nation seed: region, kind, operator,
  provider, size, starting stocks scaled to the national figures, practice, own seed;
* :mod:`.peers` – the peer network (region, provider) and learning of practice over it;
* :mod:`.programme` – a national budget shared by an allocation rule; national shocks;
* :mod:`.worker` – groups of scheme models stepped a period at a time, in this process or in
  worker processes (the executor is replaceable, e.g. by Ray actors);
* :mod:`.runner` – the national run: periods, exchanges in the parent, the atomic output folder;
* :mod:`.outputs` – its tables: national totals, a row a scheme (league, growth class), summary.

A scheme's model is the single-scheme :class:`~slsim.simulation.model.SharedLivesModel`; the
national run changes only its parameters between periods (practice learnt, posts bought).
"""
