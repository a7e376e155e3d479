"""`confgen probe`: is the statement true? A profile's Storage tables held against the running application.

``probe scp`` sends a fixed set of C-STORE probes (``probes.yaml``) to the SCP and judges each outcome against
Table N.7-43; ``probe scu`` plays the SCP for the SCU and records what it does after each status of Table N.7-42.
One module, one job:

- ``table``: the one reader of the profile's Storage tables (rows, codes, lines);
- ``results``: what a run observed, as plain data (outcomes, read-backs, observations; the peer's text printable);
- ``probeset`` and ``probes.yaml``: the probe set, as data;
- ``instances``: the test instances and their byte streams, broken on purpose;
- ``wire``: the network as the SCU (pynetdicom); ``scp_probes``: the probe set run against an SCP;
- ``readback``: whether what was sent is stored (C-FIND, or a folder);
- ``verdicts``: outcomes against the table, as findings with rule IDs (V601-V699);
- ``scu_probe``: the network as the SCP, and what the SCU under test did;
- ``report``: the report (JSON, HTML, PDF); ``verified``: what `build --verified-by` reads of it;
- ``arguments``: their command line; ``command``: the two commands, from arguments to exit code.

Importing this package imports nothing else: pynetdicom is loaded by ``wire`` and ``scu_probe`` only, so that
``validate`` and ``build`` never pay for it.
"""
