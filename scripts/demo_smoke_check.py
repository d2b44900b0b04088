"""What a newcomer sees first, asked of a running demo (`make demo-smoke`, scripts/demo-smoke).

Standard library only (it runs outside the portal's virtualenv). Usage:
    python scripts/demo_smoke_check.py http://127.0.0.1:8000 [--wait SECONDS]

Fails (exit 1) unless: the login page answers 200 with its stylesheets; every demo account logs
in through the login form (CSRF token and cookie, as a browser does) and its home page answers
200; an unknown address gets the portal's French 404 page, not Django's debug page.
"""

import argparse
import http.cookiejar
import re
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

DEMO_ACCOUNTS = [
    "responsable@demo.rsa62.test",
    "referent@demo.rsa62.test",
    "slai@demo.rsa62.test",
    "dpid@demo.rsa62.test",
    "pilotage@demo.rsa62.test",
    "admin@demo.rsa62.test",
]
# The public demo password.
DEMO_PASSWORD = "Portail-Demo-62"  # nosec B105


class Failure(Exception):
    pass


class Browser:
    def __init__(self, base):
        self.base = base.rstrip("/")
        self.cookies = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.cookies))

    def request(self, path, data=None, headers=None):
        """(status, final URL, body text): redirects followed, error statuses returned too."""
        encoded = urllib.parse.urlencode(data).encode() if data is not None else None
        request = urllib.request.Request(self.base + path, data=encoded, headers=headers or {})
        try:
            with self.opener.open(request, timeout=120) as response:
                return response.status, response.url, response.read().decode("utf-8", "replace")
        except urllib.error.HTTPError as error:
            return error.code, error.url, error.read().decode("utf-8", "replace")

    def csrf_cookie(self):
        return next((c.value for c in self.cookies if c.name == "csrftoken"), None)


def expect(condition, message):
    if not condition:
        raise Failure(message)
    print(f"  ok  {message}")


def wait_until_up(base, seconds):
    deadline = time.monotonic() + seconds
    while True:
        try:
            # Http(s) URL of the local demo server.
            with urllib.request.urlopen(base.rstrip("/") + "/connexion/", timeout=10):  # nosec B310
                return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            if time.monotonic() > deadline:
                raise Failure(f"le portail ne répond pas sur {base} après {seconds} s") from None
            time.sleep(1)


def check_login_page(browser):
    status, _, html = browser.request("/connexion/")
    expect(status == 200, f"page de connexion /connexion/ : {status}")
    expect("Se connecter" in html and "csrfmiddlewaretoken" in html, "formulaire de connexion avec jeton CSRF")
    stylesheets = re.findall(r'<link rel="stylesheet" href="([^"]+)"', html)
    expect(bool(stylesheets), "feuilles de style annoncées par la page")
    for href in stylesheets:
        status, _, css = browser.request(href)
        expect(status == 200 and len(css) > 100, f"fichier statique {href} : {status}")
    return html


def log_in(base, email):
    browser = Browser(base)
    status, _, html = browser.request("/connexion/")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    expect(status == 200 and token and browser.csrf_cookie(), f"{email} : page de connexion et cookie CSRF")
    status, url, html = browser.request(
        "/connexion/",
        {"csrfmiddlewaretoken": token.group(1), "username": email, "password": DEMO_PASSWORD, "next": ""},
        headers={"Referer": base.rstrip("/") + "/connexion/", "Origin": base.rstrip("/")},
    )
    path = urllib.parse.urlsplit(url).path
    expect(status == 200 and path == "/", f"{email} : connecté, page d'accueil {path} : {status}")
    expect("Se déconnecter" in html and "Mot de passe oublié" not in html, f"{email} : accueil d'un compte connecté")
    return browser


def check_french_404(browser):
    status, _, html = browser.request("/une-adresse-qui-n-existe-pas/")
    expect(status == 404, f"adresse inconnue : {status}")
    expect("Page introuvable" in html and "URLconf" not in html, "page 404 du portail, en français (DEBUG désactivé)")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("base")
    parser.add_argument("--wait", type=int, default=0, help="attendre que le portail réponde (secondes)")
    args = parser.parse_args()
    try:
        if args.wait:
            wait_until_up(args.base, args.wait)
        check_login_page(Browser(args.base))
        for email in DEMO_ACCOUNTS:
            browser = log_in(args.base, email)
        check_french_404(browser)
    except Failure as failure:
        print(f"ÉCHEC : {failure}", file=sys.stderr)
        return 1
    print("Démonstration vérifiée.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
