"""crawler/emails.py per file kind: regions, merge tags, charsets, and bad input as Problems."""

from __future__ import annotations

import os
import subprocess
import sys
from email.message import EmailMessage
from pathlib import Path

import pytest

from audit.text import merge_tag_pattern
from crawler.emails import Email, Problem, from_html, from_mjml, from_text, messages, parse, read

EMAILS = Path(__file__).parent.parent / "fixtures" / "emails"


def one(name: str) -> Email:
    [found] = read(EMAILS / name, name)
    assert isinstance(found, Email), found
    return found


def regions(found: Email) -> dict[str, str]:
    return {r.name: r.text for r in found.regions}


def tags(found: Email, region: str) -> list[str]:
    return [t for t, _ in next(r for r in found.regions if r.name == region).merge_tags]


def assert_tag_offsets_point_at_ellipses(found: Email) -> None:
    for r in found.regions:
        assert all(r.text[pos] == "…" for _, pos in r.merge_tags), r


# -- HTML templates ---------------------------------------------------------------------------


def test_html_template_subject_comes_from_its_meta_and_keeps_the_tag():
    welcome = one("welcome.html")
    assert regions(welcome)["subject"] == "Welcome to Acme CloudSync, …!"
    assert tags(welcome, "subject") == ["{{ user.first_name }}"]
    assert welcome.title == "Welcome to Acme CloudSync"


def test_html_preheader_is_its_own_region_and_not_in_the_body():
    r = regions(one("welcome.html"))
    assert r["preheader"] == "Your 14-day trial starts today: sync your first folder in two minutes."
    assert "14-day" not in r["body"]
    assert "\u200c" not in r["body"]  # the hidden spacer after the preheader is gone too


def test_jinja_blocks_between_tags_do_not_break_extraction():
    welcome = one("welcome.html")
    body = regions(welcome)["body"].split("\n")
    assert "Your team workspace is ready for … people." in body
    assert "Download Acme CloudSync" in body  # after href="{{ url_for("download", ref="welcome") }}"
    assert body[-2:] == ["Questions? Just reply to this email.", "The Acme CloudSync team"]
    assert tags(welcome, "heading") == ['{{ user.first_name | default("there") }}']
    assert '{% if user.plan == "team" %}' in tags(welcome, "body")
    assert_tag_offsets_point_at_ellipses(welcome)


def test_eex_and_heex_tags_are_merge_tags_and_the_text_between_them_stays():
    trial = one("lifecycle/trial-ending.html")
    body = regions(trial)["body"]
    assert "Your free trial of Acme CloudSync ends in … days." in body
    assert "So far you have synced … file… across … devices." in body
    assert "Set up your first folder." in body
    assert "Keep everything in sync for $8 per month on the Personal plan." in body
    assert {"<%= if @usage.files > 0 do %>", "<% end %>", '{if @usage.files > 1, do: "s"}'} <= set(
        tags(trial, "body"))
    assert regions(trial)["subject"] == "Your Acme CloudSync trial ends …"
    assert_tag_offsets_point_at_ellipses(trial)


def test_mailgun_recipient_variables_are_merge_tags():
    mailgun = one("mailgun.html")
    assert regions(mailgun)["body"].startswith("Hello …,\nYou have used 90% of the 2 TB")
    assert tags(mailgun, "body") == ["%recipient.name%"]


def test_template_syntax_inside_attributes_never_reaches_the_text():
    found = from_html('<p class="{% if vip %}gold{% endif %}">Thanks, <a title="{{ "a > b" }}">'
                      "{{ name }}</a>!</p>")
    assert regions(found) == {"body": "Thanks, …!"}
    assert tags(found, "body") == ["{{ name }}"]


# -- MJML, plain text ---------------------------------------------------------------------------


def test_mjml_content_elements_are_read_as_html_with_preview_as_preheader():
    receipt = one("receipt.mjml")
    r = regions(receipt)
    assert receipt.title == "Your Acme CloudSync receipt"
    assert r["preheader"] == "Thanks for your payment of …. Your receipt is inside."
    assert r["heading"] == "Receipt …"
    assert r["body"].startswith("Hi …, thanks for staying with Acme CloudSync. We charged … to your card")
    assert "View your invoice" in r["body"].split("\n")
    assert "Includes … VAT." in r["body"]
    assert "font-weight" not in r["body"] and "Helvetica" not in r["body"]  # mj-style, mj-attributes
    assert r["alt"] == "Acme CloudSync"
    assert_tag_offsets_point_at_ellipses(receipt)


