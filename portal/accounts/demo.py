"""One demo account per role, plus the responsable of each other structure that runs an RSA
accompaniment (they validate their monthly reports in the demo; they cannot log in). Passwords are
public: `load_demo` refuses to run outside demo mode."""

from portal.accounts.enums import Role
from portal.accounts.models import User
from portal.core.demo import DEMO_PASSWORD, register, upsert
from portal.referentiels.demo import structures_rows
from portal.referentiels.models import Referent, Structure, Territoire

DEMO_ACCOUNTS = [
    {
        "email": "responsable@demo.rsa62.test",
        "role": Role.RESPONSABLE,
        "first_name": "Régine",
        "last_name": "Vasseur",
        "description": "Responsable de structure (MEMPA, Arrageois)",
    },
    {
        "email": "referent@demo.rsa62.test",
        "role": Role.REFERENT,
        "first_name": "Camille",
        "last_name": "Lefebvre",
        "description": "Référente de la MEMPA",
    },
    {
        "email": "slai@demo.rsa62.test",
        "role": Role.SLAI,
        "first_name": "Bruno",
        "last_name": "Delattre",
        "description": "Agent du SLAI de l'Arrageois",
    },
    {
        "email": "dpid@demo.rsa62.test",
        "role": Role.DPID,
        "first_name": "Agnès",
        "last_name": "Caron",
        "description": "Agente de la DPID (siège)",
    },
    {
        "email": "pilotage@demo.rsa62.test",
        "role": Role.MANAGER,
        "first_name": "Philippe",
        "last_name": "Lemaire",
        "description": "Pilotage budgétaire (lecture seule)",
    },
    {
        "email": "admin@demo.rsa62.test",
        "role": Role.ADMIN,
        "first_name": "Isabelle",
        "last_name": "Dumont",
        "description": "Administratrice DPID (journal d'accès, administration)",
    },
]


# Fictitious responsables of the other structures, by structure code (no password: nobody logs in
# with them; they sign the demo's monthly reports).
OTHER_RESPONSABLES = {
    "pbi": ("Hélène", "Deruy"),
    "mipe": ("Marc", "Lebrun"),
    "tous-parrains": ("Sylvie", "Caudron"),
    "pif": ("Franck", "Delahaye"),
    "id-formation": ("Nathalie", "Bocquet"),
    "meill-hc": ("Didier", "Wattez"),
    "adefi": ("Corinne", "Lemaitre"),
    "amie-du-boulonnais": ("Jérôme", "Fasquel"),
    "la-fabrique-defi": ("Valérie", "Hochart"),
    "pas-de-calais-actif": ("Laurent", "Dubois"),
}


def _other_responsables():
    sirets = {row["code"]: row["siret"] for row in structures_rows()}
    for code, (first_name, last_name) in OTHER_RESPONSABLES.items():
        user, created = upsert(
            User,
            {"email": f"responsable.{code}@demo.rsa62.test"},
            {
                "first_name": first_name,
                "last_name": last_name,
                "role": Role.RESPONSABLE,
                "structure": Structure.objects.get(siret=sirets[code]),
                "territoire": None,
                "is_active": True,
            },
            clean_exclude=["password"],
        )
        if created:
            user.set_unusable_password()
            user.save(update_fields=["password"])


@register("Comptes de démonstration", order=20)
def load():
    mempa = Structure.objects.get(nom="MEMPA")
    arrageois = Territoire.objects.get(code="arrageois")
    for account in DEMO_ACCOUNTS:
        role = account["role"]
        user, _ = upsert(
            User,
            {"email": account["email"]},
            {
                "first_name": account["first_name"],
                "last_name": account["last_name"],
                "role": role,
                "structure": mempa if role in (Role.RESPONSABLE, Role.REFERENT) else None,
                "territoire": arrageois if role == Role.SLAI else None,
                "is_staff": role == Role.ADMIN,
                "is_superuser": role == Role.ADMIN,
                "is_active": True,
            },
            clean_exclude=["password"],
        )
        if not user.check_password(DEMO_PASSWORD):
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
        if role == Role.REFERENT:
            referent = Referent.objects.get(structure=mempa, nom=user.last_name, prenom=user.first_name)
            if referent.user_id != user.pk:
                referent.user = user
                referent.save(update_fields=["user", "updated_at"])
    _other_responsables()
    return f"{len(DEMO_ACCOUNTS)} comptes, {len(OTHER_RESPONSABLES)} responsables d'autres structures (sans connexion)"
