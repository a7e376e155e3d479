"""The test instances `confgen probe scp` sends, and their encoded streams, broken on purpose where a probe says so.

Every instance is marked as a test: Patient's Name CONFGEN^PROBE, and a Patient ID and Study Instance UID new for
each run, which the run prints so that an administrator can find and delete what it stored.
"""

from __future__ import annotations

import struct
import uuid
from dataclasses import dataclass

from pydicom.dataset import Dataset
from pydicom.filebase import DicomBytesIO
from pydicom.filewriter import write_dataset
from pydicom.uid import UID, generate_uid

from confgen.probe.probeset import InstanceChange

PATIENT_NAME = "CONFGEN^PROBE"
FIRST_CONTENT = "confgen probe: first content"
CHANGED_CONTENT = "confgen probe: changed content"

SECONDARY_CAPTURE = "1.2.840.10008.5.1.4.1.1.7"
CT_IMAGE = "1.2.840.10008.5.1.4.1.1.2"
MR_IMAGE = "1.2.840.10008.5.1.4.1.1.4"

# The SOP Classes a probe can send a valid instance of, by keyword and UID, with the attributes their IODs add to
# the common ones below. Written from PS3.3 2024d Annex A (A.8.1 Secondary Capture Image IOD, A.3 CT Image IOD,
# A.4 MR Image IOD): the Type 1 and Type 2 attributes of each mandatory module, with Type 2 ones left empty.
# Neither SCP that was measured validates an IOD, so these were not tested against a validating SCP.
SOP_CLASSES: dict[str, tuple[str, str]] = {
    "SecondaryCaptureImageStorage": (SECONDARY_CAPTURE, "Secondary Capture Image Storage"),
    "CTImageStorage": (CT_IMAGE, "CT Image Storage"),
    "MRImageStorage": (MR_IMAGE, "MR Image Storage"),
}


def sop_class_uid(name: str) -> str | None:
    """The UID of a supported SOP Class given by keyword or UID; None for any other."""
    for keyword, (uid, _) in SOP_CLASSES.items():
        if name in (keyword, uid):
            return uid
    return None


def sop_class_name(uid: str) -> str:
    return next((title for known, title in SOP_CLASSES.values() if known == uid), uid)


def other_sop_class(uid: str) -> str:
    """A second storage class for the Affected SOP Class mismatch: CT, or Secondary Capture for CT itself."""
    return SECONDARY_CAPTURE if uid == CT_IMAGE else CT_IMAGE


@dataclass(frozen=True)
class TestData:
    """What one run stores: the identifiers an administrator needs to find and delete it."""

    patient_id: str
    study_uid: str
    series_uid: str
    frame_of_reference_uid: str

    @classmethod
    def new(cls) -> TestData:
        return cls(f"CONFGEN-{uuid.uuid4().hex[:12].upper()}", generate_uid(), generate_uid(), generate_uid())


@dataclass(frozen=True)
class Message:
    """A C-STORE request's parts: the command's Affected UIDs and the encoded data set."""

    affected_sop_class: str
    affected_sop_instance: str
    dataset_sop_instance: str | None  # the data set's own SOP Instance UID, None when the probe removed it
    data: bytes
    note: str = ""  # how it was sent, when that differs from what the probe set says


