"""A console e-mail backend a person can read: the demo (`make demo`) and development print the
e-mails they send in the terminal.

Django's console backend prints the MIME message as sent: accented subjects in RFC 2047
(`=?utf-8?b?...?=`) and the text in base64. This one prints the decoded headers, the plain-text
part as UTF-8 text (the HTML alternative says the same thing) and the names of the attachments.
"""

from django.core.mail.backends.console import EmailBackend

SHOWN_HEADERS = ("Date", "From", "To", "Cc", "Bcc", "Reply-To", "Subject")
SEPARATOR = "-" * 79


def readable(message) -> str:
    """The e-mail as text: decoded headers, a blank line, the plain-text body, the attachments."""
    mime = message.message()
    lines = [f"{name}: {mime[name]}" for name in SHOWN_HEADERS if mime[name] is not None]
    if message.bcc and mime["Bcc"] is None:
        lines.append(f"Bcc: {', '.join(message.bcc)}")
    body = mime.get_body(preferencelist=("plain", "html"))
    lines.append("")
    lines.append(body.get_content().rstrip("\n") if body is not None else "(message sans texte)")
    alternatives = [part.get_content_type() for part in mime.walk() if part.get_content_type() == "text/html"]
    attachments = [part.get_filename() or part.get_content_type() for part in mime.iter_attachments()]
    if alternatives and body is not None and body.get_content_type() == "text/plain":
        lines.append("")
        lines.append("[version HTML du même message non affichée]")
    for name in attachments:
        lines.append(f"[pièce jointe : {name}]")
    return "\n".join(lines)


class ReadableConsoleBackend(EmailBackend):
    def write_message(self, message):
        text = f"{readable(message)}\n{SEPARATOR}\n"
        encoding = (getattr(self.stream, "encoding", None) or "utf-8").lower().replace("-", "")
        if encoding != "utf8" and hasattr(self.stream, "buffer"):
            # A terminal that is not declared UTF-8 (LANG=C) still gets the accents, in UTF-8.
            self.stream.flush()
            self.stream.buffer.write(text.encode("utf-8"))
            self.stream.buffer.flush()
        else:
            self.stream.write(text)