def test_plain_text_subject_line_becomes_the_subject_region():
    reset = one("reset.txt")
    r = regions(reset)
    assert r["subject"] == "Reset your … password"
    assert tags(reset, "subject") == ["*|COMPANY|*"]
    assert r["preheader"] == "The link works for 60 minutes."
    assert "Subject:" not in r["body"]
    assert tags(reset, "body") == ["*|FNAME|*", "*|EMAIL|*", "*|RESET_URL|*"]


def test_plain_text_joins_hard_wrapped_lines_but_keeps_lists_and_signatures():
    body = regions(one("reset.txt"))["body"].split("\n")
    assert ("Someone asked to reset the password for the Acme CloudSync account linked to …. If that was "
            "you, open the link below to choose a new password:") in body
    assert "- Never share this link with anyone." in body
    assert body[-2:] == ["Thanks,", "The Acme CloudSync team"]


def test_plain_text_without_a_subject_line_is_all_body():
    assert regions(from_text("Hello,\nSubject: not a header here.")) == {
        "body": "Hello,\nSubject: not a header here."}


# -- messages ---------------------------------------------------------------------------------


def test_multipart_alternative_prefers_html_and_ignores_the_attachment():
    news = one("newsletter.eml")
    r = regions(news)
    assert news.extra["content_type"] == "text/html"
    assert news.extra["attachments"] == 1
    assert r["preheader"] == "Shared links that expire, faster uploads and a new Linux app."
    assert "Uploads up to 3× faster" in r["heading"]  # quoted-printable UTF-8 decoded
    assert "%PDF" not in " ".join(r.values())
    assert tags(news, "body") == ["*|FNAME|*"]


def test_rfc2047_subject_header_is_decoded_into_the_subject_region():
    news = one("newsletter.eml")
    assert regions(news)["subject"] == "What’s new in Acme CloudSync — May"
    assert news.extra["message_id"] == "<may-2026-newsletter@acme.example>"


def test_the_plain_alternative_is_read_when_there_is_no_html():
    msg = (b"From: Acme CloudSync <news@acme.example>\nSubject: Plain only\nMIME-Version: 1.0\n"
           b'Content-Type: multipart/alternative; boundary="b"\n\n--b\nContent-Type: text/plain; '
           b"charset=utf-8\nContent-Transfer-Encoding: base64\n\nSGkge3sgbmFtZSB9fSwgd2VsY29tZSB0byBBY21l\n"
           b"--b--\n")
    found = parse("plain.eml", msg)
    assert isinstance(found, Email)
    assert regions(found) == {"subject": "Plain only", "body": "Hi …, welcome to Acme"}
    assert found.regions[1].merge_tags == [("{{ name }}", 3)]


def test_latin1_declared_message_is_decoded_as_windows_1252():
    invoice = one("latin1.eml")
    r = regions(invoice)
    assert r["subject"] == "Votre facture électronique de mai"
    assert r["body"].startswith("Bonjour Zoé,")
    assert "9,50 € par mois" in r["body"]  # 0x80 is € in windows-1252
    assert "Merci d’utiliser" in r["body"]  # 0x92 is ’


def test_mbox_yields_one_email_per_message_numbered_from_one():
    found = list(read(EMAILS / "digest.mbox", "digest.mbox"))
    assert [f.part for f in found] == ["#message=1", "#message=2", "#message=3"]
    assert all(isinstance(f, Email) for f in found)
    assert [f.title for f in found] == ["Your weekly sync digest", "Sharing activity – week 19",
                                        "Storage report"]
    assert regions(found[0])["body"] == "… files synced on … devices this week.\nYour largest folder is …."
    assert "without an account" in regions(found[1])["body"]  # quoted-printable soft break undone


# -- bad input --------------------------------------------------------------------------------


