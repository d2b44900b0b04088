import datetime
from decimal import Decimal

import factory

from portal.accounts.enums import Role
from portal.accounts.models import User
from portal.referentiels.enums import FormeJuridique, TypeAccompagnement
from portal.referentiels.models import Referent, SecteurDpid, Structure, Territoire
from portal.referentiels.validators import luhn_is_valid

PASSWORD = "Mot-de-passe-de-test-62"


def valid_siret(n):
    prefix = f"8{n:08d}0001"
    return next(prefix + str(key) for key in range(10) if luhn_is_valid(prefix + str(key)))


class SecteurDpidFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SecteurDpid
        django_get_or_create = ["nom"]

    nom = factory.Sequence(lambda n: f"Secteur {n}")


class TerritoireFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Territoire

    code = factory.Sequence(lambda n: f"territoire-{n}")
    nom = factory.Sequence(lambda n: f"Territoire {n}")
    secteur = factory.SubFactory(SecteurDpidFactory)


class StructureFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Structure
        skip_postgeneration_save = True

    nom = factory.Sequence(lambda n: f"Structure {n}")
    forme_juridique = FormeJuridique.ASSOCIATION
    siret = factory.Sequence(valid_siret)
    adresse = "1 rue de la Paix"
    code_postal = "62000"
    commune = "Arras"

    @factory.post_generation
    def territoires(self, create, extracted, **kwargs):
        if create and extracted:
            self.territoires.set(extracted)


class ReferentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Referent

    structure = factory.SubFactory(StructureFactory)
    nom = factory.Sequence(lambda n: f"Nom{n}")
    prenom = factory.Sequence(lambda n: f"Prénom{n}")
    etp = Decimal("1.00")
    type_accompagnement = TypeAccompagnement.SOLIDARITE
    date_arrivee = datetime.date(2023, 1, 2)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"utilisateur{n}@example.test")
    first_name = "Prénom"
    last_name = factory.Sequence(lambda n: f"Utilisateur{n}")
    role = Role.DPID
    password = factory.django.Password(PASSWORD)

    class Params:
        responsable = factory.Trait(role=Role.RESPONSABLE, structure=factory.SubFactory(StructureFactory))
        referent = factory.Trait(role=Role.REFERENT, structure=factory.SubFactory(StructureFactory))
        slai = factory.Trait(role=Role.SLAI, territoire=factory.SubFactory(TerritoireFactory))
        manager = factory.Trait(role=Role.MANAGER)
        admin = factory.Trait(role=Role.ADMIN, is_staff=True, is_superuser=True)
