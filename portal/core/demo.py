"""Demo-data registry and an upsert that writes only what changed (so `load_demo` is idempotent).

Each room or domain registers a loader from its AppConfig.ready(); `load_demo` runs them in order.
"""

from dataclasses import dataclass

# Public demo password, refused outside demo mode.
DEMO_PASSWORD = "Portail-Demo-62"  # nosec B105
# Every demo account's address is in this domain (a reserved .test domain: no real mailbox).
# Outside demo mode (settings.DEMO_MODE) such an account can neither exist (system check
# portal.E002) nor log in (portal.accounts.backends).
DEMO_EMAIL_DOMAIN = "demo.rsa62.test"


def is_demo_email(email) -> bool:
    return (email or "").strip().lower().endswith("@" + DEMO_EMAIL_DOMAIN)


@dataclass(frozen=True)
class Loader:
    order: int
    name: str
    func: object


_loaders: dict[str, Loader] = {}


def register(name, order):
    def decorator(func):
        _loaders[name] = Loader(order=order, name=name, func=func)
        return func

    return decorator


def loaders():
    return sorted(_loaders.values(), key=lambda loader: loader.order)


def upsert(model, lookup: dict, defaults: dict, clean_exclude=()):
    """Get or create by `lookup`; save only the fields whose value differs from `defaults`."""
    obj = model.objects.filter(**lookup).first()
    if obj is None:
        obj = model(**lookup, **defaults)
        obj.full_clean(exclude=list(clean_exclude))
        obj.save()
        return obj, True
    changed = [name for name, value in defaults.items() if getattr(obj, name) != value]
    if changed:
        for name in changed:
            setattr(obj, name, defaults[name])
        obj.full_clean(exclude=list(clean_exclude))
        obj.save(update_fields=changed + (["updated_at"] if hasattr(obj, "updated_at") else []))
    return obj, False