def test_prose_without_headers_is_not_an_email():
    [found] = read(EMAILS / "broken.eml", "broken.eml")
    assert isinstance(found, Problem)
    assert found.reason == "parse_error"
    assert found.detail.startswith("broken.eml: not an email message")


def test_random_bytes_are_not_an_email():
    found = parse("noise.eml", bytes(range(256)) * 8)
    assert isinstance(found, Problem) and found.reason == "parse_error"
    assert "noise.eml" in found.detail


def test_undecodable_template_bytes_are_a_decode_error_naming_the_file():
    [found] = read(EMAILS / "lifecycle/legacy-notice.txt", "lifecycle/legacy-notice.txt")
    assert isinstance(found, Problem)
    assert found.reason == "decode_error"
    assert found.detail == ("lifecycle/legacy-notice.txt: byte 0x92 at offset 24 is not valid UTF-8 "
                            "(expected UTF-8 text)")


def test_an_html_template_may_declare_another_charset():
    data = '<meta charset="windows-1252"><p>Caf\xe9 \u2013 Acme</p>'.encode("cp1252")
    found = parse("legacy.html", data)
    assert isinstance(found, Email)
    assert regions(found)["body"] == "Café – Acme"


@pytest.mark.parametrize(("declared", "body", "read_as", "text"), [
    ("utf-8", b"Caf\xe9 \x96 menu\n", "cp1252", "Café – menu"),  # a legacy client's mislabel
    ("x-acme-7", b"Hello\n", "utf-8", "Hello"),  # a charset no decoder knows
    ("x-acme-7", b"Caf\xe9\n", "cp1252", "Café"),
    ("iso-8859-1", b"Caf\xe9 \x93ok\x94\n", "cp1252", "Café “ok”"),  # latin-1 read as browsers do
    (None, "Café\n".encode(), "utf-8", "Café"),
], ids=["wrong", "unknown", "unknown-latin", "latin1", "undeclared"])
def test_a_part_whose_charset_is_wrong_or_unknown_falls_back_instead_of_losing_the_message(
        declared: str | None, body: bytes, read_as: str, text: str):
    ctype = "text/plain" + (f"; charset={declared}" if declared else "")
    msg = (f"From: a@acme.example\nSubject: Hi\nContent-Type: {ctype}\n"
           "Content-Transfer-Encoding: 8bit\n\n").encode() + body
    found = parse("legacy.eml", msg)
    assert isinstance(found, Email), found
    assert regions(found)["body"] == text
    fell_back = read_as != ("cp1252" if declared == "iso-8859-1" else declared or "utf-8")
    assert found.extra.get("charset") == (f"{read_as} (declared {declared or 'none'})" if fell_back else None)


@pytest.mark.parametrize("name", ["missing.eml", "missing.mbox", "missing.html"])
def test_an_unreadable_file_is_a_parse_error_naming_it(tmp_path: Path, name: str):
    [found] = read(tmp_path / name, f"emails/{name}")
    assert isinstance(found, Problem)
    assert found.reason == "parse_error"
    assert found.detail.startswith(f"emails/{name}: cannot read the file")
    assert not (tmp_path / name).exists()  # reading an mbox never creates one


def test_a_file_that_is_no_email_kind_is_named_with_the_kinds_expected(tmp_path: Path):
    (tmp_path / "logo.png").write_bytes(b"\x89PNG\r\n")
    [found] = read(tmp_path / "logo.png", "logo.png")
    assert isinstance(found, Problem) and found.reason == "not_html"
    assert ".eml" in found.detail and ".mjml" in found.detail


def test_a_file_over_max_size_is_too_large(tmp_path: Path):
    (tmp_path / "huge.html").write_text("<p>" + "a " * 500 + "</p>")
    [found] = read(tmp_path / "huge.html", "huge.html", max_size=100)
    assert isinstance(found, Problem) and found.reason == "too_large"


def test_an_mbox_without_from_lines_has_no_messages(tmp_path: Path):
    (tmp_path / "notes.mbox").write_text("just some notes\n")
    [found] = read(tmp_path / "notes.mbox", "notes.mbox")
    assert isinstance(found, Problem) and found.reason == "parse_error"
    assert "no messages" in found.detail


