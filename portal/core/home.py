"""Home-page panels: each domain registers what needs a user's attention.

`portal/*` never imports a domain; domains call `register_panel` from their AppConfig.ready().
A panel provider takes the request and returns a `Panel` or None when it has nothing to say
for that role.
"""

from dataclasses import dataclass, field


@dataclass
class PanelItem:
    label: str
    url: str = ""
    detail: str = ""
    overdue: bool = False


@dataclass
class Panel:
    title: str
    items: list[PanelItem] = field(default_factory=list)
    empty_text: str = "Rien à signaler pour le moment."
    more_url: str = ""
    more_label: str = ""
    order: int = 100


_providers = []


def register_panel(provider):
    if provider not in _providers:
        _providers.append(provider)
    return provider


def panels_for(request):
    panels = [panel for provider in _providers if (panel := provider(request)) is not None]
    return sorted(panels, key=lambda panel: panel.order)
