import pytest

from audit.text import clean, normalize, sentence_around


def test_whitespace_is_folded_once_and_lines_kept():
    assert normalize("  Hello\u00a0\t world \n\n  next  ") == "Hello world\nnext"


def test_merge_tags_become_an_ellipsis_and_are_kept_with_their_position():
    text, tags = clean("Hi {{ first_name }}, welcome to *|COMPANY|* and %recipient.name%!", True)
    assert text == "Hi …, welcome to … and …!"
    assert tags == [("{{ first_name }}", 3), ("*|COMPANY|*", 17), ("%recipient.name%", 23)]
    assert all(text[pos] == "…" for _, pos in tags)


def test_an_ellipsis_in_the_source_is_not_a_tag():
    text, tags = clean("Wait… {% if x %}yes{% endif %}", True)
    assert text == "Wait… …yes…"
    assert [p for _, p in tags] == [6, 10]


def test_sentence_around_a_match():
    t = "First one. Hi there CloudSync is great! Next"
    snippet, start = sentence_around(t, 20, 29)
    assert snippet == "Hi there CloudSync is great!"
    assert t[start:].startswith(snippet)


@pytest.mark.parametrize(
    "source, tag",
    [
        ("{{ user.first_name | default: 'there' }}", "Liquid output with a filter"),
        ("{{{ unsubscribe_link }}}", "Handlebars raw"),
        ("{{#if premium}}", "Handlebars block"),
        ("{{${first_name}}}", "Braze attribute"),
        ('{{ "}" }}', "a brace inside a string"),
        ("{%- if plan == 'pro' -%}", "Liquid block with whitespace control"),
        ("{# internal note #}", "Jinja comment"),
        ("<%= @user.name %>", "EEx output"),
        ('<%= "#{if @n != 0, do: "+"}#{@n}%" %>', "EEx with nested interpolation"),
        ("*|FNAME|*", "Mailchimp"),
        ("*|MC:SUBJECT|*", "Mailchimp with a namespace"),
        ("%recipient.name%", "Mailgun recipient variable"),
        ("%recipient_fname%", "Mailgun legacy recipient variable"),
        ("%unsubscribe_url%", "Mailgun system variable"),
        ("%FIRSTNAME%", "ActiveCampaign"),
        ("%%FirstName%%", "Salesforce personalization string"),
        ("%%=v(@name)=%%", "AMPscript inline"),
        ("${user.name}", "Freemarker"),
        ("#{site.domain}", "Elixir interpolation"),
        ("{@site.domain}", "HEEx assign"),
        ("{PlausibleWeb.EmailView.greet_recipient(assigns)}", "HEEx call"),
        ("{visitors}", "HEEx variable"),
        ('{if visitors > 1, do: "s"}', "HEEx inline if"),
        ("{$name}", "Smarty"),
        ("-first_name-", "SendGrid legacy substitution"),
        ("[firstname,fallback=there]", "Campaign Monitor with fallback"),
        ("[firstname]", "Campaign Monitor"),
        ("[[name]]", "double brackets"),
    ],
)
def test_each_template_language_tag_is_one_merge_tag(source: str, tag: str) -> None:
    text, tags = clean(f"Hi {source}, welcome to Acme", True)
    assert text == "Hi …, welcome to Acme", tag
    assert tags == [(source, 3)], tag


@pytest.mark.parametrize(
    "prose",
    [
        "Save 20% today and 30% tomorrow.",
        "A well-known sync-engine for the long-term.",
        "See [the guide](https://acme.example/guide) for more.",
        "Plans from $9 {per month} apply.",
        "URL-encoded %E2%80%99 stays.",
        "Use 50%-off codes - limited_time deals are gone.",
    ],
)
def test_ordinary_prose_has_no_merge_tags(prose: str) -> None:
    assert clean(prose, True) == (prose, [])


def test_a_tag_spanning_lines_is_one_tag_and_text_around_it_stays():
    text, tags = clean("Hello\n{% if\n  user %}\nfriend{% endif %}", True)
    assert text == "Hello\n…\nfriend…"
    assert [t for t, _ in tags] == ["{% if\n  user %}", "{% endif %}"]


def test_an_unclosed_opener_does_not_swallow_the_text():
    prose = "Type {{ to start a variable. " + "Then keep writing. " * 100 + "Done }}"
    text, tags = clean(prose, True)
    assert tags == []
    assert text.endswith("Done }}")