def test_mjml_parses_without_a_compiler_even_without_mj_head():
    found = from_mjml("<mjml><mj-body><mj-column><mj-text>Hi {{ name }}</mj-text>"
                      "<mj-button>Sign in</mj-button></mj-column></mj-body></mjml>")
    assert regions(found) == {"body": "Hi …\nSign in"}


def test_json_ld_in_an_email_keeps_its_tags_in_the_data_and_ellipses_in_the_text():
    found = from_html('<script type="application/ld+json">{"@type": "EmailMessage", '
                      '"description": "Invoice for {{ customer.name }}"}</script><p>Hi</p>')
    jsonld = next(r for r in found.regions if r.name == "jsonld")
    assert jsonld.text == "Invoice for …"
    assert jsonld.data == [{"@type": "EmailMessage", "description": "Invoice for {{ customer.name }}"}]
    assert jsonld.merge_tags == [("{{ customer.name }}", jsonld.text.index("…"))]


# -- messages that carry messages, broken ones, big ones ---------------------------------------


def _message(subject: str, text: str, html: str | None = None) -> EmailMessage:
    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"] = "Acme <news@acme.example>", "ana@example.org", subject
    msg.set_content(text)
    if html:
        msg.add_alternative(html, subtype="html")
    return msg


def _all(data: bytes, name: str = "m.eml", **kw) -> list[Email | Problem]:
    return list(messages(data, name, **kw))


def test_a_forwarded_message_yields_the_note_and_the_message_it_carries():
    fwd = _message("Fwd: Your trial", "See below, the trial mail we sent.")
    fwd.add_attachment(_message("Your trial", "Your 14-day free trial of CloudSync starts today."))
    found = _all(fwd.as_bytes())
    assert [(f.part, f.title) for f in found] == [("", "Fwd: Your trial"), ("#part=1", "Your trial")]
    assert regions(found[1])["body"] == "Your 14-day free trial of CloudSync starts today."


def test_a_digest_yields_each_message_it_holds():
    digest = EmailMessage()
    digest["From"], digest["Subject"] = "list@acme.example", "Acme digest, Vol 3"
    digest.make_mixed()
    digest.set_type("multipart/digest")
    for n in (1, 2, 3):
        part = EmailMessage()
        part.set_content(_message(f"Tip {n}", f"Tip number {n}: sync on Wi-Fi only."))
        digest.attach(part)
    found = _all(digest.as_bytes())
    assert [f.title for f in found] == ["Tip 1", "Tip 2", "Tip 3"]  # the digest has no text of its own
    assert [f.part for f in found] == ["#part=1", "#part=2", "#part=3"]


BOUNCE = b"""\
From: MAILER-DAEMON@mx.acme.example
To: news@acme.example
Subject: Undelivered Mail Returned to Sender
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary="B1"

--B1
Content-Type: text/plain; charset=us-ascii

This is the mail system: your message could not be delivered.

--B1
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.acme.example

Final-Recipient: rfc822; x@y.example
Action: failed
Status: 5.1.1

--B1
Content-Type: message/rfc822

From: Acme <news@acme.example>
To: x@y.example
Subject: Reset your password
Content-Type: text/plain; charset=utf-8

Reset your CloudSync password here.

--B1--
"""


def test_a_bounce_yields_its_report_and_the_original_message():
    found = _all(BOUNCE)
    assert [f.title for f in found] == ["Undelivered Mail Returned to Sender", "Reset your password"]
    assert regions(found[0])["body"] == "This is the mail system: your message could not be delivered."
    assert regions(found[1])["body"] == "Reset your CloudSync password here."


def test_a_multipart_without_its_boundary_is_read_as_text():
    raw = (b"From: a@acme.example\nSubject: Broken\nMIME-Version: 1.0\n"
           b"Content-Type: multipart/alternative\n\nYour CloudSync plan renews on Monday.\n")
    [found] = _all(raw)
    assert isinstance(found, Email), found
    assert regions(found)["body"] == "Your CloudSync plan renews on Monday."
    assert "NoBoundaryInMultipartDefect" in found.extra["defects"]


