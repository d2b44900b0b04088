"""Reading text that comes from outside the portal: uploaded files and the terminal of a
management command. One place, so that every upload and every command says the same thing in
French when a file cannot be read."""

import codecs
import json


class UnreadableText(ValueError):
    """The file is not what it should be; the message is French and shown as is."""


def ensure_utf8(stream):
    """French output must not depend on the terminal's locale: switch a real text stream to UTF-8."""
    encoding = getattr(stream, "encoding", None)
    reconfigure = getattr(stream, "reconfigure", None)
    if not encoding or not callable(reconfigure):
        return
    try:
        if codecs.lookup(encoding).name != "utf-8":
            reconfigure(encoding="utf-8")
    except (LookupError, ValueError):
        pass


def load_json_bytes(raw: bytes, *, max_bytes: int | None = None):
    """The JSON value of an uploaded file (UTF-8, with or without BOM), or UnreadableText."""
    if max_bytes is not None and len(raw) > max_bytes:
        raise UnreadableText(f"Le fichier dépasse {max_bytes // (1024 * 1024)} Mo.")
    try:
        return json.loads(raw.decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise UnreadableText("Le fichier n'est pas un texte UTF-8 : est-ce bien un fichier JSON ?") from None
    except json.JSONDecodeError as error:
        raise UnreadableText(
            f"Le fichier n'est pas un JSON valide (ligne {error.lineno}, colonne {error.colno})."
        ) from None
    except RecursionError:
        raise UnreadableText("Le fichier JSON est trop imbriqué.") from None
