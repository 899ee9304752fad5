"""Demo data: development keys, a signed assignment for a Pekanbaru school and a script of walk-ins.

Everything is generated (keys included) from a seeded random source, so a demo run is the same every time
except for the keys, which are always fresh. The walk-ins include the data mismatches a team meets in the
field: a wrong birth date typed, a family card (KK) that disagrees with the list, a student from another
school, a landline given as phone number, a walk-out.
"""

import datetime as dt
import json
import random
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

from contract.assignment import bundle_to_bytes, sign_assignment
from contract.durable import private_dir, write_durably
from contract.keys import save_private_key, save_public_key
from contract.pins import hash_pin

DEMO_STATION_ID = "st-pku-01"
SCHOOL = {"npsn": "10404052", "name": "SMA Negeri 1 Pekanbaru"}
# Kecamatan codes of Kota Pekanbaru (1471xx) used for the students' addresses.
DISTRICTS = ("01", "02", "03", "04", "05", "06", "07", "08", "09", "10", "11", "12")
MALE = ("Muhammad", "Rizky", "Ahmad", "Fajar", "Dimas", "Raka", "Bayu", "Aditya", "Farhan", "Ilham", "Teguh")
FEMALE = ("Siti", "Nur", "Putri", "Aisyah", "Dewi", "Rahmawati", "Intan", "Nadia", "Zahra", "Fitri", "Annisa")
FAMILY = ("Harahap", "Siregar", "Nasution", "Lubis", "Pratama", "Saputra", "Hidayat", "Syahputra",
          "Wulandari", "Rahman", "Maharani", "Permata", "Kurniawan", "Ramadhan", "Melayu", "Tanjung")
BIRTH_PLACES = ("Pekanbaru", "Pekanbaru", "Pekanbaru", "Dumai", "Bangkinang", "Siak Sri Indrapura", "Padang")
MOBILE_PREFIXES = ("0811", "0812", "0813", "0821", "0822", "0852", "0853", "0817", "0818", "0877", "0857", "0896")
TEAM = (("OP-01", "Hendra Gunawan", "lead", "246810"), ("OP-02", "Yuliana Sari", "operator", "135790"))


@dataclass(frozen=True)
class DemoPaths:
    """Where `generate` puts things under the demo folder."""

    root: Path

    @property
    def hq_keys(self) -> Path:
        return self.root / "hq" / "keys"

    @property
    def station_dir(self) -> Path:
        return self.root / "station"

    @property
    def station_config(self) -> Path:
        return self.station_dir / "station.toml"

    @property
    def station_data(self) -> Path:
        return self.station_dir / "data"

    @property
    def assignment(self) -> Path:
        return self.root / "assignment.json"

    @property
    def walk_ins(self) -> Path:
        return self.root / "walk-ins.json"

    @property
    def station_public_key(self) -> Path:
        """The station's public signing key as registered at HQ (what `packet verify` needs)."""
        return self.root / "hq" / "stations" / f"{DEMO_STATION_ID}.pub.pem"


def _nik(rng: random.Random, birth: dt.date, sex: str, serial: int) -> str:
    day = birth.day + (40 if sex == "F" else 0)
    return f"1471{rng.choice(DISTRICTS)}{day:02d}{birth.month:02d}{birth.year % 100:02d}{serial:04d}"


def demo_applicants(rng: random.Random, recording_date: dt.date, count: int) -> list[dict]:
    people = []
    for i in range(count):
        sex = "F" if i % 2 else "M"
        # 16 to 18 years old on the recording date; odd and even birth years both occur (red/blue background).
        birth = recording_date.replace(year=recording_date.year - 16) - dt.timedelta(days=rng.randint(1, 2 * 365))
        first = rng.choice(FEMALE if sex == "F" else MALE)
        name = f"{first} {rng.choice(FAMILY)}"
        nik = _nik(rng, birth, sex, serial=i + 1)
        people.append({
            # HQ's one application-number scheme (hq/applications/numbering.py), so the demo's numbers are HQ's
            "application_id": f"PMH-{recording_date.year}-{i + 1:06d}",
            "nik": nik, "name": name, "birth_place": rng.choice(BIRTH_PLACES),
            "birth_date": birth.isoformat(), "sex": sex,
            "kk_number": f"1471{nik[4:6]}{rng.randint(10, 28):02d}{rng.randint(1, 12):02d}{rng.randint(5, 20):02d}"
                         f"{rng.randint(1, 9999):04d}",
            "phone": f"{rng.choice(MOBILE_PREFIXES)}{rng.randint(10_000_000, 99_999_999)}",
        })
    return people