def dataset(sop_class: str, test: TestData, sop_instance: str, number: int, changed: bool = False,
            remove: tuple[str, ...] = ()) -> Dataset:
    """A valid instance of ``sop_class`` (one of SOP_CLASSES), less the attributes named in ``remove``."""
    ds = Dataset()
    ds.SOPClassUID = sop_class
    ds.SOPInstanceUID = sop_instance
    ds.StudyDate = ""
    ds.StudyTime = ""
    ds.AccessionNumber = ""
    ds.ReferringPhysicianName = ""
    ds.StudyDescription = "confgen probe: test data, safe to delete"
    ds.SeriesDescription = "confgen probe"
    ds.Manufacturer = "confgen"
    ds.PatientName = PATIENT_NAME
    ds.PatientID = test.patient_id
    ds.PatientBirthDate = ""
    ds.PatientSex = ""
    ds.StudyInstanceUID = test.study_uid
    ds.SeriesInstanceUID = test.series_uid
    ds.StudyID = ""
    ds.SeriesNumber = "1"
    ds.InstanceNumber = str(number)
    ds.PatientOrientation = ""
    ds.ImageComments = CHANGED_CONTENT if changed else FIRST_CONTENT
    ds.SamplesPerPixel = 1
    ds.PhotometricInterpretation = "MONOCHROME2"
    ds.Rows = 8
    ds.Columns = 8
    ds.PixelRepresentation = 0
    if sop_class == SECONDARY_CAPTURE:
        ds.Modality = "OT"
        ds.ConversionType = "WSD"
        ds.BitsAllocated, ds.BitsStored, ds.HighBit = 8, 8, 7
    else:
        ds.Modality = "CT" if sop_class == CT_IMAGE else "MR"
        ds.FrameOfReferenceUID = test.frame_of_reference_uid
        ds.PositionReferenceIndicator = ""
        ds.ImageType = ["ORIGINAL", "PRIMARY", "AXIAL"]
        ds.PixelSpacing = [1, 1]
        ds.ImageOrientationPatient = [1, 0, 0, 0, 1, 0]
        ds.ImagePositionPatient = [0, 0, 0]
        ds.SliceThickness = ""
        ds.BitsAllocated, ds.BitsStored, ds.HighBit = 16, 12, 11
        if sop_class == CT_IMAGE:
            ds.KVP = ""
            ds.AcquisitionNumber = ""
            ds.RescaleIntercept = "-1024"
            ds.RescaleSlope = "1"
        else:
            ds.ScanningSequence = "SE"
            ds.SequenceVariant = "NONE"
            ds.ScanOptions = ""
            ds.MRAcquisitionType = "2D"
            ds.EchoTime = ""
            ds.EchoTrainLength = ""
    samples = ds.Rows * ds.Columns * (ds.BitsAllocated // 8)
    ds.PixelData = (b"\x0f" if changed else b"\x00") * samples
    for keyword in remove:
        delattr(ds, keyword)
    return ds


def encode(ds: Dataset, implicit_vr: bool) -> bytes:
    """The data set as it goes on the wire: little endian, implicit or explicit VR as the context agreed."""
    stream = DicomBytesIO()
    stream.is_little_endian = True
    stream.is_implicit_VR = implicit_vr
    write_dataset(stream, ds)
    return stream.getvalue()


def broken(ds: Dataset, fault: str, implicit_vr: bool) -> bytes | None:
    """The encoded ``ds`` with ``fault`` (probeset.STREAM_FAULTS); None when the encoding cannot carry it (a VR in
    Implicit VR)."""
    whole = encode(ds, implicit_vr)
    if fault == "empty":
        return b""
    if fault == "truncated":
        # Pixel Data is the last element: cut half-way through its value. An even length keeps this a truncation
        # and not also an odd-length fragment, which DCMTK refuses for a reason of its own.
        cut = len(whole) - len(ds.PixelData) // 2
        return whole[: cut - cut % 2]
    keyword = "PatientName" if fault == "length-past-end" else "Modality"
    before, element, after = _split_at(ds, keyword, implicit_vr)
    if fault == "length-past-end":
        # The element's length field says more bytes than the whole data set has (an even number).
        if implicit_vr:
            element = element[:4] + struct.pack("<I", 0x00FFFFFE) + element[8:]
        else:
            element = element[:6] + struct.pack("<H", 0xFFFE) + element[8:]
        return before + element + after
    if implicit_vr:
        return None
    return before + element[:4] + b"ZZ" + element[6:] + after


def _split_at(ds: Dataset, keyword: str, implicit_vr: bool) -> tuple[bytes, bytes, bytes]:
    """The encoded data set in three parts: the elements before ``keyword``'s, its own, and those after it."""
    tag = ds.data_element(keyword).tag  # type: ignore[union-attr]
    parts: list[Dataset] = [Dataset(), Dataset(), Dataset()]
    for element in ds:
        parts[0 if element.tag < tag else 1 if element.tag == tag else 2].add(element)
    first, middle, last = (encode(part, implicit_vr) for part in parts)
    return first, middle, last


def message(change: InstanceChange, sop_class: str, test: TestData, own_uid: str, number: int,
            implicit_vr: bool) -> Message | None:
    """The C-STORE request of a probe whose instance, SOP Instance UID ``own_uid``, is changed as ``change`` says;
    None when the agreed encoding cannot carry the change."""
    ds = dataset(sop_class, test, own_uid, number, changed=change.changed_content, remove=change.remove)
    affected_class = other_sop_class(sop_class) if change.other_affected_class else sop_class
    affected_instance = generate_uid() if change.other_affected_instance else own_uid
    data = broken(ds, change.stream, implicit_vr) if change.stream else encode(ds, implicit_vr)
    if data is None:
        return None
    kept = None if "SOPInstanceUID" in change.remove else own_uid
    return Message(UID(affected_class), UID(affected_instance), kept, data)
