import datetime
import hashlib
from dataclasses import dataclass

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile

from portal.accounts.enums import Role
from portal.documents.enums import DocumentStatus
from portal.documents.models import GeneratedDocument
from portal.echeances.models import EcheanceManuelle, Notification
from portal.echeances.services import notify
from tests.factories import ReferentFactory, StructureFactory, TerritoireFactory, UserFactory

ROLES = ["anonyme", "responsable", "referent", "slai", "dpid", "manager", "admin"]


@dataclass
class World:
    """Two territories, two structures, a referent user in structure A, one user per role.

    Users on the "A side" (responsable, referent, SLAI of territory A) must never see B's records.
    """

    territoire_a: object
    territoire_b: object
    structure_a: object
    structure_b: object
    referent_a: object  # the referent record of the referent user
    autre_referent_a: object  # another referent of structure A
    referent_b: object
    users: dict
    fiche: object = None  # a ready structure sheet of structure A
    attestation_draft: object = None  # an unissued decision document of structure A
    echeance_a: object = None
    notification: object = None  # for the DPID user
    demande_a: object = None  # structure A's submitted label request
    evaluation_a: object = None  # a self-evaluation of that request
    formation_a: object = None  # a pending equivalence of the referent user's record
    retrait_a: object = None  # a withdrawal of structure A's label, awaiting observations
    charte_a: object = None  # the first quality charter of that label
    orientation_a: object = None  # a person of structure A followed by the referent user
    orientation_a2: object = None  # a person of structure A followed by the other referent
    orientation_b: object = None  # a person of structure B
    import_file: object = None  # an uploaded orientations file, not yet imported
    # --- accompagnement world attributes (one line each, by section) ---
    cer_a: object = None  # CER: an unsigned CER of orientation_a with one action
    parcours: object = None  # parcours: callable, creates once the pending requests etc. on orientation_a
    finance: object = None  # financement: a deliberation in preparation, two proposals, one simulation

    def user(self, role):
        return self.users.get(role)


@pytest.fixture
def world(db):
    # The kinds of accompaniment come from a data migration: a transactional (browser) test that
    # ran before this one flushed them, so put the defaults back (idempotent).
    from accompagnement.catalogue import ensure_types

    ensure_types()
    territoire_a = TerritoireFactory(nom="Arrageois", code="arrageois")
    territoire_b = TerritoireFactory(nom="Calaisis", code="calaisis")
    structure_a = StructureFactory(nom="Structure A", territoires=[territoire_a])
    structure_b = StructureFactory(nom="Structure B", territoires=[territoire_b])
    users = {
        "responsable": UserFactory(role=Role.RESPONSABLE, structure=structure_a, email="resp-a@example.test"),
        "referent": UserFactory(role=Role.REFERENT, structure=structure_a, email="ref-a@example.test"),
        "slai": UserFactory(role=Role.SLAI, territoire=territoire_a, email="slai-a@example.test"),
        "dpid": UserFactory(role=Role.DPID, email="dpid@example.test"),
        "manager": UserFactory(role=Role.MANAGER, email="manager@example.test"),
        "admin": UserFactory(admin=True, email="admin@example.test"),
    }
    referent_a = ReferentFactory(structure=structure_a, user=users["referent"], nom="Alpha", prenom="Anne")
    autre_referent_a = ReferentFactory(structure=structure_a, nom="Bravo", prenom="Bruno")
    referent_b = ReferentFactory(structure=structure_b, nom="Charlie", prenom="Chloé")
    world = World(
        territoire_a=territoire_a,
        territoire_b=territoire_b,
        structure_a=structure_a,
        structure_b=structure_b,
        referent_a=referent_a,
        autre_referent_a=autre_referent_a,
        referent_b=referent_b,
        users=users,
    )
    world.fiche = make_document(structure_a, "fiche_structure", users["dpid"])
    world.attestation_draft = make_document(structure_a, "attestation_partenariat", users["dpid"])
    world.echeance_a = EcheanceManuelle.objects.create(
        structure=structure_a, titre="Bilan final", date_echeance=datetime.date(2027, 3, 31), created_by=users["dpid"]
    )
    world.notification = Notification.objects.filter(recipient=users["dpid"]).first()
    make_label_request(world)
    make_caseload(world)
    from tests.financement.factories import make_finance_world

    world.finance = make_finance_world(world)
    return world