def build_assignment_content(recording_date: dt.date, applicants: list[dict], version: int = 1) -> dict:
    """The assignment content HQ would send for the demo school (unsigned); a fresh dict throughout, so a caller
    may edit it (a test changing the school's name once changed it for every later bundle in the process)."""
    return {
        "assignment_id": f"ASG-{recording_date:%Y%m%d}-{SCHOOL['npsn']}",
        "version": version,
        "station_id": DEMO_STATION_ID,
        "issued_at": dt.datetime.combine(recording_date - dt.timedelta(days=2), dt.time(9, 30),
                                         tzinfo=dt.UTC).isoformat(),
        "school": dict(SCHOOL),
        "spt": {"number": f"800/SPT/DISDUKCAPIL/{recording_date:%m}/{recording_date.year}/0142",
                "date": (recording_date - dt.timedelta(days=3)).isoformat()},
        "recording_date": recording_date.isoformat(),
        "team": [{"operator_id": o, "name": n, "role": r, "pin_hash": hash_pin(p)} for o, n, r, p in TEAM],
        "applicants": applicants,
    }


def _walk_ins(applicants: list[dict]) -> list[dict]:
    """What happens at the kiosk, in order; `expect` is what the station should do."""
    a = applicants
    wrong_day = (dt.date.fromisoformat(a[2]["birth_date"]) + dt.timedelta(days=1)).isoformat()
    return [
        {"who": a[0]["name"], "method": "qr", "application_id": a[0]["application_id"],
         "phone": a[0]["phone"], "expect": "checked_in", "then": "record"},
        {"who": a[1]["name"], "method": "nik", "nik": a[1]["nik"], "birth_date": a[1]["birth_date"],
         "phone": "+62" + a[1]["phone"][1:], "expect": "checked_in", "then": "record"},
        {"who": a[2]["name"], "method": "nik", "nik": a[2]["nik"], "birth_date": wrong_day,
         "phone": a[2]["phone"], "expect": "checkin.birth_date_mismatch", "note": "typed the wrong birth date"},
        {"who": a[2]["name"], "method": "nik", "nik": a[2]["nik"], "birth_date": a[2]["birth_date"],
         "phone": a[2]["phone"], "expect": "checked_in", "then": "record_with_exception"},
        {"who": "Student of another school", "method": "nik", "nik": "1471085005090007",
         "birth_date": "2009-05-10", "phone": "081234567890", "expect": "checkin.not_on_list"},
        {"who": a[3]["name"], "method": "qr", "application_id": a[3]["application_id"], "phone": "0761 21234",
         "expect": "phone.not_mobile", "note": "gave the school's landline"},
        {"who": a[3]["name"], "method": "qr", "application_id": a[3]["application_id"], "phone": a[3]["phone"],
         "expect": "checked_in", "then": "correction:kk_mismatch", "note": "KK card differs from the list"},
        {"who": a[4]["name"], "method": "qr", "application_id": a[4]["application_id"], "phone": a[4]["phone"],
         "expect": "checked_in", "then": "withdraw:walked_out"},
        {"who": a[5]["name"], "method": "qr", "application_id": a[5]["application_id"], "phone": a[5]["phone"],
         "expect": "checked_in", "then": "record"},
    ]


def generate(root: Path, recording_date: dt.date, count: int = 24, seed: int = 1471) -> DemoPaths:
    """Write fresh keys, the signed assignment, the walk-in script and a station.toml under `root`; every folder
    0700 and every file 0600 (the assignment names the students), only the public keys 0644."""
    paths = DemoPaths(Path(root))
    for folder in (paths.hq_keys, paths.station_public_key.parent, paths.station_data / "keys"):
        private_dir(folder)
    rng = random.Random(seed)  # noqa: S311 -- demo names and dates, reproducible on purpose; keys use os.urandom
    hq_sign, hq_packet, station_sign = Ed25519PrivateKey.generate(), X25519PrivateKey.generate(), \
        Ed25519PrivateKey.generate()
    save_private_key(paths.hq_keys / "hq_assignment.pem", hq_sign)
    save_private_key(paths.hq_keys / "hq_packet.pem", hq_packet)
    save_public_key(paths.hq_keys / "hq_assignment.pub.pem", hq_sign.public_key())
    save_public_key(paths.station_public_key, station_sign.public_key())
    # What enrolment leaves on the station: its own key and HQ's pinned public keys.
    save_private_key(paths.station_data / "keys" / "station_signing.pem", station_sign)
    save_public_key(paths.station_data / "keys" / "hq_assignment.pub.pem", hq_sign.public_key())
    save_public_key(paths.station_data / "keys" / "hq_packet.pub.pem", hq_packet.public_key())
    applicants = demo_applicants(rng, recording_date, count)
    bundle = sign_assignment(build_assignment_content(recording_date, applicants), hq_sign)
    write_durably(paths.assignment, bundle_to_bytes(bundle))
    write_durably(paths.walk_ins, json.dumps(_walk_ins(applicants), indent=1, ensure_ascii=False).encode())
    write_durably(paths.station_config, (
        "# Demo station: simulated devices, local broker, data beside this file.\n"
        f'[station]\nid = "{DEMO_STATION_ID}"\ndata_dir = "data"\n'
        "[devices]\n# The simulated scanner serves one print at a time, so the demo takes single fingers (a real kit\n"
        "# takes 4-4-2 slaps, the default).\n"
        'finger_mode = "single"\n'
    ).encode())
    return paths
