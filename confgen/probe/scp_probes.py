"""Running the probe set against an SCP: each probe on an association of its own, in the order of probes.yaml."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from pydicom.uid import UID, generate_uid

from confgen.probe import wire
from confgen.probe.instances import TestData, message, other_sop_class, sop_class_name
from confgen.probe.probeset import Probe, probe_set
from confgen.probe.results import Implementation, Outcome, ProbeResult
from confgen.probe.wire import Peer, PeerError


@dataclass(frozen=True)
class ScpRun:
    results: tuple[ProbeResult, ...]
    implementation: Implementation | None


@dataclass
class Sent:
    """What a run has sent so far that the SCP may have stored, kept as it goes: a run that is stopped half-way
    (Ctrl-C) still says what to delete."""

    instances: int = 0  # C-STORE requests sent (or being sent)
    orphan_uids: list[str] = field(default_factory=list)  # instances without the run's Study Instance UID


def run_probes(peer: Peer, sop_class: str, test: TestData, sent: Sent, progress: Callable[[str], None]) -> ScpRun:
    """Every probe of the set, counting what is sent in ``sent``; PeerError when the SCP cannot be probed at
    all (the first probe fails to associate, or the SOP Class is refused)."""
    first_uid = generate_uid()
    implementation: Implementation | None = None
    results: list[ProbeResult] = []
    probes = probe_set().probes
    for number, probe in enumerate(probes, start=1):
        try:
            if probe.negotiate is not None:
                result, seen = _negotiation(peer, probe, sop_class)
            else:
                result, seen = _store(peer, probe, sop_class, test, sent, first_uid, number, first=number == 1)
        except PeerError as error:
            if number == 1 and error.no_context:
                raise PeerError(f"{error}; choose a SOP Class it takes with --sop-class") from error
            if number == 1:
                raise
            result, seen = ProbeResult(probe.id, probe.title, probe.sends,
                                       Outcome("unreachable", f"no association for this probe: {error}")), None
        implementation = implementation or seen
        results.append(result)
        progress(f"probe {number}/{len(probes)} {probe.id}: {result.outcome.detail}")
    return ScpRun(tuple(results), implementation)


def _store(peer: Peer, probe: Probe, sop_class: str, test: TestData, sent: Sent, first_uid: str, number: int,
           first: bool) -> tuple[ProbeResult, Implementation]:
    change = probe.instance
    assert change is not None
    other = other_sop_class(sop_class)
    # A VR is only on the wire in Explicit VR: offered alone, the SCP takes it or says it does not.
    syntaxes = [wire.EXPLICIT_VR_LE] if change.stream == "unknown-vr" else list(wire.UNCOMPRESSED)
    # Verification keeps the association acceptable to an SCP that refuses the SOP Class, so that it says so.
    contexts = [wire.context(sop_class, syntaxes), wire.context(wire.VERIFICATION, [wire.IMPLICIT_VR_LE])] + \
        ([wire.context(other)] if change.other_affected_class else [])
    with wire.associated(peer, contexts) as link:
        implementation = link.implementation
        cx = link.context_of(sop_class)
        if cx is None:
            rejected = link.rejected(sop_class)
            why = wire.rejection(rejected) if rejected else "not accepted"
            if first:
                raise PeerError(f"{peer.where} does not take {sop_class_name(sop_class)} ({why}); choose a SOP "
                                "Class it takes with --sop-class")
            return ProbeResult(probe.id, probe.title, probe.sends,
                               Outcome("rejected", f"the context was rejected: {why}")), implementation
        transfer_syntax = str(cx.transfer_syntax[0])
        own_uid = first_uid if first or change.first else generate_uid()
        msg = message(change, sop_class, test, own_uid, number, transfer_syntax == wire.IMPLICIT_VR_LE)
        if msg is None:
            return ProbeResult(probe.id, probe.title, probe.sends, Outcome(
                "not-sent", f"not sent: the SCP agreed on {UID(transfer_syntax).name}, which cannot carry this "
                            "fault")), implementation
        context_id = cx.context_id
        note = ""
        if change.other_affected_class:
            other_cx = link.context_of(other)
            if other_cx is not None:
                context_id = other_cx.context_id
            else:
                note = f"; sent on the {sop_class_name(sop_class)} context, since the SCP did not accept " \
                       f"{sop_class_name(other)}"
        assert context_id is not None
        detail = (f"{len(msg.data)} bytes in {UID(transfer_syntax).name}; Affected SOP Class UID "
                f"{msg.affected_sop_class} ({sop_class_name(msg.affected_sop_class)}), Affected SOP Instance UID "
                f"{msg.affected_sop_instance}" +
                (f"; data set's SOP Instance UID {msg.dataset_sop_instance}"
                 if msg.dataset_sop_instance not in (None, msg.affected_sop_instance) else "") + note)
        uids = tuple(dict.fromkeys(uid for uid in (msg.dataset_sop_instance, msg.affected_sop_instance) if uid))
        sent.instances += 1
        if "StudyInstanceUID" in change.remove:
            sent.orphan_uids.extend(uids)
        outcome = wire.store(link, context_id, msg, peer.timeout)
        return ProbeResult(probe.id, probe.title, probe.sends, outcome, uids, detail=detail), implementation


def _negotiation(peer: Peer, probe: Probe, sop_class: str) -> tuple[ProbeResult, Implementation]:
    negotiate = probe.negotiate
    assert negotiate is not None
    abstract = negotiate.sop_class or sop_class
    syntaxes = [negotiate.transfer_syntax] if negotiate.transfer_syntax else list(wire.UNCOMPRESSED)
    # The context under test goes first (context ID 1); Verification and the chosen class keep the association
    # acceptable whatever the SCP thinks of it.
    contexts = [wire.context(abstract, syntaxes), wire.context(wire.VERIFICATION, [wire.IMPLICIT_VR_LE]),
                wire.context(sop_class)]
    outcome, implementation = wire.negotiate(peer, contexts, abstract, negotiate.transfer_syntax)
    detail = f"Proposed: {abstract}" + (f" with {UID(negotiate.transfer_syntax).name} alone"
                                        if negotiate.transfer_syntax else "")
    return ProbeResult(probe.id, probe.title, probe.sends, outcome, detail=detail), implementation
