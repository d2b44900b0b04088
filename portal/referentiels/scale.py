"""Scale data: the structures of a whole Département, their referents and one account per person
(responsables, referents, a SLAI agent per territory, DPID agents). Accounts share the demo
password; their e-mails end in @echelle.rsa62.test. SIRETs are fictitious (prefix 9001…)."""

import datetime
from decimal import Decimal

from django.contrib.auth.hashers import make_password

from portal.accounts.enums import Role
from portal.accounts.models import User
from portal.core.demo import DEMO_PASSWORD
from portal.core.scale import register
from portal.referentiels.enums import FormeJuridique
from portal.referentiels.enums import TypeAccompagnement as T
from portal.referentiels.models import Referent, Structure, Territoire
from portal.referentiels.validators import luhn_is_valid

EMAIL_DOMAIN = "echelle.rsa62.test"
STRUCTURES = 45  # with the demo's 15: about 60 at factor 1
REFERENTS = 400
FORMES = [FormeJuridique.ASSOCIATION] * 5 + [FormeJuridique.CCAS, FormeJuridique.CIAS, FormeJuridique.SIAE]
NOMS = ["Béranger", "Caudron", "Delbecq", "Everaere", "Facon", "Gosselin", "Hochart", "Lebas", "Lefranc", "Mollet"]
PRENOMS = ["Alice", "Benoît", "Céline", "Damien", "Élodie", "Franck", "Géraldine", "Hugo", "Inès", "Jérôme"]


def scale_siret(number: int) -> str:
    prefix = f"9001{number:05d}0001"
    return next(prefix + str(key) for key in range(10) if luhn_is_valid(prefix + str(key)))


def is_loaded() -> bool:
    return Structure.objects.filter(siret__startswith="9001").exists()


@register("Structures, référents et comptes", order=10)
def seed(ctx):
    rng = ctx.rng("referentiels")
    password = make_password(DEMO_PASSWORD)  # hashed once: hashing 500 passwords would take minutes
    territoires = list(Territoire.objects.order_by("code"))
    nb_structures = ctx.scaled(STRUCTURES)
    structures = ctx.insert(
        Structure,
        [
            Structure(
                nom=f"Structure {n + 1:03d} ({territoires[n % len(territoires)].nom})",
                forme_juridique=rng.choice(FORMES),
                siret=scale_siret(n + 1),
                adresse=f"{rng.randint(1, 120)} rue de la République",
                code_postal="62000",
                commune="Arras",
            )
            for n in range(nb_structures)
        ],
    )
    # Each structure works on its home territory, one in four on a neighbouring one too.
    links = []
    structure_territoires = {}
    for n, structure in enumerate(structures):
        ids = [territoires[n % len(territoires)].pk]
        if rng.random() < 0.25:
            ids.append(territoires[(n + 1) % len(territoires)].pk)
        structure_territoires[structure.pk] = ids
        links.extend(Structure.territoires.through(structure_id=structure.pk, territoire_id=t) for t in ids)
    ctx.insert(Structure.territoires.through, links)

    nb_referents = ctx.scaled(REFERENTS, minimum=nb_structures)
    referents, users = [], []
    for n in range(nb_referents):
        structure = structures[n % nb_structures]
        kind = T.SOLIDARITE if rng.random() < 0.55 else T.EQUILIBRE
        nom, prenom = rng.choice(NOMS), rng.choice(PRENOMS)
        users.append(
            User(
                email=f"referent{n + 1:04d}@{EMAIL_DOMAIN}",
                first_name=prenom,
                last_name=nom,
                role=Role.REFERENT,
                structure=structure,
                password=password,
            )
        )
        referents.append(
            Referent(
                structure=structure,
                nom=nom,
                prenom=prenom,
                etp=Decimal(rng.choice(["1.00", "1.00", "0.80", "0.50"])),
                type_accompagnement=kind,
                date_arrivee=ctx.today - datetime.timedelta(days=rng.randint(400, 4000)),
            )
        )
    for n, structure in enumerate(structures):
        users.append(
            User(
                email=f"responsable{n + 1:03d}@{EMAIL_DOMAIN}",
                first_name="Responsable",
                last_name=f"Structure {n + 1:03d}",
                role=Role.RESPONSABLE,
                structure=structure,
                password=password,
            )
        )
    for territoire in territoires:
        users.append(
            User(
                email=f"slai-{territoire.code}@{EMAIL_DOMAIN}",
                first_name="Agent",
                last_name=f"SLAI {territoire.nom}",
                role=Role.SLAI,
                territoire=territoire,
                password=password,
            )
        )
    for role, email in ((Role.DPID, "dpid"), (Role.MANAGER, "pilotage"), (Role.ADMIN, "admin")):
        users.append(
            User(email=f"{email}@{EMAIL_DOMAIN}", first_name="Agent", last_name=email, role=role, password=password)
        )
    ctx.insert(User, users)
    for referent, user in zip(referents, users, strict=False):
        referent.user = user
    ctx.insert(Referent, referents)
    ctx.shared.update(
        structures=structures,
        structure_territoires=structure_territoires,
        referents=referents,
        responsables={u.structure_id: u for u in users if u.role == Role.RESPONSABLE},
        slai={u.territoire_id: u for u in users if u.role == Role.SLAI},
        dpid=next(u for u in users if u.role == Role.DPID),
    )
    return f"{nb_structures} structures, {nb_referents} référents, {len(users)} comptes"