def make_caseload(world):
    from accompagnement.models import Beneficiaire, Orientation, TypeAccompagnement

    kind, _ = TypeAccompagnement.objects.get_or_create(
        code="solidarite", defaults={"libelle": "Référent solidarité", "places_par_etp": 250}
    )

    def orient(caf, nom, structure, territoire, referent):
        beneficiaire = Beneficiaire.objects.create(
            numero_caf=caf,
            nom=nom,
            prenom="Test",
            date_naissance=datetime.date(1980, 5, 4),
            sexe="F",
            code_postal="62000",
            commune="Arras",
            territoire=territoire,
        )
        return Orientation.objects.create(
            beneficiaire=beneficiaire,
            structure=structure,
            type_accompagnement=kind,
            date_orientation=datetime.date(2026, 10, 1),
            **kind.date_limits(datetime.date(2026, 10, 1)),
            referent=referent,
            date_affectation=datetime.date(2026, 10, 3),
            source="saisie",
        )

    world.orientation_a = orient("1000001", "Aubert", world.structure_a, world.territoire_a, world.referent_a)
    world.orientation_a2 = orient("1000002", "Bailly", world.structure_a, world.territoire_a, world.autre_referent_a)
    world.orientation_b = orient("1000003", "Carre", world.structure_b, world.territoire_b, world.referent_b)
    from accompagnement.models import ImportOrientations

    world.import_file = ImportOrientations(nom_fichier="orientations.csv", rapport={"total_lines": 0})
    world.import_file.fichier.save("orientations.csv", ContentFile(b"numero_caf;nom\n"), save=False)
    world.import_file.save()
    # --- accompagnement: CER (world objects for the permission matrix) ---
    from accompagnement.models import Cer

    world.cer_a = Cer.objects.create(
        orientation=world.orientation_a,
        type="solidarite",
        date_edition=datetime.date(2026, 10, 15),
        date_debut=datetime.date(2026, 10, 15),
        date_fin=datetime.date(2027, 4, 14),
        remarque="Logement d'abord, puis reprise de contact avec la mission locale.",
    )
    world.cer_a.actions.create(
        intitule="Demande de logement social",
        date_debut=datetime.date(2026, 10, 15),
        date_fin=datetime.date(2026, 12, 31),
        detail="Dossier déposé auprès du bailleur.",
    )
    # --- accompagnement: parcours ---
    # Created on first call only (the matrix): other tests keep orientation_a free of these.
    parcours_cache = {}

    def parcours():
        cache = parcours_cache
        if not cache:
            from accompagnement.models import (
                DemandeRenouvellement,
                DemandeReorientation,
                Entretien,
                ProcedureSuspension,
                TypeAccompagnement,
            )

            cer = Cer.objects.create(
                orientation=world.orientation_a,
                type="solidarite",
                date_edition=datetime.date(2026, 5, 4),
                date_debut=datetime.date(2026, 5, 4),
                date_fin=datetime.date(2026, 11, 3),
                remarque="Reprise d'une formation.",
                signe_le=datetime.date(2026, 5, 4),
            )
            absence = Entretien.objects.create(
                orientation=world.orientation_a,
                date=datetime.date(2026, 11, 2),
                mode="physique",
                nature="intermediaire",
                presence="absent",
            )
            cache.update(
                cer_signe=cer,
                renouvellement=DemandeRenouvellement.objects.create(
                    cer=cer, date_demande=datetime.date(2026, 10, 5), argumentaire="Formation en cours."
                ),
                reorientation=DemandeReorientation.objects.create(
                    orientation=world.orientation_a,
                    date_demande=datetime.date(2026, 11, 3),
                    type_souhaite=TypeAccompagnement.objects.get(code="equilibre"),
                    argumentaire="Projet professionnel.",
                ),
                suspension=ProcedureSuspension.objects.create(entretien=absence, ouverte_le=absence.date),
                prescription=world.orientation_a.prescriptions.create(
                    date=datetime.date(2026, 10, 20),
                    action="Atelier CV",
                    organisme="Mission locale",
                    argumentaire="Préparer les candidatures.",
                ),
            )
        return type("Parcours", (), cache)

    world.parcours = parcours
    # --- accompagnement: indicators and reporting ---
    # --- accompagnement: data protection ---


