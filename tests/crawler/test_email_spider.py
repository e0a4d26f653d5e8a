"""The email spider in a real crawl: files under the config's folder, stored with relative paths."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

from tests.crawl_helpers import crawl
from tests.crawler.mbox_writer import write_mbox

EMAILS = Path(__file__).parent.parent / "fixtures" / "emails"

STORED = [
    "emails/digest.mbox#message=1",
    "emails/digest.mbox#message=2",
    "emails/digest.mbox#message=3",
    "emails/latin1.eml",
    "emails/lifecycle/trial-ending.html",
    "emails/mailgun.html",
    "emails/newsletter.eml",
    "emails/receipt.mjml",
    "emails/reset.txt",
    "emails/welcome.html",
]


def email_config(*paths: str) -> str:
    return "touchpoints:\n  - name: emails\n    kind: email\n    paths:\n" + "".join(
        f'      - "{p}"\n' for p in paths)


def copy_emails(tmp_path: Path) -> Path:
    """The fixture emails beside the config (the crawl runs from the repository, elsewhere)."""
    return Path(shutil.copytree(EMAILS, tmp_path / "emails"))


def test_every_template_and_message_is_stored_under_its_relative_path(tmp_path: Path):
    copy_emails(tmp_path)
    result = crawl(tmp_path, email_config("emails/**/*"))
    assert result.returncode == 0, result.stderr
    assert result.state == "complete"
    assert result.urls == STORED
    assert {d.kind for d in result.documents} == {"email"}
    assert all(d.status is None and d.last_modified for d in result.documents)


def test_broken_files_are_failures_and_the_rest_is_still_collected(tmp_path: Path):
    copy_emails(tmp_path)
    (tmp_path / "emails" / "gone.eml").symlink_to(tmp_path / "nowhere.eml")
    result = crawl(tmp_path, email_config("emails/**/*"))
    assert result.state == "complete"
    assert len(result.documents) == len(STORED)
    failures = {f.url: f for f in result.failures}
    assert sorted(failures) == ["emails/broken.eml", "emails/gone.eml", "emails/lifecycle/legacy-notice.txt"]
    assert failures["emails/broken.eml"].reason == "parse_error"
    assert "not an email message" in failures["emails/broken.eml"].detail
    assert failures["emails/gone.eml"].reason == "parse_error"
    assert "cannot read" in failures["emails/gone.eml"].detail
    assert failures["emails/lifecycle/legacy-notice.txt"].reason == "decode_error"


def test_stored_email_keeps_subject_preheader_and_merge_tags(tmp_path: Path):
    copy_emails(tmp_path)
    result = crawl(tmp_path, email_config("emails/welcome.html", "emails/digest.mbox"))
    welcome = result.doc("emails/welcome.html")
    subject = welcome.region("subject")
    assert subject is not None and subject.text == "Welcome to Acme CloudSync, …!"
    assert subject.merge_tags == [("{{ user.first_name }}", 27)]
    assert welcome.region("preheader").text.startswith("Your 14-day trial starts today")
    assert "Your 14-day trial" not in welcome.region("body").text
    assert welcome.extra["format"] == "html"
    digest = result.doc("emails/digest.mbox#message=2")
    assert digest.title == "Sharing activity – week 19"
    assert digest.extra["message_id"] == "<digest-2@acme.example>"


def test_overlapping_globs_store_a_file_once(tmp_path: Path):
    copy_emails(tmp_path)
    result = crawl(tmp_path, email_config("emails/*.html", "emails/**/*.html"))
    assert result.urls == ["emails/lifecycle/trial-ending.html", "emails/mailgun.html", "emails/welcome.html"]
    assert result.failures == []


def test_a_glob_that_matches_nothing_is_a_failure(tmp_path: Path):
    copy_emails(tmp_path)
    result = crawl(tmp_path, email_config("emails/reset.txt", "templates/*.html"))
    assert result.urls == ["emails/reset.txt"]
    [failure] = result.failures
    assert failure.url == "templates/*.html"
    assert "no file matches" in failure.detail


def test_a_file_name_that_is_not_utf8_among_200_emails_costs_nothing(tmp_path: Path):
    folder = tmp_path / "mails"
    folder.mkdir()
    for n in range(200):
        (folder / f"m{n:03}.txt").write_text(f"Subject: Mail {n}\n\nHello number {n} from Acme.\n")
    (tmp_path / b"mails/caf\xe9-latin1-name.txt".decode("utf-8", "surrogateescape")).write_bytes(
        b"Subject: Bad name\n\nA file named on another system.\n")
    result = crawl(tmp_path, email_config("mails/*.txt"))
    assert result.returncode == 0, result.stderr
    assert result.state == "complete"
    assert len(result.documents) == 201 and not result.failures
    assert "mails/caf\\xe9-latin1-name.txt" in result.urls


def test_two_files_with_the_same_text_are_both_stored_the_second_as_a_duplicate(tmp_path: Path):
    folder = tmp_path / "mails"
    folder.mkdir()
    text = "Subject: Welcome\n\nWelcome to Acme CloudSync.\n"
    for name in ("welcome.txt", "welcome-copy.txt", "other.txt"):
        (folder / name).write_text(text if name != "other.txt" else "Subject: Bye\n\nSee you.\n")
    result = crawl(tmp_path, email_config("mails/*.txt"))
    assert result.returncode == 0, result.stderr
    assert result.urls == ["mails/other.txt", "mails/welcome-copy.txt", "mails/welcome.txt"]
    assert result.doc("welcome.txt").extra.get("duplicate_of") == "mails/welcome-copy.txt"
    assert "duplicate_of" not in result.doc("welcome-copy.txt").extra


def test_an_mbox_larger_than_the_web_size_limit_is_read_whole(tmp_path: Path):
    write_mbox(tmp_path / "sent.mbox", 30, 1_000_000)
    result = crawl(tmp_path, email_config("sent.mbox") + "crawl: {max_size: 1MB}\n")
    assert result.returncode == 0, result.stderr
    assert len(result.documents) == 30 and not result.failures


def test_configured_merge_tags_are_taken_out_of_the_text(tmp_path: Path):
    (tmp_path / "renew.txt").write_text("Subject: Hi -name-\n\nYour -plan- plan renews soon.\n")
    result = crawl(tmp_path, email_config("renew.txt") + "    merge_tags: ['-[a-z]+-']\n")
    assert result.returncode == 0, result.stderr
    body = result.doc("renew.txt").region("body")
    assert body.text == "Your … plan renews soon." and [t for t, _ in body.merge_tags] == ["-plan-"]


def test_an_email_touchpoint_cut_short_at_max_pages_is_marked_in_crawl_report_and_exit(tmp_path: Path):
    folder = tmp_path / "mails"
    folder.mkdir()
    for n in range(5):
        (folder / f"m{n}.txt").write_text(f"Subject: Mail {n}\n\nHello number {n}.\n")
    (tmp_path / "rules").mkdir()
    (tmp_path / "rules" / "r.yaml").write_text(
        "rules:\n  - {id: n, kind: term, preferred: Acme, variants: [ACME]}\n")
    config = tmp_path / "touchaudit.yaml"
    config.write_text(email_config("mails/*.txt") + "    max_pages: 3\nrules: [rules]\n")
    result = subprocess.run([sys.executable, "-m", "audit.cli", "run", "--config", str(config), "-o",
                             str(tmp_path / "out")], capture_output=True, text=True, timeout=300)
    assert result.returncode == 3, result.stderr
    assert ("touchpoint 'emails' stopped at max_pages (3): max_pages (3) reached: mails/m3.txt"
            in result.stderr)
    report = json.loads((tmp_path / "out" / "findings.json").read_text())
    assert [(f["url"], f["reason"]) for f in report["crawl"]["failures"]] == [("mails/m3.txt", "max_pages")]
    assert "max_pages" in (tmp_path / "out" / "report.html").read_text()