def test_a_multipart_whose_closing_boundary_is_missing_keeps_its_parts():
    raw = (b"From: a@acme.example\nSubject: Cut\nContent-Type: multipart/alternative; boundary=XX\n\n"
           b"--XX\nContent-Type: text/plain\n\nPlain words.\n--XX\nContent-Type: text/html\n\n"
           b"<p>Renew your <b>CloudSync</b> plan.</p>\n")
    [found] = _all(raw)
    assert isinstance(found, Email)
    assert regions(found)["body"] == "Renew your CloudSync plan."


def test_a_20_megabyte_attachment_is_not_read_and_does_not_count_against_the_text_limit(tmp_path: Path):
    msg = _message("Your invoice", "Your invoice for CloudSync Pro is attached.")
    msg.add_attachment(os.urandom(20 * 2**20), maintype="application", subtype="pdf", filename="invoice.pdf")
    path = tmp_path / "invoice.eml"
    path.write_bytes(msg.as_bytes())
    assert path.stat().st_size > 20 * 2**20
    [found] = read(path, "invoice.eml", max_size=100_000)
    assert isinstance(found, Email), found
    assert regions(found)["body"] == "Your invoice for CloudSync Pro is attached."
    assert found.extra["attachments"] == 1


def test_a_message_whose_own_text_is_over_the_limit_is_too_large(tmp_path: Path):
    path = tmp_path / "long.eml"
    path.write_bytes(_message("Long", "word " * 50_000).as_bytes())
    [found] = read(path, "long.eml", max_size=100_000)
    assert isinstance(found, Problem) and found.reason == "too_large"
    assert "attachments do not count" in found.detail


def test_configured_merge_tag_syntaxes_are_merge_tags_too():
    text = "Subject: Hi -name-\n\nYour -plan- plan renews soon; -first_name- stays built in.\n"
    own = merge_tag_pattern((r"-[a-z]+-",))
    found = from_text(text, tag_re=own)
    assert regions(found) == {"subject": "Hi …", "body": "Your … plan renews soon; … stays built in."}
    assert tags(found, "body") == ["-plan-", "-first_name-"]
    html = from_html("<p>Dear -name-, welcome to <b>Acme</b>.</p>", tag_re=own)
    assert regions(html)["body"] == "Dear …, welcome to Acme."
    assert regions(from_text(text))["body"] == "Your -plan- plan renews soon; … stays built in."


@pytest.mark.parametrize(("name", "source"), [
    ("a.html", "<p>Run <code>Cloud Sync --now</code> to start.</p><pre>Cloud Sync\nstatus</pre>"),
    ("b.mjml", "<mjml><mj-body><mj-column><mj-text>Run <code>Cloud Sync --now</code> to start."
               "</mj-text><mj-raw><pre>Cloud Sync\nstatus</pre></mj-raw></mj-column></mj-body></mjml>"),
])
def test_code_in_html_email_templates_stays_marked_as_code(name: str, source: str):
    found = parse(name, source.encode())
    assert isinstance(found, Email)
    body = next(r for r in found.regions if r.name == "body")
    code = [body.text[a:b] for a, b in body.code]
    assert code == ["Cloud Sync --now", "Cloud Sync status"]


def test_a_200_megabyte_mbox_is_read_message_by_message_in_flat_memory(tmp_path: Path):
    path = tmp_path / "sent.mbox"
    script = f'''
import os, resource
from tests.crawler.mbox_writer import write_mbox
write_mbox({str(path)!r}, 200, 1_000_000)
from pathlib import Path
from crawler.emails import Email, read
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
found = [(f.part, f.title) for f in read(Path({str(path)!r}), "sent.mbox", 2_000_000) if isinstance(f, Email)]
grown = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
print(len(found), found[-1], os.path.getsize({str(path)!r}), round(grown))
'''
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True,
                         cwd=Path(__file__).parents[2], timeout=600).stdout.split(" ", 1)
    count, rest = int(out[0]), out[1]
    size, grown_mb = map(int, rest.rsplit(" ", 2)[-2:])
    assert count == 200 and "('#message=200', 'Weekly report 199')" in rest
    assert size > 200_000_000
    assert grown_mb < 100, f"reading a {size // 2**20} MB mbox grew memory by {grown_mb} MB"