def make_label_request(world):
    """A submitted label request of structure A with one drawn, self-graded CER."""
    from label.catalogue import ensure_modules
    from label.enums import EtatDemande, Evaluateur, NatureFormation
    from label.models import (
        CerAnonymise,
        CharteQualite,
        DemandeLabel,
        EvaluationCer,
        FormationReferent,
        Label,
        ModuleFormation,
        RetraitLabel,
    )

    ensure_modules()  # transactional tests flush the migration's rows
    content = {
        "numero_caf": "1100001",
        "type": "solidarite",
        "date_edition": "2026-01-05",
        "date_debut": "2026-01-05",
        "date_fin": "2026-07-04",
        "remarque": "Projet de formation.",
        "actions": [
            {
                "intitule": "Atelier",
                "date_debut": "2026-01-05",
                "date_fin": "2026-07-04",
                "detail": "Hebdomadaire.",
                "insertion_professionnelle": False,
            }
        ],
    }
    cer = CerAnonymise.objects.create(
        structure=world.structure_a,
        referent=world.referent_a,
        numero_caf="1100001",
        contenu=content,
        empreinte=CerAnonymise.fingerprint(content),
    )
    world.demande_a = DemandeLabel.objects.create(
        structure=world.structure_a,
        etat=EtatDemande.AVIS_DPID,
        engagement=True,
        deposee_at=datetime.datetime(2026, 9, 1, 10, tzinfo=datetime.UTC),
        avis_dpid="favorable",
    )
    world.evaluation_a = EvaluationCer.objects.create(
        demande=world.demande_a, cer=cer, evaluateur=Evaluateur.STRUCTURE, score_automatique="4.5"
    )
    world.formation_a = FormationReferent.objects.create(
        referent=world.referent_a,
        module=ModuleFormation.objects.get(code="secret-professionnel"),
        nature=NatureFormation.EQUIVALENCE,
        date=datetime.date(2020, 5, 4),
        organisme="CNFPT",
    )
    world.formation_a.piece.save("programme.pdf", ContentFile(b"%PDF-1.4 programme"))
    label = Label.objects.create(
        structure=world.structure_a, date_decision=datetime.date(2025, 6, 2), date_fin=datetime.date(2030, 6, 1)
    )
    world.retrait_a = RetraitLabel.objects.create(
        label=label,
        motif="engagements",
        etat="contradictoire",
        griefs="Référent non formé.",
        notifie_le=datetime.date(2026, 11, 20),
        observations_avant=datetime.date(2099, 12, 20),
    )
    world.charte_a = CharteQualite.objects.create(
        label=label, annee=1, bilan="Première année.", deposee_le=datetime.date(2026, 5, 30)
    )
    world.charte_a.piece.save("charte.pdf", ContentFile(b"%PDF-1.4 charte"))


def make_document(owner, kind_code, user):
    """A ready document row with a small PDF file, without WeasyPrint: rendering itself is tested
    in tests/documents; here the document only has to exist for permission and scope tests."""
    content = b"%PDF-1.7\n% document de test\n"
    document = GeneratedDocument.objects.create(
        content_type=ContentType.objects.get_for_model(owner),
        object_id=owner.pk,
        kind=kind_code,
        requested_by=user,
        date_document=datetime.date(2026, 11, 25),
        status=DocumentStatus.PRET,
        filename=f"{kind_code}.pdf",
        sha256=hashlib.sha256(content).hexdigest(),
        page_count=1,
    )
    document.file.save(f"{kind_code}-{document.pk}.pdf", ContentFile(content))
    notify(recipient=user, title=f"Document prêt : {kind_code}", body="…", email=False)
    return document


@pytest.fixture
def client_for(client, world):
    """A test client signed in as the world's user of that role (anonymous: not signed in)."""

    def make(role):
        client.logout()
        if role != "anonyme":
            client.force_login(world.user(role))
        return client

    return make


@pytest.fixture(autouse=True)
def fast_password_hasher(settings):
    # Hashing strength is Django's concern, not ours; tests create many users.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def celery_mode(request):
    """Tasks run in-process, except in tests marked `redis`, which start a real worker."""
    from portal.celery import app

    previous = app.conf.task_always_eager
    app.conf.task_always_eager = request.node.get_closest_marker("redis") is None
    yield
    app.conf.task_always_eager = previous


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture(autouse=True)
def security_counters(settings):
    """Password-reset counters live in the cache: each test starts from zero, without the minimum
    answer time (tests/accounts/test_lockout.py turns it on where it matters)."""
    from django.core.cache import cache

    cache.clear()
    settings.PASSWORD_RESET_MIN_SECONDS = 0
    yield
    cache.clear()
