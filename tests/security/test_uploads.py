"""Uploads: stored under a name and extension from the detected type, never the uploaded name;
served as attachments with the detected type and nosniff; size limits; optional antivirus."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from label.models import FormationReferent, ModuleFormation
from portal.core import uploads

PDF = b"%PDF-1.4\n<html><script>alert(1)</script></html>\n"


@pytest.fixture
def fake_scanner():
    class FakeScanner:
        def __init__(self):
            self.verdict = None
            self.error = False
            self.scanned = []

        def scan(self, fileobj):
            self.scanned.append(fileobj.read())
            fileobj.seek(0)
            if self.error:
                raise uploads.ScanError("connexion refusée")
            return self.verdict

    scanner = FakeScanner()
    uploads.use_scanner(scanner)
    yield scanner
    uploads.use_scanner(None)


def add_training(client, world, name, content=PDF):
    module = ModuleFormation.objects.exclude(pk=world.formation_a.module_id).first()
    return client.post(
        reverse("label:formation_add", args=[world.referent_a.pk]),
        {
            "module": module.pk,
            "nature": "session",
            "date": "2026-03-03",
            "organisme": "CNFPT",
            "piece": SimpleUploadedFile(name, content, content_type="text/html"),
        },
    )


@pytest.mark.parametrize("name", ["payload.html", "tool.exe", "../../etc/passwd", "rapport.pdf.html"])
def test_stored_name_and_extension_come_from_the_detected_type(client_for, world, name):
    """The probe: a file starting with %PDF- was stored under the uploaded name."""
    response = add_training(client_for("responsable"), world, name)
    assert response.status_code == 302, response.content.decode()[:2000]
    formation = FormationReferent.objects.exclude(pk=world.formation_a.pk).get(referent=world.referent_a)
    stored = formation.piece.name.rsplit("/", 1)[-1]
    assert stored.endswith(".pdf")
    assert len(stored) == 32 + 4  # random hex name
    assert name.rsplit("/", 1)[-1].split(".")[0] not in stored
    assert formation.piece.read() == PDF


def test_served_as_attachment_with_detected_type_and_nosniff(client_for, world):
    add_training(client_for("responsable"), world, "payload.html")
    formation = FormationReferent.objects.exclude(pk=world.formation_a.pk).get(referent=world.referent_a)
    response = client_for("responsable").get(reverse("label:formation_piece", args=[formation.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'attachment; filename="justificatif-formation-{formation.pk}.pdf"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == PDF


def test_png_keeps_its_own_type(client_for, world):
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 20
    add_training(client_for("responsable"), world, "photo.pdf", png)
    formation = FormationReferent.objects.exclude(pk=world.formation_a.pk).get(referent=world.referent_a)
    assert formation.piece.name.endswith(".png")
    response = client_for("responsable").get(reverse("label:formation_piece", args=[formation.pk]))
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"].endswith('.png"')


def test_size_limit_per_kind(client_for, world, settings):
    settings.UPLOAD_MAX_BYTES = {"piece": 1024}
    response = add_training(client_for("responsable"), world, "gros.pdf", PDF + b"x" * 2000)
    assert response.status_code == 200
    assert "Le fichier dépasse 1 ko." in response.content.decode()


def test_infected_file_is_refused_and_never_stored(client_for, world, fake_scanner, media_root):
    fake_scanner.verdict = "Eicar-Test-Signature"
    response = add_training(client_for("responsable"), world, "eicar.pdf")
    assert response.status_code == 200
    assert "Ce fichier contient un virus (Eicar-Test-Signature)" in response.content.decode()
    assert fake_scanner.scanned == [PDF]
    assert not FormationReferent.objects.exclude(pk=world.formation_a.pk).filter(referent=world.referent_a).exists()
    assert not list((media_root / "label" / "formations").rglob("*.pdf"))[1:]  # only the fixture's own file


def test_no_verdict_means_not_stored(client_for, world, fake_scanner):
    fake_scanner.error = True
    response = add_training(client_for("responsable"), world, "a.pdf")
    assert "analyse antivirus est momentanément indisponible" in response.content.decode()
    assert not FormationReferent.objects.exclude(pk=world.formation_a.pk).filter(referent=world.referent_a).exists()


def test_clean_file_is_stored_after_the_scan(client_for, world, fake_scanner):
    assert add_training(client_for("responsable"), world, "a.pdf").status_code == 302
    assert fake_scanner.scanned == [PDF]


def test_clamd_client_speaks_instream(tmp_path):
    """The real client against a tiny fake clamd on a Unix socket."""
    import io
    import socket
    import struct
    import threading

    path = str(tmp_path / "clamd.sock")
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(path)
    server.listen(1)
    received = []

    def serve():
        conn, _ = server.accept()
        with conn:
            data = b""
            while not data.endswith(struct.pack("!L", 0)) or len(data) < 14:
                data += conn.recv(65536)
            received.append(data)
            conn.sendall(b"stream: Eicar-Test-Signature FOUND\0")

    thread = threading.Thread(target=serve)
    thread.start()
    scanner = uploads.ClamdScanner(socket_path=path, timeout=5)
    assert scanner.scan(io.BytesIO(b"X5O!P%@AP")) == "Eicar-Test-Signature"
    thread.join()
    server.close()
    assert received[0].startswith(b"zINSTREAM\0" + struct.pack("!L", 9) + b"X5O!P%@AP")
